"""Files: safe reads, atomic writes and the per-directory sync lock."""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import stat
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from ..errors import ConfigError, FetchError, LockError

log = logging.getLogger(__name__)

TEMP_PREFIX = ".modelsync-"

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class UnsafeFile(ConfigError):
    """A provider file that is not a regular file (a symlink, a FIFO, a device...).

    The message does not name the file; the caller puts its path first.
    """


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def read_config(path: Path) -> bytes:
    """The content of a provider file, which must be a regular file.

    A symlink (which could point at a secret outside the repository) and anything that
    is not a regular file (a FIFO would block forever, a device never ends) raise
    :class:`UnsafeFile` and are never opened for reading. ``FileNotFoundError`` and other
    ``OSError`` pass through.
    """
    if path.is_symlink():
        raise UnsafeFile(
            "is a symlink; modelsync does not read or write through links (left as it is)",
            path=str(path),
        )
    mode = path.stat().st_mode
    if not stat.S_ISREG(mode):
        raise UnsafeFile(
            f"is {_kind(mode)}, not a regular file; modelsync reads only regular files "
            "(left as it is)",
            path=str(path),
        )
    # Replaced by a link or a FIFO since? O_NOFOLLOW fails, O_NONBLOCK never waits.
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UnsafeFile("is a symlink; modelsync does not read through links") from None
        raise
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise UnsafeFile("is not a regular file; modelsync reads only regular files")
        return fh.read()


def read_config_file(path: Path) -> bytes:
    """:func:`read_config` for a task that reads a provider file to use it (``models``,
    ``live``...): every failure is one :class:`~modelsync.errors.ConfigError` whose
    message starts with the path."""
    try:
        return read_config(path)
    except UnsafeFile as exc:
        raise ConfigError(f"{path}: {exc}", path=str(path)) from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}", path=str(path)) from None


def read_bounded(path: str, limit: int, timeout: float) -> bytes:
    """Read ``path``, whatever it is, within ``limit`` bytes and ``timeout`` seconds.

    A regular file larger than ``limit`` is refused before reading; anything else
    (``/dev/stdin``, a pipe, a FIFO, ``/dev/zero``) is read as it comes, at most
    ``limit`` bytes, and waited for at most ``timeout`` seconds in all. Raises
    :class:`~modelsync.errors.FetchError` naming the setting that was exceeded.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise FetchError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        return _read_fd(fd, path, limit, timeout)
    except OSError as exc:
        raise FetchError(f"cannot read {path}: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def _read_fd(fd: int, path: str, limit: int, timeout: float) -> bytes:
    import select

    mode = os.fstat(fd).st_mode
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR))
    too_large = f"exceeds the limit of {limit:,} bytes (modelsync.max_response_bytes)"
    regular = stat.S_ISREG(mode)
    if regular:
        size = os.fstat(fd).st_size
        if size > limit:
            raise FetchError(f"{path}: {size:,} bytes {too_large}")
    poller = None if regular or not hasattr(select, "poll") else select.poll()
    if poller is None:
        os.set_blocking(fd, True)
    else:
        poller.register(fd, select.POLLIN)
    end = time.monotonic() + timeout
    body = bytearray()
    while True:
        if poller is not None:
            remaining = end - time.monotonic()
            if remaining <= 0 or not poller.poll(remaining * 1000):
                raise FetchError(
                    f"{path}: nothing more to read within {timeout:g} s (modelsync.fetch_deadline)"
                )
        try:
            chunk = os.read(fd, min(1 << 20, limit + 1 - len(body)))
        except BlockingIOError:
            continue
        if not chunk:
            return bytes(body)
        body += chunk
        if len(body) > limit:
            raise FetchError(f"{path}: {too_large}")


def atomic_write(path: Path, data: bytes, *, sync_dir: bool = True) -> None:
    """Replace ``path`` with ``data``: a crash leaves the old file or the new one.

    The data goes to a temporary file in the same directory, is flushed to disk, then
    renamed over ``path``. The file keeps the permissions of the one it replaces, and its
    owner and group where the process may set them (root may; another user may keep a
    group it belongs to). A symlink at ``path`` is refused rather than followed or
    replaced. ``sync_dir=False`` leaves flushing the directory (which makes the rename
    durable) to the caller, who may write many files first and flush it once.
    """
    if path.is_symlink():
        raise ConfigError(
            f"{path}: is a symlink; modelsync does not write through links", path=str(path)
        )
    owner: tuple[int, int] | None = None
    try:
        st = path.stat()
        mode, owner = st.st_mode & 0o7777, (st.st_uid, st.st_gid)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    try:
        fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot write: {exc.strerror or exc}", path=str(path)) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            if owner is not None:
                _keep_owner(fh.fileno(), owner, path)
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)  # after a chown, which clears set-id bits
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise ConfigError(
                f"{path}: cannot write: {exc.strerror or exc}", path=str(path)
            ) from None
        raise
    if sync_dir:
        fsync_dir(path.parent)


def _keep_owner(fd: int, owner: tuple[int, int], path: Path) -> None:
    """Give the new file the owner and group of the old one, as far as allowed."""
    if not hasattr(os, "fchown"):  # pragma: no cover - Windows
        return
    st = os.fstat(fd)
    if (st.st_uid, st.st_gid) == owner:
        return
    for uid, gid in (owner, (-1, owner[1])):
        try:
            os.fchown(fd, uid, gid)
            return
        except OSError:
            continue
    log.debug("%s: cannot keep its owner and group %d:%d", path, *owner)


def fsync_dir(directory: Path) -> None:
    """Flush a directory's entries (renames in it) to disk, best effort."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def remove_stale_temporaries(directory: Path) -> None:
    """Remove temporary files that a killed sync left behind.

    Called with the directory lock held: no other sync can be writing one now.
    """
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith(TEMP_PREFIX) and entry.name.endswith(".tmp"):
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
                log.debug("removed %s, left by an interrupted sync", entry.path)


