"""Text from the catalog or a user's file, made safe to print on a terminal or in a log.

Model ids, names, keys and values are data: printed raw, ``\\x1b]0;title\\x07`` retitles
the terminal, ``\\x1b[2J`` clears it and ``evil\\nModelsync: all good`` forges a line of
the report. :func:`escape` shows every control character as an escape (``\\x1b``,
``\\n``), and :func:`excerpt` shows a value as a short escaped excerpt, so a message never
quotes a whole value (which may be a secret a link pointed at). JSON output is not
escaped: it carries the exact data, and JSON encodes control characters itself.
"""

from __future__ import annotations

import re
from typing import Any

#: C0 and C1 controls, DEL, line and paragraph separators, the bidirectional
#: overrides and isolates that reorder what a terminal shows, and lone surrogates
#: (which no UTF-8 stream can carry).
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]"
)
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}

#: Characters of a value a message may quote.
EXCERPT = 24


def _one(match: re.Match[str]) -> str:
    ch = match.group()
    named = _NAMED.get(ch)
    if named is not None:
        return named
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape(text: str) -> str:
    """``text`` with every control character shown as an escape; the rest unchanged."""
    if text.isprintable():  # no character of _UNSAFE is printable: nothing to escape
        return text
    return _UNSAFE.sub(_one, text)


def excerpt(value: Any, limit: int = EXCERPT) -> str:
    """A short, escaped ``repr``-like excerpt of a value for a message.

    Strings show at most ``limit`` characters; mappings and lists show their content if
    it is that short, else their type and size.
    """
    if isinstance(value, str):
        cut = value[:limit] + "..." if len(value) > limit else value
        return escape(repr(cut))
    if isinstance(value, (dict, list)) and len(value) <= 4:
        text = repr(value)
        if len(text) <= limit + 8:
            return escape(text)
    if isinstance(value, dict):
        return f"an object of {len(value)} key{'s' if len(value) != 1 else ''}"
    if isinstance(value, list):
        return f"a list of {len(value)} item{'s' if len(value) != 1 else ''}"
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, int):
        return repr(value) if -(10**limit) < value < 10**limit else "a very large integer"
    text = repr(value)
    return escape(text if len(text) <= limit else text[:limit] + "...")
