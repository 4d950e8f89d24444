"""The shape of modelsync's own cache files, checked on read: a file of the wrong shape is
corrupt, and a corrupt cache file is treated as missing, with one warning.

The cache files (the sync state, the last-sync record, the validation cache) only ever
cost speed when lost, but a wrong value in one can give a wrong answer: a last sync
dated in the future is "fresh" forever, ``"ok": "false"`` is true to ``bool()``, a
list where a digest belongs crashes. So every value is checked for its type (a ``bool``
is not a number, a string is not a ``bool``), every number for being finite, and every
moment for being no later than :data:`FUTURE_SLACK` seconds from now (a clock that was
once ahead must not freeze the cache).
"""

from __future__ import annotations

import math
import time
from typing import Any

#: How far in the future a recorded moment may lie (clock steps, skew between hosts).
FUTURE_SLACK = 300.0

#: (path, reason) pairs already warned about in this process: one warning per corruption,
#: even when the file is read twice (``sync_if_needed`` reads the record before and after
#: taking the directory lock).
_warned: set[tuple[str, str]] = set()


class Corrupt(ValueError):
    """A cache file whose content does not have the expected shape."""


def warn_corrupt(logger: Any, what: str, path: object, reason: object) -> None:
    """Warn once per process that a cache file is corrupt and is treated as missing."""
    key = (str(path), str(reason))
    if key in _warned:
        return
    _warned.add(key)
    logger.warning("ignoring a corrupt %s %s (%s); treating it as missing", what, path, reason)


def mapping(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Corrupt(f"{what}: expected an object, got {type(value).__name__}")
    return value


def string(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise Corrupt(f"{what}: expected a string, got {type(value).__name__}")
    return value


def optional_string(value: Any, what: str) -> str | None:
    return None if value is None else string(value, what)


def strings(value: Any, what: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise Corrupt(f"{what}: expected a list of strings")
    return value


def boolean(value: Any, what: str) -> bool:
    if not isinstance(value, bool):
        raise Corrupt(f"{what}: expected true or false, got {type(value).__name__}")
    return value


def integer(value: Any, what: str, *, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise Corrupt(f"{what}: expected an integer >= {minimum}")
    return value


def number(value: Any, what: str) -> float:
    """A finite number (not a ``bool``, not NaN or infinite)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise Corrupt(f"{what}: expected a number, got {type(value).__name__}")
    if not math.isfinite(value):
        raise Corrupt(f"{what}: {value!r} is not a finite number")
    return float(value)


def moment(value: Any, what: str) -> float:
    """A time in seconds since the epoch: finite, not negative, and not later than
    :data:`FUTURE_SLACK` seconds from now."""
    at = number(value, what)
    if at < 0:
        raise Corrupt(f"{what}: {at!r} is before 1970")
    if at > time.time() + FUTURE_SLACK:
        raise Corrupt(f"{what}: {at!r} is in the future")
    return at


def signature(value: Any, what: str) -> list[Any] | None:
    """A file signature (a list of integers, maybe led by a name), or ``None``."""
    if value is None:
        return None
    if not isinstance(value, list) or not all(
        isinstance(v, str) or (isinstance(v, int) and not isinstance(v, bool)) for v in value
    ):
        raise Corrupt(f"{what}: expected a file signature")
    return value
