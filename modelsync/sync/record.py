"""The record of a config directory's last successful sync, beside its fingerprints in
the cache directory: written by every sync that wrote, read by :func:`sync_if_needed`
(which must stay cheap: nothing heavy is imported here)."""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..settings import Settings

if TYPE_CHECKING:
    from ..report.types import SyncReport


def _log() -> Any:
    """This module's logger (``logging`` is imported only when there is something to log:
    the fresh path of :func:`sync_if_needed` is measured against a bare import)."""
    import logging

    return logging.getLogger(__name__)


RECORD_VERSION = 1


@dataclass(frozen=True)
class LastSync:
    """The last successful sync of a config directory."""

    #: When it finished, in seconds since the epoch (UTC).
    at: float
    #: Where the catalog came from: network, revalidated, cache, stale-cache, bundled, file.
    origin: str
    #: The catalog's URL or path (or the bundled snapshot's name).
    source: str
    #: SHA-256 of the catalog it applied.
    catalog_sha256: str | None
    #: Whether every provider synced (a refused catalog is never recorded).
    ok: bool
    #: Files written by that sync.
    changed_files: int
    #: The provider filters it ran with (``providers``, ``exclude`` settings).
    providers: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    @property
    def age(self) -> float:
        """Seconds since that sync."""
        return max(0.0, time.time() - self.at)


def record_path(settings: Settings) -> Path:
    """Where the last sync of ``settings.config_dir`` is recorded."""
    from ..model.configdir import state_file

    return state_file(settings, ".last-sync")


def read(settings: Settings) -> LastSync | None:
    """The recorded last sync, or ``None`` (never synced, cache cleared, unreadable,
    corrupt: a record of the wrong shape is warned about once and treated as missing)."""
    from ..util.cachefile import warn_corrupt

    path = record_path(settings)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        _log().debug("ignoring an unreadable last-sync record (%s)", exc)
        return None
    try:
        return _parse(json.loads(raw), settings)
    except (ValueError, RecursionError) as exc:  # not JSON, or cachefile.Corrupt
        warn_corrupt(_log(), "last-sync record", path, exc)
        return None


def _parse(data: Any, settings: Settings) -> LastSync | None:
    """The record, checked value by value (``cachefile``); ``None`` when it is of
    another version or another directory (not corrupt, just not ours)."""
    from ..util.cachefile import boolean, integer, mapping, moment, optional_string, string, strings

    data = mapping(data, "the record")
    if data.get("version") != RECORD_VERSION:
        return None
    if data.get("config_dir") != os.path.realpath(settings.config_path):
        return None
    return LastSync(
        at=moment(data.get("at"), "at"),
        origin=string(data.get("origin"), "origin"),
        source=string(data.get("source"), "source"),
        catalog_sha256=optional_string(data.get("catalog_sha256"), "catalog_sha256"),
        ok=boolean(data.get("ok"), "ok"),
        changed_files=integer(data.get("changed_files"), "changed_files"),
        providers=tuple(strings(data.get("providers", []), "providers")),
        exclude=tuple(strings(data.get("exclude", []), "exclude")),
    )


def record(settings: Settings, report: SyncReport) -> None:
    """Record a sync that wrote (best effort: a cache that cannot be written costs only
    the next :func:`sync_if_needed` a sync)."""
    from ..util.fsutil import cache_directory_usable, save_json

    path = record_path(settings)
    if not cache_directory_usable(settings.cache_path):
        return
    entry = LastSync(
        at=time.time(),
        origin=report.source.origin,
        source=report.source.source,
        catalog_sha256=report.source.sha256,
        ok=report.ok,
        changed_files=len(report.changed_files),
        providers=settings.providers,
        exclude=settings.exclude,
    )
    data: dict[str, Any] = {
        "version": RECORD_VERSION,
        "config_dir": os.path.realpath(settings.config_path),
        **asdict(entry),
    }
    save_json(path, data, failure="could not record the sync in %s (%s)", logger=_log())
