"""The Python API: the same operations as the tasks, for code that wants them.

Every function takes the settings of the ``modelsync`` Invoke namespace as keyword
arguments (``source=``, ``config_dir=``, ``offline=``, ``cache_dir=``...) or a whole
:class:`~modelsync.settings.Settings` as ``settings=``; keywords win.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ConfigError, ModelNotFound, ProviderNotFound
from .settings import Settings, resolve_path, settings_for

if TYPE_CHECKING:
    from .checks.validate import ValidationResult
    from .model.catalog import Model
    from .report.types import SyncReport
    from .upstream.fetch import Fetched

log = logging.getLogger(__name__)


def _settings(settings: Settings | None, overrides: dict[str, Any]) -> Settings:
    return settings_for(settings, overrides)


def _fetch(s: Settings) -> Fetched:
    """The catalog as a sync would obtain it (:func:`modelsync.sync.source.obtain`)."""
    from .sync.source import obtain

    return obtain(s)


def _close(name: str, options: Iterable[str]) -> str:
    from .util.suggest import did_you_mean

    return did_you_mean(name, options)


def fetch_all(*, settings: Settings | None = None, **overrides: Any) -> dict[str, list[Model]]:
    """Every provider of the catalog with its models, sorted by id.

    Falls back to the cached catalog when the source cannot be reached, then, for the
    default source (``api_url``) or offline, to the bundled snapshot (with a warning); a
    named ``source=`` that fails raises :class:`~modelsync.errors.FetchError`. Within one
    process a failing source is tried once per ``cache_ttl``. Models with bad data are
    skipped with a warning.
    """
    from .model.catalog import BadData
    from .model.mapping import provider_from_upstream

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
    from .model.catalog import BadData
    from .model.mapping import provider_from_upstream

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
    allow_older: bool = False,
    **overrides: Any,
) -> SyncReport:
    """Sync the catalog into the config directory and report what changed.

    ``dry_run`` and ``check`` compute everything and write nothing (``dry_run`` also
    fills each changed provider's ``diff``). Failures of single providers are in the
    report (``report.failed``); failures of the whole sync raise a
    :class:`~modelsync.errors.ModelsyncError`. A catalog older than the configs, or much
    smaller, is not applied unless ``allow_older`` / ``allow_shrink``: that does not
    raise, the report comes back with ``refused`` set (``ok`` false), nothing written,
    ``changed_files`` and the counts empty, and the files it would have written in
    ``refusal["would_change"]``.
    """
    from .sync.run import run

    s = _settings(settings, overrides)
    return run(s, dry_run=dry_run, check=check, allow_shrink=allow_shrink, allow_older=allow_older)


def validate_configs(
    *,
    files: Sequence[str | Path] = (),
    use_cache: bool = True,
    allow_empty: bool = False,
    strict: bool = False,
    settings: Settings | None = None,
    **overrides: Any,
) -> ValidationResult:
    """Validate the config directory's provider files (or ``files``) against the schema.

    A missing config directory, or one that is not a directory, raises
    :class:`~modelsync.errors.UsageError`; one without provider files raises
    :class:`~modelsync.errors.ConfigError` unless ``allow_empty`` (a check that checked
    nothing must not pass). ``strict``: warnings (a ``default_model`` that is missing,
    unavailable or deprecated) count as errors.
    """
    from .checks.validate import ValidationCache, validate_files
    from .model.configdir import check_directory, provider_files

    s = _settings(settings, overrides)
    if files:
        root = Path(s.root) if s.root else Path.cwd()
        paths = [Path(resolve_path(str(f), root)) for f in files]
    else:
        check_directory(s.config_path)
        paths = list(provider_files(s.config_path).values())
        if not paths and not allow_empty:
            raise ConfigError(
                f"{s.config_path}: no provider files (*.yml, *.yaml) to validate; "
                "pass --allow-empty if that is intended"
            )
    cache = ValidationCache(s.cache_path, s.user_keys) if use_cache else None
    return validate_files(paths, cache, s.user_keys, strict=strict)


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
    from .use.query import query

    s = _settings(settings, overrides)
    return query(
        s.config_path,
        cache_dir=s.cache_path,
        providers=providers,
        capabilities=capabilities,
        min_context=min_context,
        max_input_price=max_input_price,
        available_only=available_only,
        sort=sort,
    )


def clear_cache(
    *,
    all_projects: bool = False,
    only_config_dir: bool = False,
    settings: Settings | None = None,
    **overrides: Any,
) -> list[str]:
    """Forget what modelsync remembers about this project's config directory: its sync
    state and last-sync record, its catalog index, the validation results of its files;
    and empty the HTTP cache of the catalog.

    The HTTP cache holds the catalog, the same for every project, and stays one cache
    shared by all: emptying it costs other projects a download, never their state.
    ``all_projects``: forget the state, indexes and validation results of every config
    directory on the machine (that use this cache directory). ``only_config_dir`` is
    accepted for compatibility: it is what happens without ``all_projects``. Returns a
    description of each thing removed.
    """
    del only_config_dir  # the default now
    s = _settings(settings, overrides)
    try:
        return _clear(s, all_projects)
    except OSError as exc:
        where = exc.filename or s.cache_path
        raise ConfigError(f"{where}: cannot remove: {exc.strerror or exc}") from None


def _clear(s: Settings, all_projects: bool) -> list[str]:
    from .sync.record import record_path
    from .sync.state import state_dir, state_path
    from .upstream.cacheclear import clear_http_cache, remove_files

    removed: list[str] = []
    http_cache = clear_http_cache(s.http_cache_path)
    if http_cache:
        removed.append(f"{http_cache}, shared by every project")
    if all_projects:
        count = remove_files(state_dir(s), ".json")
        remove_files(state_dir(s), ".last-sync")
        if count:
            removed.append(f"sync state of {_directories(count)}")
    else:
        record_path(s).unlink(missing_ok=True)
        with contextlib.suppress(FileNotFoundError):
            state_path(s).unlink()
            removed.append(f"sync state of {s.config_path}")
    removed.extend(_clear_indexes(s, all_projects))
    removed.extend(_clear_validation(s, all_projects))
    if all_projects:
        from .projectfile import memo_dir

        remove_files(memo_dir(), ".json")
    return removed


def _directories(count: int) -> str:
    return f"{count} config director{'y' if count == 1 else 'ies'}"


def _clear_validation(s: Settings, all_projects: bool) -> list[str]:
    """Remove the validation results (all, or those of the config directory's files)."""
    path = s.cache_path / "validated.json"
    if all_projects:
        try:
            path.unlink()
        except FileNotFoundError:
            return []
        return ["validation results"]
    from .checks.validate import ValidationCache
    from .errors import ModelsyncError
    from .model.configdir import provider_files
    from .util.fsutil import read_config, save_json

    try:
        data = json.loads(path.read_bytes())
        valid = list(data["valid"])
    except FileNotFoundError:
        return []
    except (OSError, ValueError, KeyError, TypeError):
        path.unlink(missing_ok=True)  # unreadable: nobody can use it
        return ["validation results"]
    try:
        files = provider_files(s.config_path)
    except ModelsyncError:
        files = {}
    own = set()
    for provider_id, file in files.items():
        try:
            own.add(ValidationCache.entry(read_config(file), provider_id))
        except (OSError, ModelsyncError):
            continue
    kept = [entry for entry in valid if entry not in own]
    if len(kept) == len(valid):
        return []
    save_json(path, {**data, "valid": kept}, failure="could not save %s (%s)", logger=log)
    return [f"validation results of {s.config_path}"]


def _clear_indexes(s: Settings, all_projects: bool) -> list[str]:
    """Remove the catalog indexes (all, or only the config directory's)."""
    from .upstream.cacheclear import remove_files
    from .use.index import index_path

    own = index_path(s.cache_path, s.config_path)
    if not all_projects:
        try:
            own.unlink()
        except FileNotFoundError:
            return []
        return [f"catalog index of {s.config_path}"]
    count = remove_files(own.parent, ".json")
    return [f"catalog index of {_directories(count)}"] if count else []
