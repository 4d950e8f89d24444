"""The sync's vocabularies: a provider's status, the kind of a change, where the catalog
came from.

Each is a ``str``-valued :class:`~enum.Enum`, so a member is equal to its string, is
written to JSON as that string and formats as it; the report's counts, its JSON sections
and its human and Markdown sections are derived from these lists.
"""

from __future__ import annotations

from enum import Enum


class _Words(str, Enum):
    """A member reads as its value, in ``str()``, f-strings and JSON alike."""

    def __str__(self) -> str:
        return str(self.value)

    def __format__(self, spec: str) -> str:
        return format(str(self.value), spec)

    def __hash__(self) -> int:  # as its string, so either finds it in a dict
        return hash(str(self.value))


class Status(_Words):
    """What became of one provider (one config file)."""

    ADDED = "added"
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    FAILED = "failed"
    SKIPPED = "skipped"

    @property
    def writes(self) -> bool:
        """The sync writes (or would write) this provider's file."""
        return self in (Status.ADDED, Status.CHANGED)


class Kind(_Words):
    """One kind of thing a merge changed (or, for the standing kinds, left alone)."""

    ADDED = "added"
    REMOVED = "removed"
    BACK = "back"
    PRUNED = "pruned"
    PRICE = "price"
    CONTEXT_WINDOW = "context_window"
    MAX_OUTPUT_TOKENS = "max_output_tokens"
    DEPRECATED = "deprecated"
    PINNED = "pinned"
    SHADOWED = "shadowed"
    NOT_PRUNED = "not_pruned"

    @property
    def standing(self) -> bool:
        """True as long as neither the file nor upstream changes: the sync state keeps
        such changes, so that a sync that skips the merge still reports them."""
        return self in (Kind.PINNED, Kind.SHADOWED, Kind.NOT_PRUNED)


#: The report's ``counts.models`` key for each counted kind, in the JSON's order.
KIND_COUNTS: dict[Kind, str] = {
    Kind.ADDED: "added",
    Kind.REMOVED: "removed",
    Kind.BACK: "back",
    Kind.PRUNED: "pruned",
    Kind.PRICE: "price_changed",
    Kind.CONTEXT_WINDOW: "context_changed",
    Kind.MAX_OUTPUT_TOKENS: "output_limit_changed",
    Kind.DEPRECATED: "deprecated",
    Kind.PINNED: "pinned_differs",
}


class Origin(_Words):
    """Where a catalog came from."""

    NETWORK = "network"
    REVALIDATED = "revalidated"
    CACHE = "cache"
    STALE_CACHE = "stale-cache"
    BUNDLED = "bundled"
    FILE = "file"

    @property
    def cached(self) -> bool:
        """The body is the HTTP cache's, so it has an age worth showing."""
        return self in (Origin.CACHE, Origin.STALE_CACHE, Origin.REVALIDATED)
