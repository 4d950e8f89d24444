"""The human summary printed after a sync: a header, the counts, then one section per
kind of news, each cut at ``limit`` lines.

Ids, names, paths and messages come from the catalog and the user's files: they are
escaped (:func:`modelsync.util.text.escape`), so none can move the cursor, retitle the
terminal or start a line of its own.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any, TextIO

from ..model.vocab import Kind, Status
from ..util.humanize import human_age, num
from ..util.text import escape
from .types import SHADOWED_FIX, Change, SyncReport
from .wording import price_line


def use_colour(stream: TextIO) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


class _Style:
    def __init__(self, on: bool) -> None:
        self.on = on

    def __call__(self, text: str, code: str) -> str:
        return f"\033[{code}m{text}\033[0m" if self.on else text


def _value(value: Any) -> str:
    """A value as it reads in a YAML file (flow style): ``[{above_context: 200000, ...}]``."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    return num(value)


def _pinned_line(c: Change) -> str:
    head = f"{c.provider}/{c.model}: {c.field}"
    if isinstance(c.old, dict) and isinstance(c.new, dict):
        keys = [k for k in dict.fromkeys([*c.old, *c.new]) if c.old.get(k) != c.new.get(k)]
        parts = [f"{k} {_value(c.old.get(k))} (upstream {_value(c.new.get(k))})" for k in keys]
        return f"{head}: " + ", ".join(parts)
    return f"{head} {_value(c.old)} (upstream {_value(c.new)})"


def _model(c: Change) -> str:
    return f"{c.provider}/{c.model}"


def _limit_line(c: Change) -> str:
    return f"{c.provider}/{c.model}: {num(c.old)} -> {num(c.new)}"


_NOT_PRUNED_REASONS = {
    "default_model": "default_model names it",
    "anchor": "an alias may refer to it",
}


def _not_pruned_line(c: Change) -> str:
    return f"{c.provider}/{c.model} ({_NOT_PRUNED_REASONS.get(c.field or '', c.field)})"


#: The sections listing changes of one kind, in the order shown, after the prices.
_KIND_SECTIONS: tuple[tuple[Kind, str, Callable[[Change], str]], ...] = (
    (Kind.CONTEXT_WINDOW, "Context window changes", _limit_line),
    (Kind.MAX_OUTPUT_TOKENS, "Output limit changes", _limit_line),
    (Kind.DEPRECATED, "Newly deprecated", _model),
    (Kind.REMOVED, "Left the catalog (kept as available: false)", _model),
    (Kind.PRUNED, "Pruned (left the catalog, no user keys)", _model),
    (Kind.BACK, "Back in the catalog", _model),
    (Kind.PINNED, "Pinned, upstream differs", _pinned_line),
    (Kind.NOT_PRUNED, "Not pruned, the file refers to them", _not_pruned_line),
    (
        Kind.SHADOWED,
        "Hand-written entries shadow catalog models",
        lambda c: f"{_model(c)}: {SHADOWED_FIX}",
    ),
)


class _Summary:
    """Lines of the summary, each section cut at ``limit`` items."""

    def __init__(self, limit: int, style: _Style) -> None:
        self.lines: list[str] = []
        self.limit = limit
        self.style = style

    def section(self, title: str, items: list[str], code: str = "") -> None:
        if not items:
            return
        head = f"{title} ({len(items)}):"
        self.lines.append(self.style(head, code) if code else head)
        self.lines.extend(f"  {escape(item)}" for item in items[: self.limit])
        if len(items) > self.limit:
            self.lines.append(f"  ... and {len(items) - self.limit} more, see --json")

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def refusal_note(report: SyncReport) -> str:
    """What a refused sync did (nothing) and would have done."""
    would = len((report.refusal or {}).get("would_change", ()))
    return (
        f"Nothing written; the catalog would have changed {would} file{'s' if would != 1 else ''}."
    )


def render(report: SyncReport, limit: int = 10, stream: TextIO | None = None) -> str:
    """The summary printed after a sync; lists are cut at ``limit`` items."""
    out = _Summary(limit, _Style(use_colour(stream or sys.stdout)))
    out.lines += _header(report)
    if report.refused:
        out.lines.append(out.style(f"Not applied: {escape(report.refused)}", "31"))
        out.lines.append(refusal_note(report))
        return out.text()
    out.lines += _count_lines(report)
    out.section(
        "Needs attention",
        [f"{a.provider}/{a.model}: {a.detail} [{', '.join(a.depends)}]" for a in report.attention],
        "31",
    )
    out.section("New providers", [f"{p.id} ({n} models)" for p, n in report.new_providers()])
    out.section("Providers that left the catalog (file kept)", _left_lines(report))
    out.section("Price changes", _price_lines(report), "33")
    for kind, title, line in _KIND_SECTIONS:
        out.section(title, [line(c) for c in report.changes(kind)])
    skipped = len(report.skipped_models())
    if skipped:
        out.lines.append(
            f"Models skipped for bad upstream data: {skipped} (named on stderr and in --json)"
        )
    out.section(
        "Providers skipped for bad upstream data",
        [f"{p.id}: {p.error}" for p in report.by_status(Status.SKIPPED)],
        "33",
    )
    out.section("Failed", [p.error or p.id for p in report.failed], "31")
    return out.text()


def _header(report: SyncReport) -> list[str]:
    """Where the config directory is and where the catalog came from."""
    src = report.source
    where = src.source
    if src.origin.cached and src.age_seconds is not None:
        where += f" ({src.origin}, {human_age(src.age_seconds)} old)"
    elif src.origin == "bundled":
        where = f"bundled snapshot {src.snapshot_date}"
    else:
        where += f" ({src.origin})"
    created = " (created)" if report.created_config_dir else ""
    return [
        f"Config directory: {escape(os.path.abspath(report.config_dir))}{created}",
        f"Catalog: {escape(where)}",
    ]


def _count_lines(report: SyncReport) -> list[str]:
    counts = report.counts()
    pc, mc = counts["providers"], counts["models"]
    verb = "would change" if (report.dry_run or report.check) else "changed"
    return [
        f"Providers: {pc['added']} added, {pc['changed']} {verb}, {pc['unchanged']} unchanged, "
        f"{pc['failed']} failed" + (f", {pc['skipped']} skipped" if pc["skipped"] else ""),
        f"Models: {mc['added']} added, {mc['removed']} removed (now unavailable), "
        f"{mc['back']} back"
        + (f", {mc['pruned']} pruned" if mc["pruned"] else "")
        + f"; {mc['price_changed']} price changes",
    ]


def _left_lines(report: SyncReport) -> list[str]:
    """Providers that left the catalog: what became of their models and their file."""
    file_status = {
        Status.CHANGED: "file would be updated"
        if report.dry_run or report.check
        else "file updated",
        Status.UNCHANGED: "file unchanged",
    }
    lines = []
    for p, removed, pruned in report.left_catalog():
        parts = (
            f"{removed} models now unavailable" if removed else "",
            f"{pruned} pruned" if pruned else "",
            file_status.get(p.status, p.status),
        )
        lines.append(f"{p.id}: " + ", ".join(part for part in parts if part))
    return lines


def _price_lines(report: SyncReport) -> list[str]:
    by_model: dict[tuple[str, str], list[Change]] = {}
    for c in report.price_changes():
        by_model.setdefault((c.provider, c.model), []).append(c)
    return [f"{p}/{m}: {price_line(changes)}" for (p, m), changes in by_model.items()]
