"""How a sync's report words prices: one price, one model's price changes, and changes
of long-context tiers and modes spelled out per tier and per mode."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .report import Change


def human_age(seconds: float) -> str:
    """``42 s``, ``12 min``, ``3.5 h``, ``2.0 days``: the age of a cached catalog."""
    if seconds < 90:
        return f"{int(seconds)} s"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} min"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


def num(value: Any) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return f"{value:.1f}"
    return "-" if value is None else str(value)


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
