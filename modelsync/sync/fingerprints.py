"""What the last sync left, read and written for the sync: the fast path that rebuilds a
report from the fingerprints alone, and saving the fingerprints after a sync (see
:mod:`modelsync.sync.state`)."""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ConfigError
from ..model.configdir import provider_path
from ..report.types import UNCHANGED, ProviderResult, SyncReport
from ..settings import Settings
from ..upstream.fetch import Fetched
from ..util.digests import digest
from ..util.fsutil import file_signature, read_config, settled_signature
from . import source as source_mod
from . import state as state_mod
from .state import ProviderState, State

if TYPE_CHECKING:
    from .plan import Plan

log = logging.getLogger("modelsync.sync.run")  # its messages are the sync's


def unchanged_report(
    settings: Settings, state: State | None, files: dict[str, Path], *, record: bool = True
) -> SyncReport | None:
    """The report of a sync with nothing to do, when the fingerprints say so without
    reading the catalog: the catalog and every file are as the last sync left them.
    ``record``: note the signatures of files now settled (not for a dry run or check)."""
    if state is None or not state.catalog:
        return None
    sha = source_mod.quick_sha(settings, state)
    if sha is None or sha != state.catalog:
        return None
    settled = _files_match(state, files)
    if settled is None:
        return None
    log.info("catalog and all %d files unchanged since the last sync", len(files))
    if settled and record:  # files now old enough to be told by their signature from now on
        for provider_id, found in settled.items():
            state.providers[provider_id].signature = found
        state_mod.save(settings, state)
    return _noop_report(settings, state, files)


def _noop_report(settings: Settings, state: State, files: dict[str, Path]) -> SyncReport:
    """The report of a sync that changes nothing, from what the last sync recorded: the
    same as the full path would give (``tests/test_sources.py`` compares them)."""
    report = SyncReport(source_mod.recorded_info(settings, state), str(settings.config_path))
    for provider_id, known in sorted(state.providers.items()):
        path = provider_path(settings.config_path, provider_id, files)
        report.providers.append(
            ProviderResult(
                provider_id,
                UNCHANGED,
                str(path),
                changes=known.changes(provider_id),
                skipped_models=dict(known.skipped),
                in_catalog=known.upstream is not None,
            )
        )
    report.warnings = list(state.warnings)
    return report


def _files_match(state: State, files: dict[str, Path]) -> dict[str, list[int]] | None:
    """Whether every file is as the last sync left it (``None`` if one is not): a file
    whose recorded signature still holds is, without being read; any other is read and
    hashed. Returns the signatures that can be recorded now for files that had none."""
    recorded = {pid for pid, p in state.providers.items() if p.file is not None}
    if recorded != set(files):
        return None
    now = time.time()
    settled: dict[str, list[int]] = {}
    for provider_id, path in files.items():
        known = state.providers[provider_id]
        if known.signature is not None and file_signature(path) == known.signature:
            continue
        try:
            if digest(read_config(path)) != known.file:
                return None
        except (OSError, ConfigError):
            return None
        found = settled_signature(path, now)
        if found is not None:
            settled[provider_id] = found
    return settled


def save(
    settings: Settings,
    old: State | None,
    fetched: Fetched,
    plans: dict[str, Plan],
    report: SyncReport,
    complete: bool,
) -> None:
    """Record what this sync leaves: the catalog's source and, per provider, its
    fingerprints and standing changes; ``complete``: every provider was planned."""
    new = State(
        config_dir=os.path.realpath(settings.config_path),
        options=state_mod.options_key(settings),
        source=source_mod.record(settings, fetched, report.source.newest_update),
        providers=dict(old.providers) if old else {},
        warnings=list(report.warnings),
    )
    all_recorded = True
    now = time.time()
    for provider_id, plan in plans.items():
        content = plan.new if plan.new is not None else plan.old
        if not plan.record:
            new.providers.pop(provider_id, None)
            all_recorded = False
            continue
        new.providers[provider_id] = ProviderState(
            upstream=plan.upstream_sha,
            file=digest(content) if content is not None else None,
            signature=settled_signature(Path(plan.result.path), now)
            if content is not None
            else None,
            models=plan.models_after,
            skipped=plan.skipped,
            canonical=plan.canonical,
            notes=ProviderState.notes_of(plan.result.changes),
            newest=plan.newest_after,
        )
    for provider_id in list(new.providers):
        if provider_id not in plans and complete:
            new.providers.pop(provider_id)
    new.catalog = fetched.sha256 if complete and all_recorded else None
    state_mod.save(settings, new)
