"""The audit as text (grouped by model, the two values side by side) and as Markdown
for a pull request (tables; catalog and source text in escaped code spans)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from ..util.text import escape
from .findings import AuditReport, Finding, Severity

#: Entries of a long list shown in text; the rest are counted (``--json`` has them all).
SHOWN = 20
#: A link is shown only when it is a plain https URL of these characters.
_SAFE_LINK = re.compile(r"https://[A-Za-z0-9._~:/?#=&%+-]{1,300}")


def safe_link(link: str | None) -> str | None:
    return link if link and _SAFE_LINK.fullmatch(link) else None


def show(value: Any) -> str:
    """A value as the report prints it: numbers plainly, mappings as ``k v`` pairs."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, dict):
        return ", ".join(f"{k} {show(v)}" for k, v in value.items())
    return str(value)


def _severities(findings: Iterable[Finding]) -> str:
    counts = Counter(f.severity for f in findings)
    return ", ".join(f"{counts[s]} {s.value}" for s in Severity if counts[s]) or "none"


def _header(report: AuditReport, where: str) -> str:
    scope = "every model" if report.scope == "all" else "the models the team depends on"
    return (
        f"Audit of {where}: {len(report.audited)} models ({scope}), "
        f"{len(report.findings)} findings ({_severities(report.findings)})"
    )


def _by_model(findings: Sequence[Finding]) -> dict[tuple[str, str], list[Finding]]:
    grouped: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:
        grouped.setdefault((f.provider, f.model), []).append(f)
    return grouped


def _text_line(f: Finding) -> str:
    if f.source is None:
        return f"  {f.severity.value:<7} {f.rule}: {escape(f.message)}"
    where = f"{f.source} {escape(f.source_id or '')}".strip()
    link = safe_link(f.link)
    return (
        f"  {f.severity.value:<7} {f.rule}: {escape(f.field or '')}: "
        f"{show(f.value)} in the file, {escape(show(f.other_value))} in {where}"
        + (f" ({link})" if link else "")
    )


def render_text(report: AuditReport) -> str:
    lines = [_header(report, escape(report.config_dir))]
    for s in report.sources:
        if s.origin == "off":
            lines.append(f"  source {s.name}: off")
            continue
        state = s.problem or f"{s.entries} entries"
        lines.append(f"  source {s.name}: {s.origin}, {escape(s.location)}: {escape(state)}")
    for (provider, model), found in _by_model(report.findings).items():
        mark = " (depended on)" if found[0].depended else ""
        lines += ["", f"{escape(provider)}/{escape(model)}{mark}"]
        lines += [_text_line(f) for f in found]
    unmatched = report.unmatched()
    if unmatched:
        lines += ["", f"Matched by no source ({len(unmatched)}):"]
        lines += [f"  {escape(p)}/{escape(m)}" for p, m in unmatched[:SHOWN]]
        if len(unmatched) > SHOWN:
            lines.append(f"  ... and {len(unmatched) - SHOWN} more (see --json)")
    return "\n".join(lines) + "\n"


def code(text: object) -> str:
    """``text`` as a Markdown code span fit for a table cell: control characters shown
    as escapes, a fence longer than any run of backticks inside, pipes escaped."""
    body = escape(str(text)).replace("|", "\\|")
    if not body:
        return "` `"
    run = max((len(r) for r in re.findall(r"`+", body)), default=0)
    fence = "`" * (run + 1)
    pad = " " if body[0] == "`" or body[-1] == "`" or body[0] == " " else ""
    return f"{fence}{pad}{body}{pad}{fence}"


def _table(head: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    return [
        "| " + " | ".join(head) + " |",
        "|" + "|".join(" --- " for _ in head) + "|",
        *("| " + " | ".join(row) + " |" for row in rows),
    ]


def _md_row(f: Finding) -> list[str]:
    if f.source is None:
        other = code(show(f.other_value)) if f.other_value is not None else ""
        source = "rule"
    else:
        other = code(show(f.other_value))
        link = safe_link(f.link)
        source = f"{f.source} {code(f.source_id or '')}"
        if link:
            source = f"[{f.source}]({link}) {code(f.source_id or '')}"
    return [
        code(f"{f.provider}/{f.model}") + (" (depended on)" if f.depended else ""),
        f.severity.value,
        f.rule,
        code(f.field or ""),
        code(show(f.value)),
        other,
        source,
    ]


def _fold(lines: list[str], count: int, limit: int) -> list[str]:
    if count <= limit:
        return lines
    return ["<details>", f"<summary>{count} items</summary>", "", *lines, "", "</details>"]


def render_markdown(report: AuditReport, limit: int = 10) -> str:
    """The report as GitHub-flavoured Markdown; tables longer than ``limit`` are folded."""
    lines = ["## Catalog audit", "", _header(report, code(report.config_dir))]
    if report.sources:
        lines += [
            "",
            *_table(
                ("source", "read from", "state"),
                (
                    [
                        s.name,
                        code(s.location),
                        code(s.problem or f"{s.entries} entries") if s.origin != "off" else "off",
                    ]
                    for s in report.sources
                ),
            ),
        ]
    if report.findings:
        rows = _table(
            ("model", "severity", "rule", "field", "value", "other value", "source"),
            (_md_row(f) for f in report.findings),
        )
        lines += ["", f"### Findings ({len(report.findings)})", ""]
        lines += _fold(rows, len(report.findings), limit)
    unmatched = report.unmatched()
    if unmatched:
        items = [f"- {code(f'{p}/{m}')}" for p, m in unmatched]
        lines += ["", f"### Matched by no source ({len(unmatched)})", ""]
        lines += _fold(items, len(unmatched), limit)
    return "\n".join(lines) + "\n"
