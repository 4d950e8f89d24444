"""How a sync's report words prices: one price of one model, and one model's price
changes on one line."""

from __future__ import annotations

import math

from ..util.humanize import num
from .types import Change, group_parts


def price_line(changes: list[Change]) -> str:
    """One model's price changes: flat prices first, then each tier and mode."""
    flat = ", ".join(price_part(c) for c in changes if c.field not in ("tiers", "modes"))
    groups = [part for c in changes if c.field in ("tiers", "modes") for part in group_parts(c)]
    return "; ".join(([flat] if flat else []) + groups)


def price_part(c: Change) -> str:
    """``input 15.0 -> 5.0 (-66.7%)`` for one price of one model."""
    if c.old is None:
        return f"{c.field} {num(c.new)} (new)"
    if c.new is None:
        return f"{c.field} {num(c.old)} (dropped)"
    text = f"{c.field} {num(c.old)} -> {num(c.new)}"
    numbers = isinstance(c.old, (int, float)) and isinstance(c.new, (int, float))
    if numbers and c.old and math.isfinite(c.old) and math.isfinite(c.new):
        text += f" ({(c.new - c.old) / c.old * 100:+.1f}%)"
    return text
