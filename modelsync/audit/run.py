"""One audit: read the files, run the sanity rules over the models in scope, and (when
sources are read) compare them with the independent price sources."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from . import rules, scope
from .findings import AuditReport, Finding

if TYPE_CHECKING:
    from ..settings import Settings

log = logging.getLogger(__name__)


def run_audit(settings: Settings, *, all_models: bool = False) -> AuditReport:
    """The audit report of ``settings.config_dir`` (read-only)."""
    started = time.monotonic()
    files = scope.read(
        settings.config_path, settings.providers, settings.exclude, settings.watch_keys
    )
    report = AuditReport(str(settings.config_path), "all" if all_models else "depended")
    for provider in files:
        provider_bills = rules.bills(provider.models)
        for model in provider.models:
            depended = model.id in provider.depends
            if not (all_models or depended):
                continue
            report.audited.append((provider.id, model.id))
            report.findings += [_mark(f, depended) for f in rules.check(model, provider_bills)]
    report.seconds = time.monotonic() - started
    log.info(
        "audited %d models of %s: %d findings",
        len(report.audited),
        report.config_dir,
        len(report.findings),
    )
    return report


def _mark(finding: Finding, depended: bool) -> Finding:
    if not depended:
        return finding
    from dataclasses import replace

    return replace(finding, depended=True)
