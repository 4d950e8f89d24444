"""The sync's report as GitHub-flavoured Markdown, fit to be a pull request's body.

Attention items come first; price and limit changes are tables; a list longer than
``limit`` is folded into a ``<details>`` block. Every string from the catalog, a user's
file or an error message goes through :func:`code`: one CommonMark code span, inside which
Markdown, HTML, autolinks, ``@mentions`` and ``#123`` references are all plain text (an id
cannot ping anyone, close an issue, make a link or open a tag), with control characters
shown as escapes.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence

from ..model.vocab import Kind, Origin, Status
from ..util.humanize import num
from ..util.text import escape
from .types import Change, SyncReport, group_parts
from .wording import price_part

_BACKTICKS = re.compile(r"`+")


def code(text: object) -> str:
    """``text`` as one CommonMark code span that shows it literally.

    Control characters are shown as escapes (so the span stays on one line); the fence
    is one backtick longer than the longest run of backticks inside; a space pads the
    content when it starts or ends with a backtick, or starts and ends with a space
    (CommonMark strips one such space on each side). In a table cell, :func:`_table`
    also escapes ``|``, which GFM splits cells on even inside a code span.
    """
    content = escape(str(text))
    if not content:
        return "` `"
    fence = "`" * (max((len(run) for run in _BACKTICKS.findall(content)), default=0) + 1)
    pad = (
        content[0] == "`"
        or content[-1] == "`"
        or (content[0] == " " and content[-1] == " " and content.strip(" ") != "")
    )
    if pad:
        content = f" {content} "
    return f"{fence}{content}{fence}"


def _model(c: Change) -> str:
    return code(f"{c.provider}/{c.model}")


def _table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """A GFM table; ``|`` in a cell is escaped (GFM unescapes it, even in a code span)."""
    return [
        "| " + " | ".join(head) + " |",
        "|" + "|".join(" --- " for _ in head) + "|",
        *("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows),
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

        doc.lines += ["", f"**Not applied:** {code(report.refused)}", "", refusal_note(report)]
        return "\n".join(doc.lines) + "\n"
    doc.section(
        "Needs attention",
        _table(
            ("model", "what changed", "the team depends on it as"),
            [
                (code(f"{a.provider}/{a.model}"), code(a.detail), code(", ".join(a.depends)))
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
        rows = [(_model(c), code(num(c.old)), code(num(c.new))) for c in changes]
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
        f"- **Catalog:** {code(where)} ({src.origin})"
        + (f", newest update {code(src.newest_update)}" if src.newest_update else ""),
        f"- **Config directory:** {code(os.path.abspath(report.config_dir))}",
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
        rows.append((code(f"{provider}/{model}"), "<br>".join(code(p) for p in parts)))
    doc.section(
        "Price changes", _table(("model", "change (USD per million tokens)"), rows), len(rows)
    )


def _lists(doc: _Doc, report: SyncReport) -> None:
    doc.bullets("New providers", [f"{code(p.id)} ({n} models)" for p, n in report.new_providers()])
    doc.bullets(
        "Providers that left the catalog (file kept)",
        [f"{code(p.id)}: {r} models now unavailable" for p, r, _ in report.left_catalog()],
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
        [f"{_model(c)}: {code(c.field)}" for c in report.changes(Kind.PINNED)],
    )
    doc.bullets(
        "Hand-written entries shadow catalog models",
        [_model(c) for c in report.changes(Kind.SHADOWED)],
    )
    doc.bullets(
        "Providers skipped for bad upstream data",
        [f"{code(p.id)}: {code(p.error)}" for p in report.by_status(Status.SKIPPED)],
    )
    doc.bullets("Failed", [code(p.error or p.id) for p in report.by_status(Status.FAILED)])
    skipped = report.skipped_models()
    doc.bullets(
        "Models skipped for bad upstream data",
        [f"{code(f'{p}/{m}')}: {code(why)}" for p, m, why in skipped],
    )
