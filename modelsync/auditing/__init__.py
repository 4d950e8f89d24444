"""The catalog audit: sanity rules over the synced files and a second opinion from
independent price sources (``docs/audit.md``).

::

    report = modelsync.audit(config_dir="config/models")
    for finding in report.findings:
        print(finding.provider, finding.model, finding.rule, finding.message)

Modules, one job each: :mod:`.findings` (the report's types and JSON), :mod:`.rules`
(the sanity rules), :mod:`.scope` (which models, read from the files),
:mod:`.sources` (the price sources, read through the catalog's fetcher),
:mod:`.matching` (which entry stands for a model), :mod:`.compare` (what differs),
:mod:`.run` (one audit), :mod:`.render` (text and Markdown).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .findings import AUDIT_REPORT_VERSION, AuditReport, Finding, Match, Severity, SourceRead

if TYPE_CHECKING:
    from ..settings import Settings

#: The public name of :class:`Finding` (``modelsync.Finding`` is a validation finding).
AuditFinding = Finding

__all__ = [
    "AUDIT_REPORT_VERSION",
    "AuditFinding",
    "AuditReport",
    "Finding",
    "Match",
    "Severity",
    "SourceRead",
    "audit",
]


def audit(
    *,
    settings: Settings | None = None,
    all_models: bool = False,
    litellm: str | None = None,
    genai_prices: str | None = None,
    today: str | None = None,
    **overrides: Any,
) -> AuditReport:
    """Audit the synced files: the models the team depends on, or every model with
    ``all_models=True``; compare them with the price sources of ``audit_sources``.

    ``litellm`` and ``genai_prices`` choose a source for this run (a URL, a path, or
    ``"none"``). Takes the settings as keyword arguments (``config_dir=``,
    ``providers=``, ``offline=``...) or ``settings=``. A source that cannot be read is
    skipped with a warning (``report.sources`` says why). A missing directory is
    :class:`~modelsync.errors.UsageError`; a file that cannot be read or parsed is
    :class:`~modelsync.errors.ConfigError` naming it.
    """
    from ..settings import settings_for
    from .run import run_audit
    from .sources import GENAI_PRICES, LITELLM

    return run_audit(
        settings_for(settings, overrides),
        all_models=all_models,
        sources={LITELLM: litellm, GENAI_PRICES: genai_prices},
        today=today,
    )
