"""Setting values in the forms people write: booleans, lists, numbers and mappings from
``invoke.yaml``, the environment or flags, converted and range-checked.

:mod:`modelsync.settings` resolves the layers; this module turns one value into the type
of its setting, or one :class:`~modelsync.errors.UsageError` naming where it came from.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

from .errors import UsageError

DEFAULT_ROUTE_THRESHOLDS: Mapping[str, float] = MappingProxyType(
    {"simple": 1.0, "medium": 2.5, "complex": 4.0}
)
#: The scale of ``task_complexity_score`` values and of route thresholds.
SCORE_RANGE = (0.0, 5.0)


_BOOL_WORDS = {
    "1": True,
    "true": True,
    "yes": True,
    "on": True,
    "0": False,
    "false": False,
    "no": False,
    "off": False,
}

#: The catalog audit's independent price sources (``docs/audit.md``): the setting
#: ``audit_sources`` replaces single entries; ``none`` turns a source off.
DEFAULT_AUDIT_SOURCES: Mapping[str, str] = MappingProxyType(
    {
        "litellm": "https://raw.githubusercontent.com/BerriAI/litellm/main/"
        "model_prices_and_context_window.json",
        "genai_prices": "https://raw.githubusercontent.com/pydantic/genai-prices/main/"
        "prices/new_data/v2/data.json",
    }
)

#: Allowed ranges: (lowest, highest, whether the lowest itself is allowed).
RANGES: dict[str, tuple[float, float, bool]] = {
    "cache_ttl": (0, 10 * 365 * 86400, True),
    "connect_timeout": (0, 3600, False),
    "read_timeout": (0, 3600, False),
    "fetch_deadline": (0, 86400, False),
    "retries": (0, 10, True),
    "retry_after_max": (0, 3600, True),
    "max_response_bytes": (1, 4 * 1024**3, True),
    "lock_timeout": (0, 86400, True),
    "shrink_threshold": (0, 1, True),
    "live_deadline": (0, 3600, False),
    "price_alert": (0, 10000, True),
    "audit_tolerance": (0, 1000, True),
}


def kind_of(name: str, default: Any) -> str:
    """The form setting ``name`` (whose default is ``default``) takes, in messages."""
    if name == "route_thresholds":
        return (
            "a mapping of names to numbers (name=value pairs, comma-separated, in the environment)"
        )
    if isinstance(default, Mapping):
        return "a mapping (name=value pairs, comma-separated, in the environment)"
    if isinstance(default, bool):
        return "a boolean (1/0, true/false, yes/no, on/off)"
    if isinstance(default, tuple):
        return "a list (comma-separated in the environment)"
    if isinstance(default, int):
        return "a whole number"
    if isinstance(default, float):
        return "a number"
    return "a string"


def convert(name: str, default: Any, value: Any, origin: str) -> Any:
    """``value`` as the type of ``default``, the default of setting ``name``;
    :class:`UsageError` naming ``origin`` (``setting modelsync.x``, ``environment variable
    INVOKE_MODELSYNC_X``, ``--flag``)."""
    try:
        if name == "route_thresholds":
            return _check_thresholds(_thresholds(value), origin)
        out = _coerce(default, value)
    except (TypeError, ValueError, OverflowError):
        shown = repr(value) if not isinstance(value, str) else repr(value[:80])
        if name == "live_keys":  # someone may paste a key there: never echo it
            shown = "something else (not shown: it may be a key)"
        raise UsageError(f"{origin}: expected {kind_of(name, default)}, got {shown}") from None
    if name == "live_endpoints":
        _check_endpoints(out, origin)
    if name == "live_keys":
        _check_key_variables(out, origin)
    if name == "audit_sources":
        out = _check_audit_sources(out, origin)
    if name in RANGES and out is not None:
        low, high, inclusive = RANGES[name]
        if not (low <= out if inclusive else low < out) or out > high:
            lowest = f">= {low:g}" if inclusive else f"> {low:g}"
            raise UsageError(f"{origin}: must be {lowest} and <= {high:g}, got {value!r}")
    return out


def _coerce(default: Any, value: Any) -> Any:
    if isinstance(default, Mapping):
        return _mapping(value)
    if isinstance(default, bool):
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _BOOL_WORDS:
            return _BOOL_WORDS[value.strip().lower()]
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        raise ValueError(value)
    if isinstance(default, tuple):
        if isinstance(value, str):
            return tuple(p.strip() for p in value.split(",") if p.strip())
        if isinstance(value, Iterable) and not isinstance(value, Mapping):
            items = list(value)
            if not all(isinstance(v, str) for v in items):
                raise TypeError(value)
            return tuple(items)
        raise TypeError(value)
    if isinstance(value, bool):
        raise TypeError(value)
    if isinstance(default, int):
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, (int, str)):
            return int(str(value).strip().replace("_", ""))
        raise TypeError(value)
    if isinstance(default, float):
        if not isinstance(value, (int, float, str)):
            raise TypeError(value)
        number = float(value)
        if not math.isfinite(number):
            raise ValueError(value)
        return number
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError(value)
    return value


def _thresholds(value: Any) -> dict[str, float]:
    """``{"complex": 4.5}`` or ``"complex=4.5, simple=1"`` as names to finite numbers."""
    if isinstance(value, str):
        value = _mapping(value)
    if not isinstance(value, Mapping):
        raise TypeError(value)
    out: dict[str, float] = {}
    for key, number in value.items():
        if not isinstance(key, str) or isinstance(number, bool):
            raise TypeError(value)
        out[key] = _coerce(0.0, number)
    return out


def _check_thresholds(thresholds: Mapping[str, float], origin: str) -> Mapping[str, float]:
    """Each threshold on the score scale; the entries given replace the defaults'."""
    low, high = SCORE_RANGE
    for key, number in thresholds.items():
        if not low <= number <= high:
            raise UsageError(
                f"{origin}: {key!r} must be a score from {low:g} to {high:g}, got {number!r}"
            )
    return MappingProxyType({**DEFAULT_ROUTE_THRESHOLDS, **thresholds})


