"""On-demand syncs for applications: when did a config directory last sync, and sync it
only when that is too long ago.

Each sync that applied a catalog (not a dry run or check, not a refused catalog)
records when it ran, from which origin and catalog, and with what result, beside the
fingerprints in the cache directory.
:func:`sync_if_needed` reads that small record and returns at once while it is fresh:
no request, no YAML read, nothing heavy imported. When several processes start at once,
one syncs while the others wait for the directory lock and then find the record fresh.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .settings import Settings, settings_for

if TYPE_CHECKING:
    from .report import SyncReport


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
    import hashlib

    real = os.path.realpath(settings.config_path)
    key = hashlib.sha256(real.encode()).hexdigest()[:24]
    return settings.cache_path / "state" / f"{key}.last-sync"


def read(settings: Settings) -> LastSync | None:
    """The recorded last sync, or ``None`` (never synced, cache cleared, unreadable)."""
    try:
        data = json.loads(record_path(settings).read_bytes())
        if data.get("version") != RECORD_VERSION:
            return None
        if data.get("config_dir") != os.path.realpath(settings.config_path):
            return None
        return LastSync(
            at=float(data["at"]),
            origin=str(data["origin"]),
            source=str(data["source"]),
            catalog_sha256=data.get("catalog_sha256"),
            ok=bool(data["ok"]),
            changed_files=int(data["changed_files"]),
            providers=tuple(data.get("providers", ())),
            exclude=tuple(data.get("exclude", ())),
        )
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        _log().debug("ignoring an unreadable last-sync record (%s)", exc)
        return None


def record(settings: Settings, report: SyncReport) -> None:
    """Record a sync that wrote (best effort: a cache that cannot be written costs only
    the next :func:`sync_if_needed` a sync)."""
    from .fsutil import cache_directory_usable, save_json

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


def is_fresh(settings: Settings, max_age: float) -> bool:
    """Whether a successful sync with the same provider filters ran within ``max_age``."""
    last = read(settings)
    return (
        last is not None
        and last.ok
        and last.age < max_age
        and (last.providers, last.exclude) == (settings.providers, settings.exclude)
        and settings.config_path.is_dir()
    )


def _settings(settings: Settings | None, overrides: dict[str, Any]) -> Settings:
    return settings_for(settings, overrides)


def last_sync(*, settings: Settings | None = None, **overrides: Any) -> LastSync | None:
    """When ``config_dir`` last synced, from which origin and catalog, with which result;
    ``None`` if it never did (or the cache was cleared)."""
    return read(_settings(settings, overrides))


def sync_if_needed(
    max_age: float = 86400, *, settings: Settings | None = None, **overrides: Any
) -> SyncReport | None:
    """Sync when the last successful sync of the config directory is older than
    ``max_age`` seconds; else return ``None`` having made no request and read no YAML.

    Safe when several processes call it at once: one syncs, the others wait for the
    directory lock (``lock_timeout``) and return ``None`` once that sync is recorded.
    """
    s = _settings(settings, overrides)
    if max_age > 0 and is_fresh(s, max_age):
        return None
    from .sync import run_unless

    return run_unless(s, lambda: max_age > 0 and is_fresh(s, max_age))
