"""What a sync did: the :class:`SyncReport`, its JSON form and its human summary.

The JSON form is documented in ``docs/report.md``; keys are only ever added.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..model.vocab import KIND_COUNTS, Kind, Origin, Status
from ..util.humanize import num

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
    kind: Kind
    field: str | None = None
    old: Any = None
    new: Any = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", Kind(self.kind))


#: Provider statuses (kept as names for the modules that import them).
ADDED, CHANGED, UNCHANGED = Status.ADDED, Status.CHANGED, Status.UNCHANGED
FAILED, SKIPPED = Status.FAILED, Status.SKIPPED

#: Change kinds that the sync state keeps (see :attr:`Kind.standing`).
STANDING = tuple(k for k in Kind if k.standing)

#: The one-line fix shown for a shadowed entry.
SHADOWED_FIX = (
    "add `source: models.dev` to let the sync manage it, or rename the entry to keep it yours"
)


@dataclass
class ProviderResult:
    """The outcome for one provider (one config file)."""

    id: str
    status: Status
    path: str
    changes: list[Change] = field(default_factory=list)
    #: upstream models skipped for bad data: id -> reason
    skipped_models: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    in_catalog: bool = True
    diff: str | None = None


@dataclass
class SourceInfo:
    origin: Origin
    source: str
    age_seconds: float | None = None
    snapshot_date: str | None = None
    sha256: str | None = None
    #: the newest ``last_updated`` of any model in the catalog (the catalog's date)
    newest_update: str | None = None

    def __post_init__(self) -> None:
        self.origin = Origin(self.origin)


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
    #: What changed about models the team depends on (see :mod:`modelsync.sync.attention`).
    attention: list[Attention] = field(default_factory=list)

    # -- derived ---------------------------------------------------------------------------

    def by_status(self, status: Status) -> list[ProviderResult]:
        return [p for p in self.providers if p.status == status]

    @property
    def changed_files(self) -> list[str]:
        return [p.path for p in self.providers if p.status.writes]

    @property
    def failed(self) -> list[ProviderResult]:
        return self.by_status(Status.FAILED)

    @property
    def ok(self) -> bool:
        return not self.failed and self.refused is None

    def written(self) -> list[ProviderResult]:
        """Providers whose changes are in their file (with ``dry_run``/``check``: would
        be): every one but those that failed, whose files were left as they were."""
        return [p for p in self.providers if p.status != Status.FAILED]

    def changes(self, kind: Kind) -> list[Change]:
        """Changes of one kind, in written providers only."""
        return [c for p in self.written() for c in p.changes if c.kind == kind]

    def price_changes(self) -> list[Change]:
        return self.changes(Kind.PRICE)

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
            if kinds[Kind.REMOVED] or kinds[Kind.PRUNED]:
                out.append((p, kinds[Kind.REMOVED], kinds[Kind.PRUNED]))
        return out

    def new_providers(self) -> list[tuple[ProviderResult, int]]:
        """Providers whose file this sync creates, with their number of models."""
        return [
            (p, sum(1 for c in p.changes if c.kind == Kind.ADDED))
            for p in self.providers
            if p.status == Status.ADDED
        ]

    def counts(self) -> dict[str, Any]:
        status = Counter(p.status for p in self.providers)
        kinds = Counter(c.kind for p in self.written() for c in p.changes)
        kinds[Kind.PRICE] = len(self.priced_models())  # models, not prices
        models = {name: kinds.get(kind, 0) for kind, name in KIND_COUNTS.items()}
        return {
            "providers": {s.value: status.get(s, 0) for s in Status},
            "models": {**models, "skipped": len(self.skipped_models())},
            "attention": len(self.attention),
        }

    def to_json(self) -> dict[str, Any]:
        """The JSON report (``docs/report.md``): its keys in their documented order."""
        return {
            "version": REPORT_VERSION,
            "ok": self.ok,
            "dry_run": self.dry_run,
            "check": self.check,
            "refused": self.refused,
            "refusal": self.refusal,
            "config_dir": self.config_dir,
            "created_config_dir": self.created_config_dir,
            "source": _source_json(self.source),
            "counts": self.counts(),
            "attention": [a.to_json() for a in self.attention],
            "providers": [
                _provider_json(p) for p in self.providers if p.status != UNCHANGED or p.error
            ],
            "changed_files": self.changed_files,
            "new_providers": [
                {"id": p.id, "path": p.path, "models": n} for p, n in self.new_providers()
            ],
            "left_catalog": [
                {"id": p.id, "path": p.path, "status": p.status, "removed": r, "pruned": d}
                for p, r, d in self.left_catalog()
            ],
            "changes": {k.value: [_change_json(c) for c in self.changes(k)] for k in Kind},
            "skipped_models": [
                {"provider": p, "model": m, "reason": why} for p, m, why in self.skipped_models()
            ],
            "warnings": self.warnings,
            "errors": self.errors(),
        }

    def errors(self) -> list[str]:
        """The report's errors: a refused catalog, then each failed provider."""
        return [
            *([f"catalog not applied: {self.refused}"] if self.refused else []),
            *(p.error or f"{p.id}: failed" for p in self.failed),
        ]


