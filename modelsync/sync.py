"""The sync: catalog in, config files out, with nothing of the user's lost.

Before anything else, the fingerprints of the last sync (:mod:`modelsync.state`) may show
that the catalog and every file are as that sync left them: then the sync is done, having
read no YAML and imported neither requests nor ruamel. Otherwise every provider is planned
in memory (:mod:`modelsync.plan`), then, if the catalog passes the shrink guard, the
changed files are written, each atomically.
"""

from __future__ import annotations

import fnmatch
import logging
import os
import time
from collections.abc import Iterable
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import state as state_mod
from .configdir import check_directory, provider_files, provider_path
from .errors import ConfigError, FetchError, ModelsyncError, ProviderNotFound
from .fetch import Fetched, classify, fetch_url, is_fresh, read_bundled, read_file
from .fsutil import atomic_write, directory_lock, read_config, remove_stale_temporaries
from .report import (
    ADDED,
    CHANGED,
    FAILED,
    SKIPPED,
    UNCHANGED,
    ProviderResult,
    SourceInfo,
    SyncReport,
)
from .settings import Settings
from .state import ProviderState, State, digest, file_signature
from .suggest import did_you_mean

if TYPE_CHECKING:
    from .plan import Plan

log = logging.getLogger(__name__)

#: Warnings about skipped upstream models printed one by one; the rest are counted.
MAX_WARNINGS = 10


# --- selection -------------------------------------------------------------------------


def select(ids: Iterable[str], include: Iterable[str], exclude: Iterable[str]) -> list[str]:
    """Provider ids matching ``include`` (all when empty) and not ``exclude`` (globs).

    An ``include`` pattern that matches nothing raises
    :class:`~modelsync.errors.ProviderNotFound` listing close matches; an ``exclude``
    pattern that matches nothing is only a warning (a provider a team excludes may leave
    the catalog, and the scheduled sync must not start failing then).
    """
    ids = sorted(ids)
    include, exclude = list(include), list(exclude)
    for pattern in include:
        if not fnmatch.filter(ids, pattern):
            raise ProviderNotFound(
                f"--provider {pattern!r} matches no provider{did_you_mean(pattern, ids)}"
            )
    for pattern in exclude:
        if not fnmatch.filter(ids, pattern):
            log.warning("--exclude %r matches no provider%s", pattern, did_you_mean(pattern, ids))
    chosen = [i for i in ids if not include or any(fnmatch.fnmatchcase(i, p) for p in include)]
    return [i for i in chosen if not any(fnmatch.fnmatchcase(i, p) for p in exclude)]


# --- the catalog -----------------------------------------------------------------------


def quick_catalog_sha(settings: Settings, state: State, source: str, offline: bool) -> str | None:
    """The catalog's digest when it is knowable without parsing it or importing requests.

    For a URL: when the last sync fetched it into the HTTP cache, the cache database is
    unchanged since, and the response is still fresh (any age with ``offline``), the
    cache would serve exactly that response.
    """
    recorded = state.source
    kind, location = classify(source)
    if kind == "file":
        sig = file_signature(Path(location))
        if (
            sig is not None
            and recorded.get("kind") == "file"
            and recorded.get("path") == (os.path.realpath(location))
            and recorded.get("signature") == sig
        ):
            return str(recorded.get("sha256"))
        return None
    if recorded.get("kind") != "url" or recorded.get("url") != location:
        return None
    if recorded.get("cache") != file_signature(settings.http_cache_path):
        return None
    expires_at = recorded.get("expires_at")
    if not offline and not is_fresh(float(expires_at) if expires_at else None, settings.cache_ttl):
        return None
    return str(recorded.get("sha256"))


def obtain_catalog(settings: Settings, files: dict[str, Path]) -> Fetched:
    """The catalog from the configured source, with the documented fallbacks."""
    from .catalog import newest_update

    source = settings.source or settings.api_url
    kind, location = classify(source)
    if kind == "file":
        return read_file(location, settings)
    try:
        return fetch_url(location, settings, offline=settings.offline)
    except FetchError as exc:
        reason = str(exc)
    bundled = read_bundled()
    snapshot_newest = newest_update(bundled.catalog) or ""
    from .plan import configs_newest

    newest = configs_newest(files)
    if newest is not None and newest > snapshot_newest:
        raise FetchError(
            f"{reason}; the bundled snapshot ({bundled.snapshot_date}) is older than the "
            f"configs in {settings.config_dir} (newest model update {newest}), so it "
            "was not used and nothing changed"
        )
    log.warning("%s; using the bundled snapshot of %s", reason, bundled.snapshot_date)
    return bundled