def _mapping(value: Any) -> dict[str, str]:
    """A string-to-string mapping: a mapping, or ``a=x, b=y`` (the environment's form)."""
    if isinstance(value, str):
        pairs = [p.strip() for p in value.split(",") if p.strip()]
        out: dict[str, str] = {}
        for pair in pairs:
            name, eq, text = pair.partition("=")
            if not eq or not name.strip() or not text.strip():
                raise ValueError(value)
            out[name.strip()] = text.strip()
        return out
    if not isinstance(value, Mapping):
        raise TypeError(value)
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise TypeError(value)
    return dict(value)


def _check_endpoints(endpoints: Mapping[str, str], origin: str) -> None:
    """Each base URL must be one a key may be sent to (see :mod:`modelsync.util.endpoints`)."""
    from .util.endpoints import shown, unsafe_base_url

    for provider, url in endpoints.items():
        problem = unsafe_base_url(url)
        if problem:
            raise UsageError(f"{origin} (provider {provider!r}): {problem}, got {shown(url)}")


_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")


def _check_key_variables(keys: Mapping[str, str], origin: str) -> None:
    """Each value names one environment variable (``OPENAI_API_KEY``), never a key."""
    for provider, variable in keys.items():
        if not _VARIABLE.fullmatch(variable):
            raise UsageError(
                f"{origin} (provider {provider!r}): expected the name of an environment "
                "variable such as OPENAI_API_KEY (letters, digits and _), not a key: "
                "the value is not shown"
            )


def _check_audit_sources(sources: Mapping[str, str], origin: str) -> Mapping[str, str]:
    """Only the sources the audit knows; the entries given replace the defaults'."""
    for name in sources:
        if name not in DEFAULT_AUDIT_SOURCES:
            known = ", ".join(DEFAULT_AUDIT_SOURCES)
            raise UsageError(f"{origin}: unknown source {name!r} (known: {known})")
    return MappingProxyType({**DEFAULT_AUDIT_SOURCES, **sources})