@contextlib.contextmanager
def directory_lock(directory: Path, timeout: float) -> Iterator[None]:
    """Hold an exclusive lock on ``directory`` (``flock`` on the directory itself).

    A second sync on the same directory waits up to ``timeout`` seconds, then fails with
    :class:`~modelsync.errors.LockError`. Nothing is created in the directory, and the
    lock is released by the kernel if the process dies.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no lock
        log.debug("no fcntl: syncs of %s are not serialised", directory)
        yield
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                    raise
                if time.monotonic() >= deadline:
                    raise LockError(
                        f"{directory}: another modelsync sync is running on it "
                        f"(waited {timeout:g} s; modelsync.lock_timeout)"
                    ) from None
                time.sleep(0.1)
        yield
    finally:
        os.close(fd)


_UNUSABLE: dict[str, str] = {}


def cache_directory_usable(directory: Path) -> bool:
    """Whether the cache directory exists (creating it) and is writable.

    A cache can never break the tool: when it is unusable, this warns once per process
    and directory, and the callers go on without it.
    """
    key = str(directory)
    if key in _UNUSABLE:
        return False
    try:
        directory.mkdir(parents=True, exist_ok=True)
        if not os.access(directory, os.W_OK | os.X_OK):
            raise PermissionError(errno.EACCES, "not writable")
    except OSError as exc:
        _UNUSABLE[key] = exc.strerror or str(exc)
        log.warning(
            "cache directory %s is unusable (%s); going on without the HTTP cache and the "
            "sync fingerprints",
            directory,
            _UNUSABLE[key],
        )
        return False
    return True


def save_json(
    path: Path,
    data: object,
    *,
    failure: str,
    logger: logging.Logger | None = None,
    level: int = logging.WARNING,
    compact: bool = False,
    ensure_ascii: bool = True,
) -> bool:
    """Write ``data`` as JSON to ``path`` through a temporary file and a rename, best
    effort: for caches and records whose loss costs only speed.

    A failure is logged with ``failure`` (a format with the path and the reason, e.g.
    ``"could not save sync state %s (%s)"``) at ``level`` and never raised; no temporary
    file is left. Returns whether the file was written.
    """
    tmp = None
    separators = (",", ":") if compact else None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, separators=separators, ensure_ascii=ensure_ascii)
        os.replace(tmp, path)
        tmp = None
        return True
    except OSError as exc:
        (logger or log).log(level, failure, path, exc)
        return False
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def file_signature(path: Path) -> list[int] | None:
    """Inode, size, mtime and ctime: an edit in place that keeps the size and sets the
    mtime back (``touch -r``) still moves the ctime, which no one can set."""
    try:
        st = path.stat()
    except OSError:
        return None
    return [st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]


#: Seconds since a file's last change (mtime and ctime) after which its signature is
#: trusted: a file changed within the same tick of the file system's clock as it was
#: recorded could keep its signature; one left alone for this long cannot.
SETTLED = 2.0


def settled_signature(path: Path, now: float) -> list[int] | None:
    """The file's signature, if it last changed at least :data:`SETTLED` seconds before
    ``now`` (else ``None``: only its content can tell)."""
    found = file_signature(path)
    if found is None or now - max(found[2], found[3]) / 1e9 < SETTLED:
        return None
    return found
