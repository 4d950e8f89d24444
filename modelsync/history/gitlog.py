"""Reading the provider files' git history: one ``git log`` for the commits that touched
the config directory, one ``git cat-file --batch`` process for the file contents.

Dates are those of the current branch's first-parent history: a change merged from a
branch counts from the merge commit (its committer date, or its author date when asked).
Renames inside the config directory are followed by git's rename detection (``-M``); a
directory moved as a whole is followed across the move when git detects it as renames.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import subprocess
import threading
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ..errors import ConfigError, UsageError

log = logging.getLogger(__name__)

#: Seconds one git command may take (``git log`` of a long history included).
GIT_TIMEOUT = 120.0
#: The largest provider file read from history, in bytes.
MAX_BLOB = 64 * 1024 * 1024
#: How many whole-directory moves are followed back.
MAX_MOVES = 20
_SUFFIXES = (".yml", ".yaml")
_NULL = "0" * 40


class GitError(UsageError):
    """git is missing, the directory is not in a repository, or its history lacks a date."""


@dataclass(frozen=True)
class Commit:
    """A first-parent commit that touched a provider file: its id and its dates (epoch)."""

    sha: str
    committed: int
    authored: int
    #: provider id -> (blob id of its file after this commit, ``None`` if the commit
    #: removed it; the file's path from the top of the repository)
    blobs: dict[str, tuple[str | None, str]] = field(default_factory=dict, compare=False)

    def date(self, author: bool = False) -> int:
        return self.authored if author else self.committed


@dataclass
class Repository:
    """The git repository holding a config directory."""

    config_dir: Path
    top: Path
    #: the config directory relative to the top, POSIX form (``config/models``)
    prefix: str
    shallow: bool

    def git(self, *args: str) -> bytes:
        """Run a git command at the top of the repository; its stdout."""
        return _run([_git(), "-C", str(self.top), *args], self.config_dir)

    def log(self, provider: str | None = None) -> list[Commit]:
        """The first-parent commits that touched the provider files (``provider``'s only
        when given), newest first, following renames and directory moves git detects."""
        out: list[Commit] = []
        rev, prefix = "HEAD", self.prefix
        names: dict[str, str] | None = None  # path -> provider id, once renames are known
        for _ in range(MAX_MOVES + 1):
            commits, names, oldest = self._segment(rev, prefix, provider, names)
            out.extend(commits)
            moved = self._moved_into(oldest, prefix) if oldest else None
            if moved is None:
                break
            rev, prefix, names = f"{oldest}^", moved[0], moved[1]
        return out

    def _segment(
        self, rev: str, prefix: str, provider: str | None, names: dict[str, str] | None
    ) -> tuple[list[Commit], dict[str, str], str | None]:
        """One ``git log`` of ``prefix`` from ``rev``; the commits, the path -> provider
        map at the oldest commit, and that commit if it added files (a move's candidate)."""
        raw = self.git(
            "log", "--first-parent", "--diff-merges=first-parent", "--raw", "-M",
            "--no-abbrev", "-z", "--format=%x01%H %ct %at", rev, "--", prefix or ".",
        )  # fmt: skip
        names = dict(names) if names is not None else {}
        commits: list[Commit] = []
        added: str | None = None
        for header, entries in _records(raw):
            sha, ct, at = header.split(" ")
            commit = Commit(sha, int(ct), int(at))
            added = None
            for status, old_path, new_path, new_blob in entries:
                pid = names.get(new_path) or _provider(new_path, prefix)
                if pid is None:
                    continue
                if provider is not None and pid != provider:
                    continue
                commit.blobs.setdefault(pid, (None if status == "D" else new_blob, new_path))
                if status.startswith("R") and old_path:
                    names[old_path] = pid
                elif status == "A":
                    names.pop(new_path, None)  # older commits: another file at this path
                    added = sha
            if commit.blobs:
                commits.append(commit)
        return commits, names, added

    def _moved_into(self, sha: str, prefix: str) -> tuple[str, dict[str, str]] | None:
        """Whether the files ``sha`` added under ``prefix`` were moved from another
        directory (git's rename detection on that one commit): the old directory and
        the old path -> provider map."""
        try:
            raw = self.git(
                "diff-tree", "-r", "-M", "--raw", "--no-abbrev", "-z", "--no-commit-id",
                f"{sha}^", sha,
            )  # fmt: skip
        except GitError:
            return None  # a root commit, or its parent is beyond a shallow clone
        moved: dict[str, str] = {}
        old_dir = None
        for status, old_path, new_path, _ in _entries(raw.split(b"\0")):
            pid = _provider(new_path, prefix)
            if status.startswith("R") and old_path and pid is not None:
                moved[old_path] = pid
                old_dir = str(PurePosixPath(old_path).parent)
        if old_dir is None:
            return None
        log.debug("following %s back to %s before commit %s", prefix, old_dir, sha[:12])
        return ("" if old_dir == "." else old_dir), moved

    def blobs(self, ids: Sequence[str]) -> Generator[tuple[str, bytes], None, None]:
        """The contents of ``ids``, one at a time, from one ``git cat-file --batch``."""
        if not ids:
            return
        proc = subprocess.Popen(
            [_git(), "-C", str(self.top), "cat-file", "--batch"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        assert proc.stdin is not None and proc.stdout is not None
        watchdog = threading.Timer(GIT_TIMEOUT, proc.kill)
        watchdog.daemon = True
        watchdog.start()
        try:
            for blob in ids:
                try:
                    proc.stdin.write(blob.encode() + b"\n")
                    proc.stdin.flush()
                except OSError:  # git ended: the watchdog, or a signal
                    head = []
                else:
                    head = proc.stdout.readline().split()
                if watchdog.finished.is_set():
                    raise GitError(
                        f"{self.config_dir}: git took over {GIT_TIMEOUT:.0f} s: cat-file"
                    )
                if len(head) != 3:
                    raise GitError(
                        f"{self.config_dir}: git has no object {blob[:12]} (a "
                        "shallow or partial clone? git fetch --unshallow)"
                    )
                size = int(head[2])
                if size > MAX_BLOB:
                    raise ConfigError(
                        f"{self.config_dir}: a provider file in its history is {size:,} "
                        f"bytes (object {blob[:12]}), over the {MAX_BLOB:,} bytes modelsync reads"
                    )
                data = proc.stdout.read(size + 1)[:size]
                yield blob, data
        finally:
            watchdog.cancel()
            with contextlib.suppress(OSError):
                proc.stdin.close()
            proc.kill()
            proc.wait()
            proc.stdout.close()


def open_repository(config_dir: Path) -> Repository:
    """The repository of ``config_dir``; :class:`GitError` naming the cause and the fix
    when git is missing or the directory is not in a repository."""
    if not config_dir.is_dir():
        raise UsageError(
            f"{config_dir}: config directory does not exist (--config-dir, modelsync.config_dir)"
        )
    out = _run(
        [_git(), "-C", str(config_dir), "rev-parse", "--show-toplevel",
         "--is-shallow-repository", "--show-prefix"],
        config_dir,
    ).decode("utf-8", "surrogateescape").splitlines()  # fmt: skip
    top, shallow = Path(out[0]), out[1] == "true"
    prefix = out[2].rstrip("/") if len(out) > 2 else ""
    try:
        _run([_git(), "-C", str(top), "rev-parse", "--verify", "-q", "HEAD"], config_dir)
    except GitError:
        raise GitError(
            f"{config_dir}: its git repository has no commits yet; history "
            "starts with the first commit of the provider files"
        ) from None
    return Repository(config_dir, top, prefix, shallow)


def _git() -> str:
    found = shutil.which("git")
    if found is None:
        raise GitError(
            "git is not installed (or not on PATH): history and --at read the "
            "provider files' git history; install git"
        )
    return found


def _run(cmd: list[str], config_dir: Path) -> bytes:
    env = {**os.environ, "LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0"}
    try:
        done = subprocess.run(cmd, capture_output=True, timeout=GIT_TIMEOUT, env=env)
    except subprocess.TimeoutExpired:
        raise GitError(f"{config_dir}: git took over {GIT_TIMEOUT:.0f} s: {cmd[3]}") from None
    except OSError as exc:
        raise GitError(f"cannot run git: {exc.strerror or exc}") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        first = message[0] if message else f"exit {done.returncode}"
        if "not a git repository" in first:
            raise GitError(
                f"{config_dir}: not in a git repository; history and --at read the provider "
                "files' git history (commit the config directory to git)"
            )
        raise GitError(f"{config_dir}: git {cmd[3]} failed: {first.removeprefix('fatal: ')}")
    return done.stdout


def _provider(path: str, prefix: str) -> str | None:
    """The provider id of a path directly under ``prefix``, if it is a provider file."""
    p = PurePosixPath(path)
    if str(p.parent) != (prefix or ".") or p.suffix not in _SUFFIXES or p.name.startswith("."):
        return None
    return p.stem or None


Entry = tuple[str, str | None, str, str]


def _records(raw: bytes) -> Iterator[tuple[str, list[Entry]]]:
    """``git log -z --raw`` records: the header and ``(status, old path, path, blob)``."""
    for record in raw.split(b"\x01")[1:]:
        header, _, rest = record.partition(b"\0")
        yield header.decode(), list(_entries(rest.lstrip(b"\n").split(b"\0")))


def _entries(tokens: list[bytes]) -> Iterator[Entry]:
    i = 0
    while i < len(tokens):
        meta = tokens[i].decode("utf-8", "surrogateescape").lstrip("\n")
        if not meta.startswith(":"):
            i += 1
            continue
        parts = meta.split(" ")
        status, blob = parts[4], parts[3]
        if status[:1] in ("R", "C"):
            old = tokens[i + 1].decode("utf-8", "surrogateescape")
            new = tokens[i + 2].decode("utf-8", "surrogateescape")
            i += 3
            yield status, (old if status[0] == "R" else None), new, blob
        else:
            yield status, None, tokens[i + 1].decode("utf-8", "surrogateescape"), blob
            i += 2
