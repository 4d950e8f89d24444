"""The history of the provider files' models, and the files as they were at a date."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ModelNotFound, ProviderNotFound, UsageError
from .changes import Blocks, FieldChange, diff_entry, entries_reusing, matches, model_entry
from .dates import day, instant, parse_when
from .gitlog import Commit, GitError, Repository, open_repository

if TYPE_CHECKING:
    from ..settings import Settings

log = logging.getLogger(__name__)

When = str | dt.date | dt.datetime
HISTORY_VERSION = 1


@dataclass(frozen=True)
class History:
    """The changes of the asked models' fields, oldest first."""

    config_dir: Path
    changes: tuple[FieldChange, ...]
    #: the date of the first commit of a shallow clone (the history before it is unknown)
    shallow_from: int | None = None
    author_date: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "version": HISTORY_VERSION,
            "ok": True,
            "config_dir": str(self.config_dir),
            "dates": "author" if self.author_date else "commit",
            "shallow_from": None if self.shallow_from is None else instant(self.shallow_from),
            "changes": [c.to_json() for c in self.changes],
        }


@dataclass(frozen=True)
class FileAt:
    """A provider file as it was at a date, from the commit that last changed it."""

    provider: str
    #: the file's path then, with the commit (``config/models/openai.yml@1a2b3c4d5e6f``)
    path: Path
    content: bytes
    commit: str
    date: int


@dataclass
class _Versions:
    provider: str
    #: (commit, blob, path) oldest first; blob ``None``: the commit removed the file
    items: list[tuple[Commit, str | None, str]] = field(default_factory=list)


def model_history(
    provider: str | None = None,
    model: str | None = None,
    *,
    since: When | None = None,
    fields: Sequence[str] = (),
    author_date: bool = False,
    settings: Settings | None = None,
    **overrides: Any,
) -> History:
    """When each field of the provider files' models changed, from the files' git history
    (``docs/history.md``): one model's, one provider's, or every file's."""
    from ..settings import settings_for

    if model and not provider:
        raise UsageError("--model needs --provider: history --provider NAME --model ID")
    s = settings_for(settings, overrides)
    start = parse_when(since, "--since", end_of_day=False) if since is not None else None
    repo = open_repository(s.config_path)
    commits = repo.log(provider)
    versions = _versions(commits)
    if not commits and provider is None:
        raise GitError(f"{s.config_path}: no provider file was ever committed to git")
    if provider is not None and provider not in versions:
        raise _no_provider(provider, s.config_path)
    shallow_from = _check_shallow(repo, commits, start, author_date, "--since")
    walk = _Walk(model, tuple(fields), author_date, shallow_from is not None)
    plan = [(v, _first_on_or_after(v, start, author_date)) for v in versions.values()]
    ids = [b for v, i in plan for _, b, _ in v.items[max(i - 1, 0) :] if b is not None]
    contents = repo.blobs(ids)
    try:
        out = [change for v, first in plan for change in walk.changes(v, first, contents)]
    finally:
        contents.close()  # ends git cat-file now, not when collected
    if model is not None and not walk.seen:
        raise ModelNotFound(
            f"no model {model!r} in any version of {provider}'s file in {s.config_path}"
            + ("" if start is None else " since then")
        )
    out.sort(key=lambda c: c.date)
    return History(s.config_path, tuple(out), shallow_from, author_date)


def files_at(
    config_dir: Path,
    at: When,
    *,
    providers: Sequence[str] | None = None,
    author_date: bool = False,
) -> dict[str, FileAt]:
    """The provider files (those of ``providers`` when given) as they were at ``at``."""
    when = parse_when(at, "--at", end_of_day=True)
    repo = open_repository(config_dir)
    single = providers[0] if providers and len(providers) == 1 else None
    commits = repo.log(single)
    if not commits:
        if single:
            raise _no_provider(single, config_dir)
        raise GitError(f"{config_dir}: no provider file was ever committed to git")
    _check_shallow(repo, commits, when, author_date, "--at")
    chosen: dict[str, tuple[Commit, str, str]] = {}
    firsts: dict[str, Commit] = {}
    for pid, v in _versions(commits).items():
        if providers and pid not in providers:
            continue
        last = None
        for commit, blob, path in v.items:
            if blob is not None:
                firsts.setdefault(pid, commit)
            if commit.date(author_date) <= when:
                last = (commit, blob, path)
        if last is not None and last[1] is not None:
            chosen[pid] = (last[0], last[1], last[2])
    if not chosen or (single and single not in chosen):
        raise _not_there_yet(single, firsts, config_dir, at, author_date)
    contents = dict(repo.blobs([blob for _, blob, _ in chosen.values()]))
    return {
        pid: FileAt(
            pid, repo.top / f"{path}@{c.sha[:12]}", contents[blob], c.sha, c.date(author_date)
        )
        for pid, (c, blob, path) in chosen.items()
    }


def _not_there_yet(
    provider: str | None,
    firsts: dict[str, Commit],
    config_dir: Path,
    at: When,
    author_date: bool,
) -> ProviderNotFound:
    """No provider file (``provider``'s, when given) at ``at``: naming the first date."""
    first = (
        firsts.get(provider)
        if provider
        else min(firsts.values(), key=lambda c: c.date(author_date), default=None)
    )
    if first is None:
        return _no_provider(provider or "", config_dir)
    what = f"provider {provider!r}" if provider else "provider file"
    return ProviderNotFound(
        f"no {what} in {config_dir} at {at}; the first was committed on "
        f"{day(first.date(author_date))} (commit {first.sha[:12]})"
    )


