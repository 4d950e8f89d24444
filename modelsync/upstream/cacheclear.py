"""Clearing the cache directory safely while other modelsync processes use it.

The HTTP cache is an SQLite database that a running sync may hold open: deleting the
file under it would send that sync's writes to a file nobody will read again, and a
journal deleted mid-transaction can leave a corrupt database behind. So the responses are
deleted through SQLite, under its locks; only a file that is not a database at all is
deleted. Files that another ``clear-cache`` removed first are simply gone: no error.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
from pathlib import Path

from ..errors import ModelsyncError

log = logging.getLogger(__name__)

#: The tables of requests-cache's SQLite backend.
TABLES = ("responses", "redirects")
#: Seconds to wait for a sync that is writing the cache.
BUSY_TIMEOUT = 10.0


def clear_http_cache(path: Path) -> str | None:
    """Empty the HTTP cache at ``path``; a description of what was removed, or ``None``."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return None
    try:
        count = _delete_rows(path)
    except FileNotFoundError:
        return None
    except sqlite3.OperationalError as exc:  # locked past the timeout, read-only...
        raise ModelsyncError(f"{path}: cannot clear the HTTP cache: {exc}") from None
    except sqlite3.DatabaseError as exc:
        log.debug("HTTP cache %s is not a usable database (%s); deleting it", path, exc)
        delete_database(path)
        return f"the HTTP cache ({size / 1e6:.1f} MB, {path})"
    if not count:
        return None
    return f"{count} cached response{'s' if count != 1 else ''} ({size / 1e6:.1f} MB, {path})"


def delete_database(path: Path) -> None:
    """Delete an SQLite database that is not usable, with its journal and WAL files."""
    for suffix in ("", "-journal", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def _delete_rows(path: Path) -> int:
    """Delete every cached response in one transaction; the number deleted."""
    if not path.exists():
        raise FileNotFoundError(path)
    # mode=rw: never create a database that another clear-cache has just removed.
    con = sqlite3.connect(f"file:{path}?mode=rw", uri=True, timeout=BUSY_TIMEOUT)
    try:
        existing = {
            row[0] for row in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        tables = [t for t in TABLES if t in existing]
        with con:  # one transaction
            count = sum(
                int(con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0])
                for t in tables
                if t == "responses"
            )
            for table in tables:
                con.execute(f"DELETE FROM {table}")
        with contextlib.suppress(sqlite3.OperationalError):  # busy: the space waits
            con.execute("VACUUM")
        return count
    except sqlite3.OperationalError as exc:
        if "unable to open" in str(exc) and not path.exists():
            raise FileNotFoundError(path) from None
        raise
    finally:
        con.close()


def remove_files(directory: Path, pattern_suffix: str) -> int:
    """Remove the files of ``directory`` ending in ``pattern_suffix``, then the directory
    if it is empty; the number this call removed (another process may remove some)."""
    try:
        entries = list(os.scandir(directory))
    except (FileNotFoundError, NotADirectoryError):
        return 0
    removed = 0
    for entry in entries:
        if entry.name.endswith(pattern_suffix):
            try:
                os.unlink(entry.path)
                removed += 1
            except FileNotFoundError:
                continue
    with contextlib.suppress(OSError):
        directory.rmdir()
    return removed
