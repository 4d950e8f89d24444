"""What a sync did: the :class:`SyncReport`, its JSON form and its human summary.

The JSON form is documented in ``docs/report.md``; keys are only ever added.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TextIO

from .wording import group_parts, num, price_line

if TYPE_CHECKING:
    from .attention import Attention

REPORT_VERSION = 1


@dataclass(frozen=True)
class Change:
    """One thing a merge changed (or, for ``pinned`` and ``shadowed``, left alone).

    ``kind`` is one of ``added``, ``removed`` (now unavailable), ``back`` (available
    again), ``pruned``, ``price``, ``context_window``, ``max_output_tokens``,
    ``deprecated``, ``pinned`` (upstream differs from a pinned field), ``shadowed`` (a
    hand-written entry has the id of a catalog model), ``not_pruned`` (left the catalog
    but kept despite ``--prune``, because the file refers to it: ``field`` says how,
    ``default_model`` or ``anchor``).
    """

    provider: str
    model: str
    kind: str
    field: str | None = None
    old: Any = None
    new: Any = None


#: Provider statuses.
ADDED, CHANGED, UNCHANGED, FAILED, SKIPPED = "added", "changed", "unchanged", "failed", "skipped"

#: Change kinds that stay true as long as neither the file nor upstream changes (the
#: sync state keeps them, so that a sync that skips the merge still reports them).
STANDING = ("pinned", "shadowed", "not_pruned")

#: The one-line fix shown for a shadowed entry.
SHADOWED_FIX = (
    "add `source: models.dev` to let the sync manage it, or rename the entry to keep it yours"
)


@dataclass
class ProviderResult:
    """The outcome for one provider (one config file)."""

    id: str
    status: str
    path: str
    changes: list[Change] = field(default_factory=list)
    #: upstream models skipped for bad data: id -> reason
    skipped_models: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    in_catalog: bool = True
    diff: str | None = None


@dataclass
class SourceInfo:
    origin: str
    source: str
    age_seconds: float | None = None
    snapshot_date: str | None = None
    sha256: str | None = None
    #: the newest ``last_updated`` of any model in the catalog (the catalog's date)
    newest_update: str | None = None


@dataclass
class SyncReport:
    """Everything a sync did or, with ``dry_run``/``check``, would do."""

    source: SourceInfo
    config_dir: str
    providers: list[ProviderResult] = field(default_factory=list)
    dry_run: bool = False
    check: bool = False
    refused: str | None = None
    #: which guard refused the catalog and its figures, e.g. ``{"guard": "older", ...}``
    refusal: dict[str, Any] | None = None
    warnings: list[str] = field(default_factory=list)
    #: The sync created the config directory.
    created_config_dir: bool = False
    #: What changed about models the team depends on (see :mod:`modelsync.attention`).
    attention: list[Attention] = field(default_factory=list)

    # -- derived ---------------------------------------------------------------------------

    def by_status(self, status: str) -> list[ProviderResult]:
        return [p for p in self.providers if p.status == status]

    @property
    def changed_files(self) -> list[str]:
        return [p.path for p in self.providers if p.status in (ADDED, CHANGED)]

    @property
    def failed(self) -> list[ProviderResult]:
        return self.by_status(FAILED)

    @property
    def ok(self) -> bool:
        return not self.failed and self.refused is None

    def written(self) -> list[ProviderResult]:
        """Providers whose changes are in their file (with ``dry_run``/``check``: would
        be): every one but those that failed, whose files were left as they were."""
        return [p for p in self.providers if p.status != FAILED]

    def changes(self, kind: str) -> list[Change]:
        """Changes of one kind, in written providers only."""
        return [c for p in self.written() for c in p.changes if c.kind == kind]

    def price_changes(self) -> list[Change]:
        return self.changes("price")

    def priced_models(self) -> list[tuple[str, str]]:
        """Models whose pricing changed, each once."""
        return list(dict.fromkeys((c.provider, c.model) for c in self.price_changes()))

    def skipped_models(self) -> list[tuple[str, str, str]]:
        return [(p.id, m, why) for p in self.providers for m, why in p.skipped_models.items()]

    def left_catalog(self) -> list[tuple[ProviderResult, int, int]]:
        """Providers that left the catalog in this sync, among those written: (result,
        models now unavailable, models pruned)."""
        out = []
        for p in self.written():
            if p.in_catalog:
                continue
            kinds = Counter(c.kind for c in p.changes)
            if kinds["removed"] or kinds["pruned"]:
                out.append((p, kinds["removed"], kinds["pruned"]))
        return out

    def new_providers(self) -> list[tuple[ProviderResult, int]]:
        """Providers whose file this sync creates, with their number of models."""
        return [
            (p, sum(1 for c in p.changes if c.kind == "added"))
            for p in self.providers
            if p.status == ADDED
        ]

    def counts(self) -> dict[str, Any]:
        status = Counter(p.status for p in self.providers)
        kinds = Counter(c.kind for p in self.written() for c in p.changes)
        return {
            "providers": {
                s: status.get(s, 0) for s in (ADDED, CHANGED, UNCHANGED, FAILED, SKIPPED)
            },
            "models": {
                "added": kinds.get("added", 0),
                "removed": kinds.get("removed", 0),
                "back": kinds.get("back", 0),
                "pruned": kinds.get("pruned", 0),
                "price_changed": len(self.priced_models()),
                "context_changed": kinds.get("context_window", 0),
                "output_limit_changed": kinds.get("max_output_tokens", 0),
                "deprecated": kinds.get("deprecated", 0),
                "pinned_differs": kinds.get("pinned", 0),
                "skipped": len(self.skipped_models()),
            },
            "attention": len(self.attention),
        }

    def to_json(self) -> dict[str, Any]:
        def change(c: Change) -> dict[str, Any]:
            out: dict[str, Any] = {"provider": c.provider, "model": c.model}
            if c.field is not None:
                out.update(field=c.field, old=c.old, new=c.new)
            if c.kind == "price" and c.field in ("tiers", "modes"):
                out["details"] = group_parts(c)
            if c.kind == "shadowed":
                out["fix"] = SHADOWED_FIX
            return out

        kinds = (
            "added",
            "removed",
            "back",
            "pruned",
            "price",
            "context_window",
            "max_output_tokens",
            "deprecated",
            "pinned",
            "shadowed",
            "not_pruned",
        )
        return {
            "version": REPORT_VERSION,
            "ok": self.ok,
            "dry_run": self.dry_run,
            "check": self.check,
            "refused": self.refused,
            "refusal": self.refusal,
            "config_dir": self.config_dir,
            "created_config_dir": self.created_config_dir,
            "source": {
                "origin": self.source.origin,
                "source": self.source.source,
                "age_seconds": None
                if self.source.age_seconds is None
                else round(self.source.age_seconds, 1),
                "snapshot_date": self.source.snapshot_date,
                "sha256": self.source.sha256,
                "newest_update": self.source.newest_update,
            },
            "counts": self.counts(),
            "attention": [a.to_json() for a in self.attention],
            "providers": [
                {
                    "id": p.id,
                    "status": p.status,
                    "path": p.path,
                    "in_catalog": p.in_catalog,
                    **({"error": p.error} if p.error else {}),
                }
                for p in self.providers
                if p.status != UNCHANGED or p.error
            ],
            "changed_files": self.changed_files,
            "new_providers": [
                {"id": p.id, "path": p.path, "models": n} for p, n in self.new_providers()
            ],
            "left_catalog": [
                {"id": p.id, "path": p.path, "status": p.status, "removed": r, "pruned": d}
                for p, r, d in self.left_catalog()
            ],
            "changes": {k: [change(c) for c in self.changes(k)] for k in kinds},
            "skipped_models": [
                {"provider": p, "model": m, "reason": why} for p, m, why in self.skipped_models()
            ],
            "warnings": self.warnings,
            "errors": [
                *([f"catalog not applied: {self.refused}"] if self.refused else []),
                *(p.error or f"{p.id}: failed" for p in self.failed),
            ],
        }


# --- human summary -------------------------------------------------------------------


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


def render(report: SyncReport, limit: int = 10, stream: TextIO | None = None) -> str:
    """The summary printed after a sync; lists are cut at ``limit`` items.

    Ids, names, paths and messages come from the catalog and the user's files: they are
    escaped (:func:`modelsync.text.escape`), so none can move the cursor, retitle the
    terminal or start a line of its own.
    """
    from .text import escape

    style = _Style(use_colour(stream or sys.stdout))
    lines: list[str] = []
    counts = report.counts()
    pc, mc = counts["providers"], counts["models"]
    verb = "would change" if (report.dry_run or report.check) else "changed"
    src = report.source
    where = src.source
    if src.origin in ("cache", "stale-cache", "revalidated") and src.age_seconds is not None:
        from .fetch import human_age

        where += f" ({src.origin}, {human_age(src.age_seconds)} old)"
    elif src.origin == "bundled":
        where = f"bundled snapshot {src.snapshot_date}"
    else:
        where += f" ({src.origin})"
    created = " (created)" if report.created_config_dir else ""
    lines.append(f"Config directory: {escape(os.path.abspath(report.config_dir))}{created}")
    lines.append(f"Catalog: {escape(where)}")
    if report.refused:
        lines.append(style(f"Not applied: {escape(report.refused)}", "31"))
        return "\n".join(lines) + "\n"
    lines.append(
        f"Providers: {pc['added']} added, {pc['changed']} {verb}, {pc['unchanged']} unchanged, "
        f"{pc['failed']} failed" + (f", {pc['skipped']} skipped" if pc["skipped"] else "")
    )
    lines.append(
        f"Models: {mc['added']} added, {mc['removed']} removed (now unavailable), "
        f"{mc['back']} back"
        + (f", {mc['pruned']} pruned" if mc["pruned"] else "")
        + f"; {mc['price_changed']} price changes"
    )

    def section(title: str, items: list[str], code: str = "") -> None:
        if not items:
            return
        lines.append(
            style(f"{title} ({len(items)}):", code) if code else f"{title} ({len(items)}):"
        )
        lines.extend(f"  {escape(item)}" for item in items[:limit])
        if len(items) > limit:
            lines.append(f"  ... and {len(items) - limit} more, see --json")

    section(
        "Needs attention",
        [f"{a.provider}/{a.model}: {a.detail} [{', '.join(a.depends)}]" for a in report.attention],
        "31",
    )
    section("New providers", [f"{p.id} ({n} models)" for p, n in report.new_providers()])
    file_status = {
        CHANGED: "file would be updated" if report.dry_run or report.check else "file updated",
        UNCHANGED: "file unchanged",
    }
    section(
        "Providers that left the catalog (file kept)",
        [
            f"{p.id}: "
            + ", ".join(
                part
                for part in (
                    f"{removed} models now unavailable" if removed else "",
                    f"{pruned} pruned" if pruned else "",
                    file_status.get(p.status, p.status),
                )
                if part
            )
            for p, removed, pruned in report.left_catalog()
        ],
    )

    by_model: dict[tuple[str, str], list[Change]] = {}
    for c in report.price_changes():
        by_model.setdefault((c.provider, c.model), []).append(c)
    section(
        "Price changes",
        [f"{p}/{m}: {price_line(changes)}" for (p, m), changes in by_model.items()],
        "33",
    )
    section(
        "Context window changes",
        [
            f"{c.provider}/{c.model}: {num(c.old)} -> {num(c.new)}"
            for c in report.changes("context_window")
        ],
    )
    section(
        "Output limit changes",
        [
            f"{c.provider}/{c.model}: {num(c.old)} -> {num(c.new)}"
            for c in report.changes("max_output_tokens")
        ],
    )
    section("Newly deprecated", [f"{c.provider}/{c.model}" for c in report.changes("deprecated")])
    section(
        "Left the catalog (kept as available: false)",
        [f"{c.provider}/{c.model}" for c in report.changes("removed")],
    )
    section(
        "Pruned (left the catalog, no user keys)",
        [f"{c.provider}/{c.model}" for c in report.changes("pruned")],
    )
    section("Back in the catalog", [f"{c.provider}/{c.model}" for c in report.changes("back")])
    section("Pinned, upstream differs", [_pinned_line(c) for c in report.changes("pinned")])
    reasons = {"default_model": "default_model names it", "anchor": "an alias may refer to it"}
    section(
        "Not pruned, the file refers to them",
        [
            f"{c.provider}/{c.model} ({reasons.get(c.field or '', c.field)})"
            for c in report.changes("not_pruned")
        ],
    )
    section(
        "Hand-written entries shadow catalog models",
        [f"{c.provider}/{c.model}: {SHADOWED_FIX}" for c in report.changes("shadowed")],
    )
    if mc["skipped"]:
        lines.append(
            f"Models skipped for bad upstream data: {mc['skipped']} (named on stderr and in --json)"
        )
    section(
        "Providers skipped for bad upstream data",
        [f"{p.id}: {p.error}" for p in report.by_status(SKIPPED)],
        "33",
    )
    section("Failed", [p.error or p.id for p in report.failed], "31")
    return "\n".join(lines) + "\n"
