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

from typing import TYPE_CHECKING, Any

from ..settings import Settings, settings_for
from .record import LastSync, read

if TYPE_CHECKING:
    from ..report.types import SyncReport


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
    from .run import run_unless

    return run_unless(s, lambda: max_age > 0 and is_fresh(s, max_age))
