"""A history as text for a terminal or as a Markdown table for a pull request.

Values and ids come from the files (and so from the catalog): in text every control
character is shown as an escape; in Markdown every such string is a code span, its
backticks fenced by a longer run and its pipes escaped, so it cannot open a link,
mention someone or break the table.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..util.text import escape
from .changes import HAND, FieldChange
from .dates import day
from .timeline import History

#: Characters of a value shown; a longer one is cut with ``...``.
VALUE_WIDTH = 60


def value(v: Any) -> str:
    """A value as short JSON-like text (``2.5``, ``"fast"``, ``[...]``), at most
    :data:`VALUE_WIDTH` characters."""
    if v is None:
        return "-"
    text = v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, default=str)
    return text if len(text) <= VALUE_WIDTH else text[: VALUE_WIDTH - 3] + "..."


def what(change: FieldChange) -> str:
    """``pricing.input 3 -> 5``, ``added``, ``removed`` (unescaped)."""
    if change.kind != "changed":
        return change.kind
    return f"{change.field} {value(change.old)} -> {value(change.new)}"


def by(change: FieldChange) -> str:
    return f"hand ({change.reason})" if change.origin == HAND else "sync"


def render_text(history: History) -> str:
    """One line per change: date, commit, model, what changed, by whom."""
    if not history.changes:
        return "no changes\n"
    lines = []
    for c in history.changes:
        lines.append(
            f"{day(c.date)}  {c.commit[:12]}  {escape(c.provider)}/{escape(c.model)}  "
            f"{escape(what(c))}  [{by(c)}]"
        )
    if history.shallow_from is not None:
        lines.append(f"(shallow clone: the history starts on {day(history.shallow_from)})")
    return "\n".join(lines) + "\n"


def code(text: str) -> str:
    """``text`` as a Markdown code span that is safe in a table cell."""
    text = escape(text).replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def render_markdown(history: History) -> str:
    """The history as a GitHub-flavoured Markdown table."""
    dates = "author dates" if history.author_date else "commit dates"
    out = [f"### Model history ({len(history.changes)} changes, {dates})", ""]
    if not history.changes:
        return "\n".join([*out, "No changes."]) + "\n"
    out += ["| date | commit | model | change | old | new | by |", "|" + " --- |" * 7]
    for c in history.changes:
        field = code(c.field) if c.field else c.kind
        old, new = (code(value(c.old)), code(value(c.new))) if c.kind == "changed" else ("", "")
        out.append(
            f"| {day(c.date)} | `{c.commit[:12]}` | {code(f'{c.provider}/{c.model}')} "
            f"| {field} | {old} | {new} | {by(c)} |"
        )
    if history.shallow_from is not None:
        out += ["", f"History starts on {day(history.shallow_from)} (a shallow clone)."]
    return "\n".join(out) + "\n"
