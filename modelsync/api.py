"""The Python API: the same operations as the tasks, for code that wants them.

Every function takes the settings of the ``modelsync`` Invoke namespace as keyword
arguments (``source=``, ``config_dir=``, ``offline=``, ``cache_dir=``...) or a whole
:class:`~modelsync.settings.Settings` as ``settings=``; keywords win.
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import FetchError, ModelNotFound, ProviderNotFound
from .settings import Settings, make_settings

if TYPE_CHECKING:
    from .catalog import Model
    from .fetch import Fetched
    from .report import SyncReport
    from .validate import ValidationResult

log = logging.getLogger(__name__)


def _settings(settings: Settings | None, overrides: dict[str, Any]) -> Settings:
    base = settings if settings is not None else make_settings()
    return base.replace(**overrides)


def _fetch(s: Settings) -> Fetched:
    from .fetch import classify, fetch_url, read_bundled, read_file

    kind, location = classify(s.source or s.api_url)
    if kind == "file":
        return read_file(location, s)
    try:
        return fetch_url(location, s, offline=s.offline)
    except FetchError as exc:
        bundled = read_bundled()
        log.warning("%s; using the bundled snapshot of %s", exc, bundled.snapshot_date)
        return bundled


def _close(name: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(options), n=3, cutoff=0.6)
    return f"; did you mean {', '.join(close)}?" if close else ""


def fetch_all(*, settings: Settings | None = None, **overrides: Any) -> dict[str, list[Model]]:
    """Every provider of the catalog with its models, sorted by id.

    Falls back to the cached catalog, then to the bundled snapshot, when the source
    cannot be reached (with a warning). Models with bad data are skipped with a warning.
    """
    from .catalog import BadData, provider_from_upstream

    s = _settings(settings, overrides)
    catalog = _fetch(s).catalog
    out: dict[str, list[Model]] = {}
    for provider_id in sorted(catalog):
        try:
            provider = provider_from_upstream(provider_id, catalog[provider_id])
        except BadData as exc:
            log.warning("skipped provider %r: %s", provider_id[:60], exc)
            continue
        for model_id, reason in provider.skipped.items():
            log.warning("skipped model %s/%s: %s", provider_id, model_id, reason)
        out[provider_id] = [provider.models[m] for m in sorted(provider.models)]
    return out


def get_model(
    provider: str, model_id: str, *, settings: Settings | None = None, **overrides: Any
) -> Model:
    """One model of the catalog; :class:`ProviderNotFound` / :class:`ModelNotFound` if absent."""
    from .catalog import BadData, provider_from_upstream

    s = _settings(settings, overrides)
    catalog = _fetch(s).catalog
    if provider not in catalog:
        raise ProviderNotFound(
            f"no provider {provider!r} in the catalog{_close(provider, catalog)}"
        )
    try:
        data = provider_from_upstream(provider, catalog[provider])
    except BadData as exc:
        raise ProviderNotFound(f"provider {provider!r} has unusable data: {exc}") from None
    if model_id not in data.models:
        if model_id in data.skipped:
            raise ModelNotFound(
                f"model {provider}/{model_id} has unusable data: {data.skipped[model_id]}"
            )
        raise ModelNotFound(
            f"no model {model_id!r} in provider {provider!r}{_close(model_id, data.models)}"
        )
    return data.models[model_id]


def sync_to_configs(
    *,
    settings: Settings | None = None,
    dry_run: bool = False,
    check: bool = False,
    allow_shrink: bool = False,
    **overrides: Any,
) -> SyncReport:
    """Sync the catalog into the config directory and report what changed.

    ``dry_run`` and ``check`` compute everything and write nothing (``dry_run`` also
    fills each changed provider's ``diff``). Failures of single providers are in the
    report (``report.failed``); failures of the whole sync raise a
    :class:`~modelsync.errors.ModelsyncError`.
    """
    from .sync import run

    s = _settings(settings, overrides)
    return run(s, dry_run=dry_run, check=check, allow_shrink=allow_shrink)


def validate_configs(
    *,
    files: Sequence[str | Path] = (),
    use_cache: bool = True,
    settings: Settings | None = None,
    **overrides: Any,
) -> ValidationResult:
    """Validate the config directory's ``*.yml`` (or ``files``) against the schema."""
    from .validate import ValidationCache, config_files, validate_files

    s = _settings(settings, overrides)
    paths = [Path(f) for f in files] if files else config_files(s.config_path)
    cache = ValidationCache(s.cache_path) if use_cache else None
    return validate_files(paths, cache)


def list_models(
    *,
    providers: Sequence[str] = (),
    capabilities: Sequence[str] = (),
    min_context: int | None = None,
    max_input_price: float | None = None,
    available_only: bool = True,
    sort: str = "id",
    settings: Settings | None = None,
    **overrides: Any,
) -> list[Model]:
    """Models of the synced config files that match every filter, sorted by ``sort``."""
    from .query import query

    s = _settings(settings, overrides)
    return query(
        s.config_path,
        providers=providers,
        capabilities=capabilities,
        min_context=min_context,
        max_input_price=max_input_price,
        available_only=available_only,
        sort=sort,
    )


def clear_cache(
    *, only_config_dir: bool = False, settings: Settings | None = None, **overrides: Any
) -> list[str]:
    """Remove modelsync's cached responses, sync state and validation results.

    ``only_config_dir``: of the sync state, remove only that of ``config_dir`` (the HTTP
    cache and the validation results are shared by all config directories and go too).
    Returns a description of each thing removed.
    """
    import shutil

    from .state import state_dir, state_path

    s = _settings(settings, overrides)
    removed: list[str] = []
    http_cache = s.http_cache_path
    if http_cache.exists():
        size = http_cache.stat().st_size
        responses = _count_responses(http_cache)
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(str(http_cache) + suffix).unlink(missing_ok=True)
        what = (
            f"{responses} cached response{'s' if responses != 1 else ''}"
            if (responses is not None)
            else "the HTTP cache"
        )
        removed.append(f"{what} ({size / 1e6:.1f} MB, {http_cache})")
    states = state_dir(s)
    if only_config_dir:
        own = state_path(s)
        if own.exists():
            own.unlink()
            removed.append(f"sync state of {s.config_path}")
    elif states.is_dir():
        count = len(list(states.glob("*.json")))
        shutil.rmtree(states)
        removed.append(f"sync state of {count} config director{'y' if count == 1 else 'ies'}")
    validated = s.cache_path / "validated.json"
    if validated.exists():
        validated.unlink()
        removed.append("validation results")
    return removed


def _count_responses(path: Path) -> int | None:
    import sqlite3

    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = con.execute("SELECT COUNT(*) FROM responses").fetchone()
        finally:
            con.close()
        return int(row[0])
    except sqlite3.Error:
        return None