def _source_record(settings: Settings, fetched: Fetched) -> dict[str, Any]:
    if fetched.origin == "file":
        return {
            "kind": "file",
            "path": os.path.realpath(fetched.source),
            "signature": file_signature(Path(fetched.source)),
            "sha256": fetched.sha256,
        }
    if fetched.origin in ("network", "revalidated", "cache", "stale-cache"):
        return {
            "kind": "url",
            "url": fetched.source,
            "cache": file_signature(settings.http_cache_path),
            "fetched_at": fetched.fetched_at,
            "expires_at": fetched.expires_at,
            "sha256": fetched.sha256,
        }
    return {"kind": fetched.origin, "sha256": fetched.sha256}


# --- the whole sync --------------------------------------------------------------------


def _shrink_reason(
    settings: Settings,
    catalog: dict[str, Any],
    plans: dict[str, Plan],
    files: dict[str, Path],
    state: State | None,
) -> str | None:
    """Why the catalog looks truncated compared with what the configs hold, if it does."""
    last_providers = last_models = 0
    for provider_id, path in files.items():
        if provider_id in plans:
            count = plans[provider_id].models_before
        else:
            from .plan import models_in_file

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
        return (
            f"the catalog has {new_providers} providers and {new_models} models, the configs "
            f"were synced from {last_providers} and {last_models}: below the threshold of "
            f"{t:.0%} (modelsync.shrink_threshold); pass --allow-shrink to apply it anyway"
        )
    return None


def _noop_report(settings: Settings, state: State, files: dict[str, Path]) -> SyncReport:
    report = SyncReport(
        SourceInfo(
            "cache", state.source.get("url") or state.source.get("path") or "", sha256=state.catalog
        ),
        str(settings.config_path),
    )
    fetched_at = state.source.get("fetched_at")
    if fetched_at:
        report.source.age_seconds = max(0.0, time.time() - float(fetched_at))
    if state.source.get("kind") == "file":
        report.source.origin = "file"
    for provider_id, known in sorted(state.providers.items()):
        path = provider_path(settings.config_path, provider_id, files)
        report.providers.append(
            ProviderResult(
                provider_id,
                UNCHANGED,
                str(path),
                skipped_models=dict(known.skipped),
                in_catalog=known.upstream is not None,
            )
        )
    return report


def _files_match(state: State, files: dict[str, Path]) -> bool:
    recorded = {pid for pid, p in state.providers.items() if p.file is not None}
    if recorded != set(files):
        return False
    for provider_id, path in files.items():
        try:
            if digest(read_config(path)) != state.providers[provider_id].file:
                return False
        except (OSError, ConfigError):
            return False
    return True


def run(
    settings: Settings,
    *,
    dry_run: bool = False,
    check: bool = False,
    allow_shrink: bool = False,
) -> SyncReport:
    """Sync the catalog into ``settings.config_dir``; see :func:`modelsync.sync_to_configs`."""
    writing = not (dry_run or check)
    config_dir = settings.config_path
    created = False
    if config_dir.exists() and not config_dir.is_dir():
        check_directory(config_dir)
    if writing and not config_dir.exists():
        try:
            config_dir.mkdir(parents=True)
        except FileExistsError:
            pass
        except OSError as exc:
            raise ConfigError(f"{config_dir}: cannot create: {exc.strerror or exc}") from None
        else:
            created = True
            log.info("created the config directory %s", config_dir)
    lock = directory_lock(config_dir, settings.lock_timeout) if writing else nullcontext()
    with lock:
        if writing:
            remove_stale_temporaries(config_dir)
        report = _run(
            settings, dry_run=dry_run, check=check, allow_shrink=allow_shrink, writing=writing
        )
    report.created_config_dir = created
    return report


