"""How modelsync writes a scalar, so YAML 1.1 and 1.2 readers see the same value.

Strings that either version would read as something else (``no``, ``on``, ``1e3``,
``2024-01-01``, ``null``...) are quoted, and floats always have a fraction before the
exponent (``1.0e-07``). The canonical writer (:mod:`.emit`) and the round trip
(:mod:`.roundtrip`) share these rules.
"""

from __future__ import annotations

import functools
import math
import re
from typing import Any

from .errors import Unrepresentable

_PLAIN = re.compile(r"[A-Za-z0-9_(./][A-Za-z0-9 _./()@+-]*")
# In a block mapping value more characters are safe in a plain scalar (URLs, lists in
# prose), as long as ": " and " #" do not occur and it does not end with ":".
_PLAIN_VALUE = re.compile(r"[A-Za-z0-9_(./][A-Za-z0-9 _./()@+:,?&=%~#!*;'-]*")
# Words that some YAML version reads as a boolean or null (1.1: y/n/yes/no/on/off).
_SPECIAL_WORDS = frozenset(
    w
    for base in ("y", "n", "yes", "no", "on", "off", "true", "false", "null")
    for w in (base, base.capitalize(), base.upper())
) | {"~"}
# Anything that starts like a number: ints, floats, octal/hex/binary, sexagesimal,
# timestamps, ``.inf``/``.nan``, ``._5`` (a float to YAML 1.2 readers). Deliberately
# broad: quoting a string never hurts.
_NUMBERISH = re.compile(
    r"[-+]?(?:(?:\.[0-9_]|[0-9])[0-9a-fA-FxXoObB_.:eE+-]*|\.(?:inf|Inf|INF|nan|NaN|NAN))"
)


# YAML 1.1 (and ruamel's 1.2) timestamps, which a plain scalar in a value may spell.
_TIMESTAMP = re.compile(
    r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
    r"(?:(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?"
    r"(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)?"
)


def fits_single_quotes(s: str) -> bool:
    for ch in s:
        o = ord(ch)
        if 0x20 <= o <= 0x7E:
            continue
        if o < 0xA1 or 0xD800 <= o <= 0xDFFF or o in (0x2028, 0x2029, 0xFEFF) or o > 0x10FFFF:
            return False
    return True


def scalar_style(s: str, value: bool = False) -> str:
    """How modelsync writes the string ``s``: ``"plain"``, ``"single"`` or ``"double"``.

    ``value`` is true for a block mapping value, where more characters may stay plain;
    keys and items of flow sequences use the strict rule.
    """
    if value:
        plain = bool(_PLAIN_VALUE.fullmatch(s)) and not (": " in s or " #" in s or s.endswith(":"))
    else:
        plain = bool(_PLAIN.fullmatch(s))
    if (
        plain
        and not s.endswith(" ")
        and not s.startswith(("---", "..."))  # document markers
        and s not in _SPECIAL_WORDS
        and not _NUMBERISH.fullmatch(s)
        and not _TIMESTAMP.fullmatch(s)
    ):
        return "plain"
    return "single" if fits_single_quotes(s) else "double"


_ESCAPES = {
    "\0": "\\0",
    "\x07": "\\a",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\x0b": "\\v",
    "\x0c": "\\f",
    "\r": "\\r",
    "\x1b": "\\e",
    '"': '\\"',
    "\\": "\\\\",
    "\x85": "\\N",
    "\u2028": "\\L",
    "\u2029": "\\P",
}


def _double_quote(s: str) -> str:
    out = ['"']
    for ch in s:
        esc = _ESCAPES.get(ch)
        if esc is not None:
            out.append(esc)
            continue
        o = ord(ch)
        if 0x20 <= o <= 0x7E or o == 0xA0 or (o > 0xA0 and fits_single_quotes(ch)):
            out.append(ch)
        elif 0xD800 <= o <= 0xDFFF:
            raise Unrepresentable(f"lone surrogate in string {s!r}")
        elif o <= 0xFF:
            out.append(f"\\x{o:02X}")
        elif o <= 0xFFFF:
            out.append(f"\\u{o:04X}")
        else:
            out.append(f"\\U{o:08X}")
    out.append('"')
    return "".join(out)


@functools.lru_cache(maxsize=1 << 16)
def quote(s: str, value: bool = False) -> str:
    """``s`` as a YAML scalar in modelsync's style (``value``: see :func:`scalar_style`).

    Memoised: a catalog repeats the same few thousand strings (field names, modalities,
    dates) hundreds of thousands of times.
    """
    style = scalar_style(s, value)
    if style == "plain":
        return s
    if style == "single":
        return "'" + s.replace("'", "''") + "'"
    return _double_quote(s)


def format_float(x: float) -> str:
    """A float that YAML 1.1 and 1.2 both read back exactly: ``0.075``, ``1.0e-07``."""
    if math.isnan(x):
        return ".nan"
    if math.isinf(x):
        return ".inf" if x > 0 else "-.inf"
    text = repr(float(x)).lower()
    if "e" in text and "." not in text:
        text = text.replace("e", ".0e", 1)
    return text


def significant_digits(text: str) -> str:
    """The significant digits of a float's text: ``"3.00"`` and ``"3.0"`` both give ``3``."""
    mantissa = text.lower().split("e")[0].lstrip("+-").replace(".", "").replace("_", "")
    return mantissa.strip("0")


def scalar_text(value: Any, block_value: bool = False) -> str:
    if isinstance(value, str):
        return quote(value, block_value)
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, float):
        return format_float(value)
    raise Unrepresentable(f"cannot write a value of type {type(value).__name__}")


LINE_BREAKS = re.compile("[\r\n\x85\u2028\u2029]")


def is_scalar(value: Any) -> bool:
    return isinstance(value, (str, int, float))
