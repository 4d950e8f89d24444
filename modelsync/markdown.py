"""The sync's report as GitHub-flavoured Markdown, fit to be a pull request's body.

Attention items come first; price and limit changes are tables; a list longer than
``limit`` is folded into a ``<details>`` block. Every string from the catalog or a user's
file is escaped for Markdown and HTML (an id cannot open a tag, a link or a table cell),
and control characters are shown as escapes.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence

from .report import Change, SyncReport
from .text import escape
from .vocab import Kind, Origin, Status
from .wording import group_parts, num, price_part

#: Characters that start Markdown markup anywhere in a line (links, emphasis, code, tables).
_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
#: Characters that start markup at the beginning of a cell or list item.
_LEADING = re.compile(r"^([#+\-=!])")


def md(text: object) -> str:
    """``text`` as literal Markdown: control characters escaped, HTML characters as
    entities, Markdown punctuation backslashed."""
    plain = escape(str(text)).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _LEADING.sub(r"\\\1", _SPECIAL.sub(r"\\\1", plain))


def _model(c: Change) -> str:
    return md(f"{c.provider}/{c.model}")


def _table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    return [
        "| " + " | ".join(head) + " |",
        "|" + "|".join(" --- " for _ in head) + "|",
        *("| " + " | ".join(row) + " |" for row in rows),
    ]


class _Doc:
    def __init__(self, limit: int) -> None:
        self.lines: list[str] = []
        self.limit = limit

    def section(self, title: str, body: list[str], count: int) -> None:
        """A heading and its body; folded into ``<details>`` past ``limit`` items."""
        if not count:
            return
        self.lines += ["", f"### {title} ({count})", ""]
        if count > self.limit:
            self.lines += ["<details>", f"<summary>{count} items</summary>", "", *body, ""]
            self.lines.append("</details>")
        else:
            self.lines += body

    def bullets(self, title: str, items: list[str]) -> None:
        self.section(title, [f"- {item}" for item in items], len(items))


def render_markdown(report: SyncReport, limit: int = 10) -> str:
    """The whole report as Markdown."""
    doc = _Doc(limit)
    _header(doc, report)
    if report.refused:
        from .summary import refusal_note

        doc.lines += ["", f"**Not applied:** {md(report.refused)}", "", refusal_note(report)]
        return "\n".join(doc.lines) + "\n"
    doc.section(
        "Needs attention",
        _table(
            ("model", "what changed", "the team depends on it as"),
            [
                (md(f"{a.provider}/{a.model}"), md(a.detail), md(", ".join(a.depends)))
                for a in report.attention
            ],
        ),
        len(report.attention),
    )
    _prices(doc, report)
    for kind, title in (
        (Kind.CONTEXT_WINDOW, "Context window"),
        (Kind.MAX_OUTPUT_TOKENS, "Output"),
    ):
        changes = report.changes(kind)
        rows = [(_model(c), num(c.old), num(c.new)) for c in changes]
        doc.section(f"{title} limit changes", _table(("model", "old", "new"), rows), len(rows))
    _lists(doc, report)
    return "\n".join(doc.lines) + "\n"


def _header(doc: _Doc, report: SyncReport) -> None:
    counts = report.counts()
    pc, mc = counts["providers"], counts["models"]
    src = report.source
    where = f"bundled snapshot {src.snapshot_date}" if src.origin == Origin.BUNDLED else src.source
    verb = "would change" if report.dry_run or report.check else "changed"
    doc.lines += [
        "## Model catalog sync",
        "",
        f"- **Catalog:** {md(where)} ({md(src.origin)})"
        + (f", newest update {md(src.newest_update)}" if src.newest_update else ""),
        f"- **Config directory:** {md(os.path.abspath(report.config_dir))}",
        f"- **Providers:** {pc['added']} added, {pc['changed']} {verb}, "
        f"{pc['unchanged']} unchanged, {pc['failed']} failed",
        f"- **Models:** {mc['added']} added, {mc['removed']} now unavailable, "
        f"{mc['back']} back, {mc['pruned']} pruned, {mc['price_changed']} with price changes",
    ]


def _prices(doc: _Doc, report: SyncReport) -> None:
    rows: list[tuple[str, str]] = []
    by_model: dict[tuple[str, str], list[Change]] = {}
    for c in report.price_changes():
        by_model.setdefault((c.provider, c.model), []).append(c)
    for (provider, model), changes in by_model.items():
        parts = [price_part(c) for c in changes if c.field not in ("tiers", "modes")]
        parts += [p for c in changes if c.field in ("tiers", "modes") for p in group_parts(c)]
        rows.append((md(f"{provider}/{model}"), "<br>".join(md(p) for p in parts)))
    doc.section(
        "Price changes", _table(("model", "change (USD per million tokens)"), rows), len(rows)
    )


def _lists(doc: _Doc, report: SyncReport) -> None:
    doc.bullets("New providers", [f"{md(p.id)} ({n} models)" for p, n in report.new_providers()])
    doc.bullets(
        "Providers that left the catalog (file kept)",
        [f"{md(p.id)}: {r} models now unavailable" for p, r, _ in report.left_catalog()],
    )
    doc.bullets("Newly deprecated", [_model(c) for c in report.changes(Kind.DEPRECATED)])
    doc.bullets(
        "Left the catalog (kept as available: false)",
        [_model(c) for c in report.changes(Kind.REMOVED)],
    )
    doc.bullets("Pruned", [_model(c) for c in report.changes(Kind.PRUNED)])
    doc.bullets("Back in the catalog", [_model(c) for c in report.changes(Kind.BACK)])
    doc.bullets(
        "Pinned, upstream differs",
        [f"{_model(c)}: {md(c.field)}" for c in report.changes(Kind.PINNED)],
    )
    doc.bullets(
        "Hand-written entries shadow catalog models",
        [_model(c) for c in report.changes(Kind.SHADOWED)],
    )
    doc.bullets(
        "Providers skipped for bad upstream data",
        [f"{md(p.id)}: {md(p.error)}" for p in report.by_status(Status.SKIPPED)],
    )
    doc.bullets("Failed", [md(p.error or p.id) for p in report.by_status(Status.FAILED)])
    skipped = report.skipped_models()
    doc.bullets(
        "Models skipped for bad upstream data",
        [f"{md(f'{p}/{m}')}: {md(why)}" for p, m, why in skipped],
    )
