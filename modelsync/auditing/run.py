"""One audit: read the files, run the sanity rules over the models in scope, and compare
them with the independent price sources that could be read."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from . import rules, scope
from .findings import AuditReport, Finding, Match, SourceRead
from .sources import SETTING_KEYS, Entry

if TYPE_CHECKING:
    from ..settings import Settings

log = logging.getLogger(__name__)


def _location(value: str, settings: Settings) -> str:
    """A source as given; a relative path resolves against the project root."""
    if "://" in value or value.strip().lower() == "none" or os.path.isabs(value):
        return value
    return os.path.join(settings.root or ".", os.path.expanduser(value))


def read_sources(
    settings: Settings, chosen: Mapping[str, str | None], today: str | None
) -> tuple[list[SourceRead], dict[str, dict[str, Entry]]]:
    """Each source (``chosen`` overrides the setting ``audit_sources``), read in turn."""
    from .sources import read_source

    reads: list[SourceRead] = []
    entries: dict[str, dict[str, Entry]] = {}
    for name, key in SETTING_KEYS.items():
        given = chosen.get(name) or settings.audit_sources.get(key) or "none"
        read, found = read_source(name, _location(given, settings), settings, today)
        reads.append(read)
        if found:
            entries[name] = found
    return reads, entries


def run_audit(
    settings: Settings,
    *,
    all_models: bool = False,
    sources: Mapping[str, str | None] | None = None,
    today: str | None = None,
) -> AuditReport:
    """The audit report of ``settings.config_dir`` (the files are only read).

    ``sources`` overrides entries of ``audit_sources`` by source name (``litellm``,
    ``genai-prices``); ``today`` (``YYYY-MM-DD``) is the day whose prices and
    deprecations count (default: today).
    """
    from .compare import compare
    from .matching import Matcher

    started = time.monotonic()
    files = scope.read(
        settings.config_path, settings.providers, settings.exclude, settings.watch_keys
    )
    report = AuditReport(str(settings.config_path), "all" if all_models else "depended")
    reads, entries = read_sources(settings, sources or {}, today)
    report.sources = reads
    matcher = Matcher(entries)
    for provider in files:
        provider_bills = rules.bills(provider.models)
        for model in provider.models:
            depended = model.id in provider.depends
            if not (all_models or depended):
                continue
            report.audited.append((provider.id, model.id))
            report.findings += [_mark(f, depended) for f in rules.check(model, provider_bills)]
            for name in entries:
                hit = matcher.find(name, model)
                entry, rule = hit if hit else (None, None)
                report.matches.append(
                    Match(provider.id, model.id, name, entry.id if entry else None, rule)
                )
                if entry is not None:
                    report.findings += compare(model, entry, settings.audit_tolerance, depended)
    report.seconds = time.monotonic() - started
    log.info(
        "audited %d models of %s: %d findings",
        len(report.audited),
        report.config_dir,
        len(report.findings),
    )
    return report


def _mark(finding: Finding, depended: bool) -> Finding:
    return replace(finding, depended=True) if depended else finding
