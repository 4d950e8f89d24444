"""Numbers and durations in words: ``3.0``, ``-`` for nothing, ``12 min``."""

from __future__ import annotations

from typing import Any


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