def _run(
    settings: Settings, *, dry_run: bool, check: bool, allow_shrink: bool, writing: bool
) -> SyncReport:
    config_dir = settings.config_path
    state = state_mod.load(settings)
    files = provider_files(config_dir)
    filtered = bool(settings.providers or settings.exclude)
    source = settings.source or settings.api_url

    if state is not None and state.catalog and not filtered:
        sha = quick_catalog_sha(settings, state, source, settings.offline)
        if sha is not None and sha == state.catalog and _files_match(state, files):
            log.info("catalog and all %d files unchanged since the last sync", len(files))
            report = _noop_report(settings, state, files)
            report.dry_run, report.check = dry_run, check
            return report

    fetched = obtain_catalog(settings, files)
    catalog = fetched.catalog
    log.info("catalog: %s (%s), %d providers", fetched.source, fetched.origin, len(catalog))
    report = SyncReport(
        SourceInfo(
            fetched.origin, fetched.source, fetched.age, fetched.snapshot_date, fetched.sha256
        ),
        str(config_dir),
        dry_run=dry_run,
        check=check,
    )
    all_ids = set(catalog) | set(files)
    chosen = select(all_ids, settings.providers, settings.exclude)
    from .catalog import safe_provider_id
    from .plan import Planner

    planner = Planner(settings, state, want_diff=dry_run)
    plans: dict[str, Plan] = {}
    for provider_id in chosen:
        raw = catalog.get(provider_id)
        if not safe_provider_id(provider_id):
            if provider_id in catalog:
                shown = provider_id if len(provider_id) <= 60 else provider_id[:57] + "..."
                report.warnings.append(
                    f"skipped provider {shown!r}: its id is not a safe file name"
                )
                log.warning("skipped provider %r: its id is not a safe file name", shown)
            continue
        plan = planner.plan(provider_id, raw, provider_path(config_dir, provider_id, files))
        plans[provider_id] = plan
        report.providers.append(plan.result)

    skipped = report.skipped_models()
    for provider_id, model_id, reason in skipped[:MAX_WARNINGS]:
        log.warning("skipped model %s/%s: %s", provider_id, model_id, reason)
    if len(skipped) > MAX_WARNINGS:
        log.warning(
            "... and %d more models skipped for bad upstream data (see --json)",
            len(skipped) - MAX_WARNINGS,
        )
    for result in report.by_status(SKIPPED):
        log.warning("skipped provider %s: %s", result.id, result.error)

    if report.changed_files and not allow_shrink:
        shrink = _shrink_reason(settings, catalog, plans, files, state)
        if shrink:
            report.refused = shrink
            return report

    if writing:
        for plan in plans.values():
            result = plan.result
            if result.status in (ADDED, CHANGED) and plan.new is not None:
                try:
                    atomic_write(Path(result.path), plan.new)
                    log.info("wrote %s", result.path)
                except ConfigError as exc:
                    result.status, result.error = FAILED, str(exc)
                    plan.record = False
        _save_state(settings, state, fetched, plans, complete=not filtered)
        _remember_valid(settings, plans)
    for result in report.failed:
        log.error("%s", result.error)
    return report


def _save_state(
    settings: Settings,
    old: State | None,
    fetched: Fetched,
    plans: dict[str, Plan],
    complete: bool,
) -> None:
    new = State(
        config_dir=os.path.realpath(settings.config_path),
        options=state_mod.options_key(settings),
        source=_source_record(settings, fetched),
        providers=dict(old.providers) if old else {},
    )
    all_recorded = True
    for provider_id, plan in plans.items():
        content = plan.new if plan.new is not None else plan.old
        if not plan.record:
            new.providers.pop(provider_id, None)
            all_recorded = False
            continue
        new.providers[provider_id] = ProviderState(
            upstream=plan.upstream_sha,
            file=digest(content) if content is not None else None,
            models=plan.models_after,
            skipped=plan.skipped,
            canonical=plan.canonical,
        )
    for provider_id in list(new.providers):
        if provider_id not in plans and complete:
            new.providers.pop(provider_id)
    new.catalog = fetched.sha256 if complete and all_recorded else None
    state_mod.save(settings, new)


def _remember_valid(settings: Settings, plans: dict[str, Plan]) -> None:
    """Files just written were validated: tell ``invoke validate`` so it need not redo it."""
    from .validate import ValidationCache

    written = [
        p for p in plans.values() if p.result.status in (ADDED, CHANGED) and p.new and p.valid
    ]
    if not written:
        return
    try:
        cache = ValidationCache(settings.cache_path)
    except ModelsyncError:
        return
    for plan in written:
        assert plan.new is not None
        cache.add(ValidationCache.entry(plan.new, plan.result.id))
    cache.save()
