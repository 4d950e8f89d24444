"""Files: atomic writes and the per-directory sync lock."""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from .errors import ConfigError, LockError

log = logging.getLogger(__name__)

TEMP_PREFIX = ".modelsync-"


def atomic_write(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data``: a crash leaves the old file or the new one.

    The data goes to a temporary file in the same directory, is flushed to disk, then
    renamed over ``path``. The file keeps the permissions of the one it replaces. A
    symlink at ``path`` is refused rather than followed or replaced.
    """
    if path.is_symlink():
        raise ConfigError(
            f"{path}: is a symlink; modelsync does not write through links", path=str(path)
        )
    try:
        mode = path.stat().st_mode & 0o7777
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
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise ConfigError(
                f"{path}: cannot write: {exc.strerror or exc}", path=str(path)
            ) from None
        raise
    _fsync_dir(path.parent)


def _fsync_dir(directory: Path) -> None:
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
