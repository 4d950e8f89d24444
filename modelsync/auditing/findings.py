"""The audit's vocabulary and results: severities, one finding, one match, one source
read, and the whole report with its versioned JSON document (``docs/audit.md``)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

#: The version of the JSON document; bumped when a key changes meaning or goes away.
AUDIT_REPORT_VERSION = 1


class Severity(str, Enum):
    """How sure the audit is that a value is wrong: ``error`` fails ``--strict`` for a
    depended-on model; ``warning`` is likely wrong; ``info`` is worth a look."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    def __str__(self) -> str:
        return str(self.value)


@dataclass(frozen=True)
class Finding:
    """One thing about one model: a sanity rule it breaks, or a value another source
    gives otherwise (``source``/``source_id`` name that source's entry)."""

    provider: str
    model: str
    rule: str
    severity: Severity
    #: The field concerned: ``cache_read``, ``context_window``, ``tiers.200000.input``...
    field: str | None
    value: Any
    #: The value it is compared with: another field of the model, or the source's value.
    other_value: Any
    #: The independent source (``litellm``, ``genai-prices``); ``None`` for a rule.
    source: str | None = None
    source_id: str | None = None
    #: A link to the source's entry or the price page it cites, when there is one.
    link: str | None = None
    #: The team depends on the model (``default_model``, scored, noted, pinned, watched).
    depended: bool = False
    #: What is wrong, in words (catalog text is not escaped here: renderers escape).
    message: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "model": self.model,
            "rule": self.rule,
            "severity": self.severity.value,
            "field": self.field,
            "value": self.value,
            "other_value": self.other_value,
            "source": self.source,
            "source_id": self.source_id,
            "link": self.link,
            "depended": self.depended,
            "message": self.message,
        }


@dataclass(frozen=True)
class Match:
    """Which entry of a source a model was matched to, and by which rule."""

    provider: str
    model: str
    source: str
    source_id: str | None
    #: The matching rule that found it (``exact``, ``release-date``...); ``None``: none did.
    rule: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "model": self.model,
            "source": self.source,
            "source_id": self.source_id,
            "rule": self.rule,
        }


@dataclass(frozen=True)
class SourceRead:
    """What the audit read of one independent source, and from where."""

    name: str
    #: The URL or file given; ``none`` when the source is turned off.
    location: str
    #: ``network``, ``cache``, ``stale-cache``, ``file``, ``off``, or ``failed``.
    origin: str
    entries: int = 0
    sha256: str | None = None
    #: Why the source could not be used (a warning was logged saying so).
    problem: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "location": self.location,
            "origin": self.origin,
            "entries": self.entries,
            "sha256": self.sha256,
            "problem": self.problem,
        }


@dataclass
class AuditReport:
    """The audit of one config directory."""

    config_dir: str
    #: ``depended`` (the default) or ``all`` (``--all``).
    scope: str
    #: ``[provider, model]`` of every model audited, in file order.
    audited: list[tuple[str, str]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    matches: list[Match] = field(default_factory=list)
    sources: list[SourceRead] = field(default_factory=list)
    seconds: float = 0.0

    def counts(self) -> dict[str, int]:
        """Findings by rule id, most frequent first."""
        return dict(Counter(f.rule for f in self.findings).most_common())

    def unmatched(self) -> list[tuple[str, str]]:
        """Models that no source read matched (empty when no source was read)."""
        if not any(s.origin not in ("off", "failed") for s in self.sources):
            return []
        matched = {(m.provider, m.model) for m in self.matches if m.source_id is not None}
        return [pm for pm in self.audited if pm not in matched]

    @property
    def strict_failure(self) -> bool:
        """An ``error`` finding concerns a model the team depends on."""
        return any(f.severity is Severity.ERROR and f.depended for f in self.findings)

    def to_json(self) -> dict[str, Any]:
        return {
            "version": AUDIT_REPORT_VERSION,
            "ok": True,
            "config_dir": self.config_dir,
            "scope": self.scope,
            "models": len(self.audited),
            "counts": self.counts(),
            "findings": [f.to_json() for f in self.findings],
            "matches": [m.to_json() for m in self.matches],
            "unmatched": [{"provider": p, "model": m} for p, m in self.unmatched()],
            "sources": [s.to_json() for s in self.sources],
            "seconds": round(self.seconds, 3),
        }
