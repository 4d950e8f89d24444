"""The sync: catalog in, config files out, with nothing of the user's lost.

Before anything else, the fingerprints of the last sync (:mod:`modelsync.sync.state`) may show
that the catalog and every file are as that sync left them: then the sync is done, having
read no YAML and imported neither requests nor ruamel, and its report is rebuilt from
what the state kept (the same report the full path gives). Otherwise the catalog is
obtained (:mod:`modelsync.sync.source`), every provider is planned in memory
(:mod:`modelsync.sync.plan`), then, if the catalog passes the guards (:mod:`modelsync.sync.guards`:
not older than the configs, not shrunk), the changed files are written, each atomically.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError, ModelsyncError
from ..model.configdir import (
    check_directory,
    check_not_mistyped,
    provider_files,
    provider_path,
    select,
)
from ..report.types import FAILED, SKIPPED, UNCHANGED, SyncReport
from ..settings import Settings
from ..util.fsutil import atomic_write, directory_lock, fsync_dir, remove_stale_temporaries
from . import fingerprints
from . import source as source_mod
from . import state as state_mod
from .record import record
from .state import State

if TYPE_CHECKING:
    from .guards import Refusal
    from .plan import Plan

log = logging.getLogger(__name__)

#: Warnings about skipped upstream models printed one by one; the rest are counted.
MAX_WARNINGS = 10


# --- selection -------------------------------------------------------------------------


def run(
    settings: Settings,
    *,
    dry_run: bool = False,
    check: bool = False,
    allow_shrink: bool = False,
    allow_older: bool = False,
) -> SyncReport:
    """Sync the catalog into ``settings.config_dir``; see :func:`modelsync.sync_to_configs`."""
    report = _locked_run(
        settings,
        dry_run=dry_run,
        check=check,
        allow_shrink=allow_shrink,
        allow_older=allow_older,
    )
    assert report is not None
    return report


def run_unless(settings: Settings, done: Callable[[], bool]) -> SyncReport | None:
    """Sync, unless ``done()`` says so once the directory lock is held (another process
    synced while this one waited for it)."""
    return _locked_run(
        settings, dry_run=False, check=False, allow_shrink=False, allow_older=False, unless=done
    )


def _prepare(config_dir: Path, writing: bool) -> bool:
    """Check the config directory; create it for a writing sync. Whether it was created."""
    if config_dir.exists() and not config_dir.is_dir():
        check_directory(config_dir)
    check_not_mistyped(config_dir)
    if not writing or config_dir.exists():
        return False
    try:
        config_dir.mkdir(parents=True)
    except FileExistsError:
        return False
    except OSError as exc:
        raise ConfigError(f"{config_dir}: cannot create: {exc.strerror or exc}") from None
    log.info("created the config directory %s", config_dir)
    return True


def _locked_run(
    settings: Settings,
    *,
    dry_run: bool,
    check: bool,
    allow_shrink: bool,
    allow_older: bool,
    unless: Callable[[], bool] | None = None,
) -> SyncReport | None:
    writing = not (dry_run or check)
    config_dir = settings.config_path
    created = _prepare(config_dir, writing)
    lock = directory_lock(config_dir, settings.lock_timeout) if writing else nullcontext()
    with lock:
        if unless is not None and unless():
            return None
        if writing:
            remove_stale_temporaries(config_dir)
        try:
            report = _run(
                settings,
                dry_run=dry_run,
                check=check,
                allow_shrink=allow_shrink,
                allow_older=allow_older,
                writing=writing,
            )
        except BaseException:
            # Ctrl-C or SIGTERM may land between the creation of a temporary file and
            # the code that would remove it; with the lock still held, any left is ours.
            if writing:
                remove_stale_temporaries(config_dir)
            raise
        if writing and report.refused is None:  # a refused sync wrote nothing
            record(settings, report)
    report.created_config_dir = created
    return report


def _run(
    settings: Settings,
    *,
    dry_run: bool,
    check: bool,
    allow_shrink: bool,
    allow_older: bool,
    writing: bool,
) -> SyncReport:
    config_dir = settings.config_path
    state = state_mod.load(settings)
    files = provider_files(config_dir)
    filtered = bool(settings.providers or settings.exclude)
    if not filtered:
        unchanged = fingerprints.unchanged_report(settings, state, files, record=writing)
        if unchanged is not None:
            unchanged.dry_run, unchanged.check = dry_run, check
            return unchanged

    from ..model.catalog import newest_update

    fetched = source_mod.obtain(settings)
    newest = newest_update(fetched.catalog)
    log.info("catalog: %s (%s), %d providers", fetched.source, fetched.origin, len(fetched.catalog))
    report = SyncReport(
        source_mod.info(fetched, newest), str(config_dir), dry_run=dry_run, check=check
    )
    plans = _plan_providers(settings, state, fetched.catalog, files, report)
    _log_skipped(report)
    if report.changed_files:
        from . import guards

        refusal = None if allow_older else guards.older(newest, plans, fetched.source)
        if refusal is None and not allow_shrink:
            refusal = guards.shrink(settings, fetched.catalog, plans, files, state)
        if refusal is not None:
            _refuse(report, refusal)
            return report

    if writing:
        _write(plans)
        fingerprints.save(settings, state, fetched, plans, report, complete=not filtered)
        _remember_valid(settings, plans)
    from .attention import find

    report.attention = find(settings, state, plans)
    for result in report.failed:
        log.error("%s", result.error)
    return report


def _refuse(report: SyncReport, refusal: Refusal) -> None:
    """Mark ``report`` refused: nothing is written, so no provider counts as added or
    changed; what would have changed is kept in ``refusal["would_change"]``."""
    report.refused = refusal.message
    report.refusal = {**refusal.details, "would_change": report.changed_files}
    for result in report.providers:
        if result.status.writes:
            result.status, result.changes, result.diff = UNCHANGED, [], None


def _plan_providers(
    settings: Settings,
    state: State | None,
    catalog: dict[str, Any],
    files: dict[str, Path],
    report: SyncReport,
) -> dict[str, Plan]:
    """Plan every chosen provider whose id is a safe file name, adding each result to
    ``report`` (and a warning for each catalog id that is not a safe file name)."""
    from ..model.catalog import safe_provider_id
    from .plan import Planner

    config_dir = settings.config_path
    chosen = select(set(catalog) | set(files), settings.providers, settings.exclude)
    planner = Planner(settings, state, want_diff=report.dry_run)
    plans: dict[str, Plan] = {}
    for provider_id in chosen:
        if not safe_provider_id(provider_id):
            if provider_id in catalog:
                shown = provider_id if len(provider_id) <= 60 else provider_id[:57] + "..."
                report.warnings.append(
                    f"skipped provider {shown!r}: its id is not a safe file name"
                )
                log.warning("skipped provider %r: its id is not a safe file name", shown)
            continue
        path = provider_path(config_dir, provider_id, files)
        plan = planner.plan(provider_id, catalog.get(provider_id), path)
        plans[provider_id] = plan
        report.providers.append(plan.result)
    return plans


def _log_skipped(report: SyncReport) -> None:
    """Warn about models and providers skipped for bad upstream data (models: at most
    :data:`MAX_WARNINGS` lines)."""
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


def _write(plans: dict[str, Plan]) -> None:
    """Write each changed file; one that cannot be written fails its provider alone.
    The directory is flushed once, after the last file (each file itself is flushed
    before it replaces the old one: a crash leaves the old file or the new one)."""
    directories = set()
    for plan in plans.values():
        result = plan.result
        if result.status.writes and plan.new is not None:
            path = Path(result.path)
            try:
                atomic_write(path, plan.new, sync_dir=False)
                directories.add(path.parent)
                log.info("wrote %s", result.path)
            except ConfigError as exc:
                result.status, result.error = FAILED, str(exc)
                plan.record = False
    for directory in directories:
        fsync_dir(directory)


def _remember_valid(settings: Settings, plans: dict[str, Plan]) -> None:
    """Files just written were validated: tell ``invoke validate`` so it need not redo it."""
    from ..checks.validate import ValidationCache

    written = [p for p in plans.values() if p.result.status.writes and p.new and p.valid]
    if not written:
        return
    try:
        cache = ValidationCache(settings.cache_path, settings.user_keys)
    except ModelsyncError:
        return
    for plan in written:
        assert plan.new is not None
        cache.add(ValidationCache.entry(plan.new, plan.result.id))
    cache.save()
