"""The live check as text: a header, then per provider its counts and its lists, each
cut at :data:`SHOWN` entries with "see --json"."""

from __future__ import annotations

from collections.abc import Sequence

from ..util.text import escape
from .report import LiveReport, ProviderCheck
from .vocab import Status

#: Entries shown per list.
SHOWN = 10


def render(report: LiveReport) -> str:
    counts = report.counts()
    lines = [
        f"Live check of {escape(report.config_dir)}: "
        + ", ".join(f"{counts[s.value]} {s.value}" for s in Status)
        + f" ({report.seconds:.1f} s)"
    ]
    for check in report.providers:
        lines.extend(_provider(check))
    return "\n".join(lines) + "\n"


def _provider(check: ProviderCheck) -> list[str]:
    name = escape(check.provider)
    if check.status is Status.SKIPPED:
        return [f"{name}: skipped: {escape(check.message or '')}"]
    if check.status is Status.FAILED:
        return [f"{name}: FAILED: {escape(check.message or '')}"]
    c = check.counts()
    family = check.family.value if check.family else "?"
    lines = [
        f"{name}: {c['served']} served ({family}, {escape(check.endpoint or '')}, "
        f"{check.key_variable})",
        f"  {c['served_in_catalog']} in the catalog and served, {c['not_served']} in the "
        f"catalog not served, {c['not_in_catalog']} served not in the catalog",
    ]
    lines.extend(_default(check))
    not_served = [
        ("! " if m.loud else "  ") + escape(m.id) + _why_loud(m.default_model, m.scored)
        for m in check.not_served
    ]
    lines.extend(_section("In the catalog, not served to this key", not_served))
    lines.extend(
        _section(
            "Served, not in the catalog (unpriced: the router cannot use them)",
            ["  " + escape(i) for i in check.not_in_catalog],
        )
    )
    marked = [m for m in check.served if m.deprecated or not m.available]
    lines.extend(
        _section(
            "Served, though the file marks them deprecated or unavailable",
            [
                f"  {escape(m.id)} ({'deprecated' if m.deprecated else 'available: false'})"
                for m in marked
            ],
        )
    )
    return lines


def _default(check: ProviderCheck) -> list[str]:
    if check.default_model is None:
        return []
    model = escape(check.default_model)
    if check.default_served is False:
        return [f"  ! default model {model}: NOT SERVED"]
    alias = next((m.served_as for m in check.served if m.id == check.default_model), None)
    shown = f" (as {escape(alias)})" if alias and alias != check.default_model else ""
    return [f"  default model {model}: served{shown}"]


def _why_loud(default_model: bool, scored: bool) -> str:
    reasons = [r for r, on in (("default model", default_model), ("scored", scored)) if on]
    return f" ({', '.join(reasons)})" if reasons else ""


def _section(title: str, entries: Sequence[str]) -> list[str]:
    if not entries:
        return []
    lines = [f"  {title} ({len(entries)}):"]
    lines.extend("  " + e for e in entries[:SHOWN])
    if len(entries) > SHOWN:
        lines.append(f"    ... and {len(entries) - SHOWN} more, see --json")
    return lines
