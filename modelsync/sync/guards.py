"""The guards a catalog must pass before it is applied, whatever its source.

- **older**: the catalog's newest ``last_updated`` is older than the configs' (the newest
  ``last_updated`` of their available managed models, i.e. the date of the catalog they
  were synced from). A stale mirror, an old file or a CDN serving an old copy would
  otherwise roll prices and availability back. ``--allow-older`` applies it anyway.
- **shrink**: the catalog has fewer than ``shrink_threshold`` of the providers or models
  the configs were synced from (a truncated download). ``--allow-shrink`` applies it.

A refused catalog changes nothing; the report carries ``refused`` (one line) and
``refusal`` (the guard and its figures).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError
from ..settings import Settings
from .state import State

if TYPE_CHECKING:
    from .plan import Plan


@dataclass(frozen=True)
class Refusal:
    message: str
    details: dict[str, Any] = field(default_factory=dict)


def older(catalog_newest: str | None, plans: dict[str, Plan], where: str) -> Refusal | None:
    """Why the catalog would roll the planned configs back, if it would.

    Only providers of the catalog count: one that left it cannot be rolled back by it
    (and a truncated catalog is the shrink guard's to judge).
    """
    configs = max(
        (p.newest_before for p in plans.values() if p.newest_before and p.result.in_catalog),
        default=None,
    )
    if catalog_newest is None or configs is None or catalog_newest >= configs:
        return None
    return Refusal(
        f"the catalog ({where}) is older than the configs: its newest model update is "
        f"{catalog_newest}, the configs' is {configs}; pass --allow-older to apply it anyway",
        {"guard": "older", "catalog_updated": catalog_newest, "configs_updated": configs},
    )


def shrink(
    settings: Settings,
    catalog: dict[str, Any],
    plans: dict[str, Plan],
    files: dict[str, Path],
    state: State | None,
) -> Refusal | None:
    """Why the catalog looks truncated compared with what the configs hold, if it does."""
    last_providers = last_models = 0
    for provider_id, path in files.items():
        if provider_id in plans:
            count = plans[provider_id].models_before
        else:
            count = models_in_file(path, state, provider_id)
        last_models += count
        last_providers += count > 0
    if not last_models:
        return None
    new_providers = sum(
        1
        for pid, p in catalog.items()
        if isinstance(p, dict) and isinstance(p.get("models"), dict) and p["models"]
    )
    new_models = sum(
        len(p["models"])
        for p in catalog.values()
        if isinstance(p, dict) and isinstance(p.get("models"), dict)
    )
    t = settings.shrink_threshold
    if new_providers < t * last_providers or new_models < t * last_models:
        return Refusal(
            f"the catalog has {new_providers} providers and {new_models} models, the configs "
            f"were synced from {last_providers} and {last_models}: below the threshold of "
            f"{t:.0%} (modelsync.shrink_threshold); pass --allow-shrink to apply it anyway",
            {
                "guard": "shrink",
                "catalog_providers": new_providers,
                "catalog_models": new_models,
                "configs_providers": last_providers,
                "configs_models": last_models,
                "threshold": t,
            },
        )
    return None


def models_in_file(path: Path, state: State | None, provider_id: str) -> int:
    """How many managed models a provider file lists as available (0 for a file that
    cannot be read or parsed); from the fingerprints when the file is as the last sync
    left it, so that the file is not parsed."""
    from .. import yamlio
    from ..model.ownership import managed_available
    from ..util.digests import digest
    from ..util.fsutil import read_config

    try:
        content = read_config(path)
    except (OSError, ConfigError):
        return 0
    known = state.providers.get(provider_id) if state else None
    if known is not None and known.file == digest(content):
        return known.models
    try:
        return managed_available(yamlio.load(content))
    except yamlio.YamlError:
        return 0
