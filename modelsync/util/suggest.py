"""Did you mean": close matches for a name the user typed."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def close_matches(name: str, options: Iterable[str], n: int = 3, cutoff: float = 0.6) -> list[str]:
    """Up to ``n`` of ``options`` that look like ``name``, closest first."""
    return difflib.get_close_matches(name, sorted(set(options)), n=n, cutoff=cutoff)


def did_you_mean(name: str, options: Iterable[str], n: int = 3) -> str:
    """``"; did you mean 'a', 'b'?"``, or ``""`` when nothing is close."""
    close = close_matches(name, options, n)
    return f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