def first_seen(
    config_dir: Path, provider: str, model: str, *, author_date: bool = False
) -> tuple[int, str] | None:
    """The date and commit of the first version of ``provider``'s file that has ``model``."""
    repo = open_repository(config_dir)
    v = _versions(repo.log(provider)).get(provider)
    if v is None:
        return None
    items = [(c, b) for c, b, _ in v.items if b is not None]
    contents = repo.blobs([b for _, b in items])
    try:
        for (commit, _), (_, content) in zip(items, contents, strict=False):
            try:
                if model_entry(content, model) is not None:
                    return commit.date(author_date), commit.sha
            except ValueError:
                continue
    finally:
        contents.close()
    return None


def _check_shallow(
    repo: Repository, commits: list[Commit], start: int | None, author_date: bool, flag: str
) -> int | None:
    """In a shallow clone: :class:`GitError` if ``start`` is before its history; the date
    its history starts at when the whole history is asked for."""
    if not repo.shallow or not commits:
        return None
    oldest = commits[-1].date(author_date)
    if start is not None and start < oldest:
        raise GitError(
            f"{repo.config_dir}: the repository is a shallow clone whose history starts on "
            f"{day(oldest)}, after the {flag} date; run git fetch --unshallow"
        )
    if start is not None:
        return None
    log.warning(
        "%s: shallow clone: the history starts on %s (git fetch --unshallow for the rest)",
        repo.config_dir,
        day(oldest),
    )
    return oldest


def _versions(commits: Iterable[Commit]) -> dict[str, _Versions]:
    found: dict[str, _Versions] = {}
    for commit in reversed(list(commits)):
        for pid, (blob, path) in commit.blobs.items():
            found.setdefault(pid, _Versions(pid)).items.append((commit, blob, path))
    return dict(sorted(found.items()))


def _first_on_or_after(versions: _Versions, start: int | None, author_date: bool) -> int:
    if start is None:
        return 0
    for i, (commit, _, _) in enumerate(versions.items):
        if commit.date(author_date) >= start:
            return i
    return len(versions.items)


@dataclass
class _Walk:
    """Diffs one provider's versions after another."""

    model: str | None
    fields: tuple[str, ...]
    author_date: bool
    shallow: bool
    seen: bool = False
    #: the previous version's entry blocks, so that only changed entries are parsed
    blocks: Blocks = field(default_factory=dict)

    def changes(
        self, versions: _Versions, first: int, contents: Iterator[tuple[str, bytes]]
    ) -> Iterator[FieldChange]:
        """The changes from version ``first`` on (the one before it is the baseline;
        in a shallow clone, the oldest version is); reads ``contents`` in order."""
        previous: dict[str, Any] | None = None if first > 0 or self.shallow else {}
        for commit, blob, _ in versions.items[max(first - 1, 0) :]:
            content = next(contents)[1] if blob is not None else None
            try:
                current = self._read(content)
            except ValueError as exc:
                log.warning(
                    "%s at commit %s cannot be read, skipped: %s",
                    versions.provider,
                    commit.sha[:12],
                    exc,
                )
                continue
            self.seen = self.seen or bool(current)
            if previous is not None:
                yield from self._diff(versions.provider, commit, previous, current)
            previous = current

    def _diff(
        self, provider: str, commit: Commit, old: dict[str, Any], new: dict[str, Any]
    ) -> Iterator[FieldChange]:
        for model_id in [*old, *(k for k in new if k not in old)]:
            for kind, path, a, b, origin, reason in diff_entry(
                old.get(model_id), new.get(model_id)
            ):
                if matches(path, self.fields):
                    date = commit.date(self.author_date)
                    yield FieldChange(
                        date, commit.sha, provider, model_id, kind, path, a, b, origin, reason
                    )

    def _read(self, content: bytes | None) -> dict[str, Any]:
        if content is None:
            return {}
        if self.model is None:
            entries, self.blocks = entries_reusing(content, self.blocks)
            return entries
        entry = model_entry(content, self.model)
        return {} if entry is None else {self.model: entry}


def model_absent(
    config_dir: Path, provider: str, model: str, at: When, *, author_date: bool = False
) -> ModelNotFound:
    """The error for a model not in its provider's file at ``at``: naming the first date
    the files had it, if they ever did."""
    seen = first_seen(config_dir, provider, model, author_date=author_date)
    if seen is None:
        return ModelNotFound(
            f"no model {model!r} in any version of {provider}'s file in {config_dir}"
        )
    when, sha = seen
    return ModelNotFound(
        f"{provider}/{model} was not in {config_dir} at {at}; it first appears on {day(when)} "
        f"(commit {sha[:12]})"
    )


def _no_provider(provider: str, config_dir: Path) -> ProviderNotFound:
    from ..model.configdir import provider_files
    from ..util.suggest import did_you_mean

    return ProviderNotFound(
        f"no provider {provider!r} in the git history of {config_dir}"
        f"{did_you_mean(provider, provider_files(config_dir))}"
    )