def price_diff(old: Any, new: Any, skip: str = "") -> str:
    """``input 6.0 -> 5.0, output 22.5 (new)`` for two mappings of prices."""
    old = old if isinstance(old, dict) else {}
    new = new if isinstance(new, dict) else {}
    parts = []
    for key in dict.fromkeys([*old, *new]):
        if key == skip or old.get(key) == new.get(key):
            continue
        if key not in old:
            parts.append(f"{key} {num(new[key])} (new)")
        elif key not in new:
            parts.append(f"{key} {num(old[key])} (dropped)")
        else:
            parts.append(f"{key} {num(old[key])} -> {num(new[key])}")
    return ", ".join(parts)


def group_parts(c: Change) -> list[str]:
    """A change of long-context tiers or modes, spelled out per tier or mode:
    ``tiers above 200000: input 6.0 -> 5.0``, ``mode fast: output 30.0 -> 24.0``."""
    if c.field == "tiers":

        def by_size(tiers: Any) -> dict[Any, Any]:
            items = tiers if isinstance(tiers, list) else []
            return {t.get("above_context"): t for t in items if isinstance(t, dict)}

        old, new = by_size(c.old), by_size(c.new)
        label, skip = "tiers above {}", "above_context"
    else:
        old = c.old if isinstance(c.old, dict) else {}
        new = c.new if isinstance(c.new, dict) else {}
        label, skip = "mode {}", ""
    parts = []
    for key in dict.fromkeys([*old, *new]):
        head = label.format(key)
        if key not in old:
            parts.append(f"{head}: {price_diff({}, new[key], skip).replace(' (new)', '')} (new)")
        elif key not in new:
            parts.append(f"{head} (dropped)")
        else:
            diff = price_diff(old[key], new[key], skip)
            if diff:
                parts.append(f"{head}: {diff}")
    return parts or [f"{c.field} changed"]


def _source_json(src: SourceInfo) -> dict[str, Any]:
    age = None if src.age_seconds is None else round(src.age_seconds, 1)
    return {
        "origin": src.origin,
        "source": src.source,
        "age_seconds": age,
        "snapshot_date": src.snapshot_date,
        "sha256": src.sha256,
        "newest_update": src.newest_update,
    }


def _provider_json(p: ProviderResult) -> dict[str, Any]:
    out: dict[str, Any] = {"id": p.id, "status": p.status, "path": p.path}
    out["in_catalog"] = p.in_catalog
    if p.error:
        out["error"] = p.error
    return out


def _change_json(c: Change) -> dict[str, Any]:
    out: dict[str, Any] = {"provider": c.provider, "model": c.model}
    if c.field is not None:
        out.update(field=c.field, old=c.old, new=c.new)
    if c.kind == Kind.PRICE and c.field in ("tiers", "modes"):
        out["details"] = group_parts(c)
    if c.kind == Kind.SHADOWED:
        out["fix"] = SHADOWED_FIX
    return out
