"""What a sync says about a model the team depends on: :class:`Attention`, one thing
about one depended-on model, and why (:class:`Why`). Found by
:mod:`modelsync.sync.attention`, carried by :class:`~modelsync.report.types.SyncReport`,
imported only by a sync that has something to say (not by a no-op)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from ..util.humanize import num


class Why(str, enum.Enum):
    """Why a model needs attention."""

    LEFT = "left"
    BACK = "back"
    DEPRECATED = "deprecated"
    STATUS = "status"
    PRICE_ROSE = "price_rose"
    CONTEXT_SHRANK = "context_shrank"
    OUTPUT_SHRANK = "output_shrank"
    PINNED_MOVED = "pinned_moved"


@dataclass(frozen=True)
class Attention:
    """One thing about one depended-on model."""

    provider: str
    model: str
    why: Why
    #: The field concerned (``input``, ``context_window``, ``pricing``...), if any.
    field: str | None
    old: Any
    new: Any
    #: Why the team depends on the model: ``default_model`` and/or its user keys.
    depends: tuple[str, ...]

    @property
    def detail(self) -> str:
        """What changed, in words: ``input price 3.0 -> 3.75 (+25.0%)``."""
        if self.why is Why.LEFT:
            return "left the catalog (now available: false)"
        if self.why is Why.BACK:
            return "back in the catalog"
        if self.why is Why.DEPRECATED:
            return "deprecated upstream"
        if self.why is Why.STATUS:
            return f"status {self.old or 'stable'} -> {self.new or 'stable'}"
        if self.why is Why.PRICE_ROSE:
            rise = (self.new - self.old) / self.old * 100
            return f"{self.field} price {num(self.old)} -> {num(self.new)} (+{rise:.1f}%)"
        if self.why in (Why.CONTEXT_SHRANK, Why.OUTPUT_SHRANK):
            return f"{self.field} {num(self.old)} -> {num(self.new)}"
        return f"pinned {self.field} moved upstream: {_short(self.old)} -> {_short(self.new)}"

    def to_json(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "model": self.model,
            "why": self.why.value,
            "field": self.field,
            "old": self.old,
            "new": self.new,
            "depends": list(self.depends),
            "detail": self.detail,
        }


def _short(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {num(v)}" for k, v in value.items()) + "}"
    return num(value)
