"""The second opinion: what differs between a synced model and a source's entry for it.

Prices and limits differ when they are further apart than ``audit_tolerance`` percent
of the larger value (a price of 0 differs from any other price).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model.catalog import Model
from .findings import Finding, Severity
from .rules import NO_OUTPUT_WORDS
from .sources import PRICES, Entry

#: The comparison's rules: id -> (severity, what it finds); ``price-differs`` is an error
#: for the input and output prices, a warning for the others.
COMPARISONS: dict[str, tuple[Severity, str]] = {
    "price-differs": (Severity.ERROR, "a price differs by more than audit_tolerance"),
    "price-missing": (Severity.INFO, "the source has a price the file lacks"),
    "tier-missing": (Severity.WARNING, "a long-context tier one side has and the other lacks"),
    "limit-differs": (Severity.WARNING, "a context or output limit differs"),
    "kind-differs": (Severity.WARNING, "one side calls it an embedding model, the other chat"),
    "deprecated-elsewhere": (Severity.WARNING, "the source marks the model deprecated"),
}
_CHAT = ("chat", "responses", "completion")


def differs(a: float, b: float, tolerance: float) -> bool:
    """Further apart than ``tolerance`` percent of the larger."""
    if a == b:
        return False
    return abs(a - b) > max(abs(a), abs(b)) * tolerance / 100


def _kind(model: Model) -> str:
    words = f"{model.id} {model.family or ''}".lower()
    return "embedding" if any(w in words for w in NO_OUTPUT_WORDS[:1]) else "chat"


def compare(model: Model, entry: Entry, tolerance: float, depended: bool) -> list[Finding]:
    """Every difference between ``model`` and ``entry``."""
    pair = _Pair(model, entry, tolerance, depended)
    return [*pair.prices(), *pair.tiers(), *pair.limits(), *pair.kinds()]


class _Pair:
    """One model and the source's entry for it."""

    def __init__(self, model: Model, entry: Entry, tolerance: float, depended: bool) -> None:
        self.model, self.entry, self.tolerance, self.depended = model, entry, tolerance, depended
        pricing = model.pricing
        self.mine = dict(pricing.prices) if pricing else {}
        self.mine_tiers = {t.above_context: t.prices for t in pricing.tiers} if pricing else {}

    def found(
        self, rule: str, field: str, value: object, other: object, sev: Severity | None = None
    ) -> Finding:
        m, e = self.model, self.entry
        severity = sev or COMPARISONS[rule][0]
        message = f"{field}: {value} in the file, {other} in {e.source}"
        return Finding(
            m.provider,
            m.id,
            rule,
            severity,
            field,
            value,
            other,
            e.source,
            e.id,
            e.link,
            self.depended,
            message,
        )

    def prices(self) -> Iterator[Finding]:
        for key in PRICES:
            mine, theirs = self.mine.get(key), self.entry.prices.get(key)
            if mine is not None and theirs is not None and differs(mine, theirs, self.tolerance):
                severity = Severity.ERROR if key in ("input", "output") else Severity.WARNING
                yield self.found("price-differs", key, mine, theirs, severity)
            elif mine is None and theirs:
                yield self.found("price-missing", key, None, theirs)

    def tiers(self) -> Iterator[Finding]:
        theirs_tiers = self.entry.tiers
        for size in sorted(set(self.mine_tiers) | set(theirs_tiers)):
            where = f"tiers.{size}"
            if size not in theirs_tiers or size not in self.mine_tiers:
                here = size in self.mine_tiers
                sides = ("present", "absent") if here else ("absent", "present")
                yield self.found("tier-missing", where, *sides)
                continue
            for key in PRICES:
                mine, theirs = self.mine_tiers[size].get(key), theirs_tiers[size].get(key)
                if (
                    mine is not None
                    and theirs is not None
                    and differs(mine, theirs, self.tolerance)
                ):
                    yield self.found(
                        "price-differs", f"{where}.{key}", mine, theirs, Severity.WARNING
                    )

    def limits(self) -> Iterator[Finding]:
        m = self.model
        first = "max_input_tokens" if m.max_input_tokens else "context_window"
        for field, mine, theirs in (
            (first, m.max_input_tokens or m.context_window, self.entry.input_limit),
            ("max_output_tokens", m.max_output_tokens, self.entry.max_output_tokens),
        ):
            if mine and theirs and differs(mine, theirs, self.tolerance):
                yield self.found("limit-differs", field, mine, theirs)

    def kinds(self) -> Iterator[Finding]:
        if self.entry.kind is not None:
            theirs = "chat" if self.entry.kind in _CHAT else self.entry.kind
            mine = _kind(self.model)
            if {mine, theirs} == {"chat", "embedding"}:
                yield self.found("kind-differs", "kind", mine, theirs)
        if self.entry.deprecated and not self.model.deprecated:
            yield self.found("deprecated-elsewhere", "deprecated", False, True)
