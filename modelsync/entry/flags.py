"""Flag values in the forms people type: ``128k``, ``1M``, ``0.05``, ``ten`` (an error).

Each parser raises :class:`~modelsync.errors.UsageError` naming the flag.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from ..errors import UsageError

_SUFFIX = {"": 1, "k": 1_000, "m": 1_000_000, "g": 1_000_000_000}
#: A value that starts with ``-`` but is a (negative) number, not the next flag.
_NEGATIVE = re.compile(r"-(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?[kmgKMG]?")
_COUNT = re.compile(r"^\s*(\d+(?:\.\d+)?|\.\d+)\s*([kmg]?)\s*$", re.IGNORECASE)


def parse_count(flag: str, text: str | None) -> int | None:
    """A token count: ``128000``, ``128k``, ``1M``, ``1.5M``, ``128_000``; ``None`` stays."""
    if text is None:
        return None
    match = _COUNT.match(str(text).replace("_", ""))
    if not match:
        raise UsageError(
            f"{flag} {text!r}: expected a whole number of tokens such as 128000, 128k or 1M"
        )
    # Exactly: 1.003k is 1,003 tokens (as a float, 1.003 * 1000 is 1002.9999999999999).
    from decimal import Decimal  # not at import: every task's start-up imports this module

    value = Decimal(match.group(1)) * _SUFFIX[match.group(2).lower()]
    if value != value.to_integral_value():
        raise UsageError(f"{flag} {text!r}: not a whole number of tokens")
    return int(value)


def parse_number(flag: str, text: str | None, *, minimum: float = 0.0) -> float | None:
    """A finite number at least ``minimum``; ``None`` stays."""
    if text is None:
        return None
    try:
        value = float(str(text).strip())
    except ValueError:
        raise UsageError(f"{flag} {text!r}: expected a number such as 0.5") from None
    if not math.isfinite(value) or value < minimum:
        raise UsageError(f"{flag} {text!r}: expected a finite number >= {minimum:g}")
    return value


def parse_int(flag: str, text: str | None, *, minimum: int = 0) -> int | None:
    """A whole number at least ``minimum``; ``None`` stays."""
    if text is None:
        return None
    stripped = str(text).strip()
    if not re.fullmatch(r"\d+", stripped) or int(stripped) < minimum:
        raise UsageError(f"{flag} {text!r}: expected a whole number >= {minimum}")
    return int(stripped)


def check_values_given(argv: Sequence[str], flags: Sequence[str]) -> None:
    """Raise :class:`UsageError` when a repeatable flag is given without its value.

    Invoke takes ``--provider`` with nothing after it (or followed by another flag) as no
    value at all, which would silently mean "every provider".
    """
    for i, token in enumerate(argv):
        name, eq, value = token.partition("=")
        if name not in flags:
            continue
        if eq:
            missing = not value
        else:
            following = argv[i + 1] if i + 1 < len(argv) else None
            missing = following is None or (
                following.startswith("-") and not _NEGATIVE.fullmatch(following)
            )
        if missing:
            raise UsageError(f"flag {name} needs a value: {name} NAME")
