"""The canonical writer: plain data in modelsync's layout, ~20x faster than ruamel.

Block mappings indented by two, sequences of scalars in flow style, other sequences as
indented blocks: the layout that the round trip (:mod:`.roundtrip`) produces for the
same data (``tests/test_yamlfmt.py`` checks both).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

from .errors import Unrepresentable
from .scalars import LINE_BREAKS, is_scalar, quote, scalar_text


@functools.lru_cache(maxsize=1 << 16)
def _str_key(key: str) -> str:
    if LINE_BREAKS.search(key):
        raise Unrepresentable("multi-line key")  # emitters use the explicit "? key" form
    text = quote(key)
    if len(text) >= 128:  # and for long keys
        raise Unrepresentable("key too long for a simple key")
    return text


def _key(key: Any) -> str:
    if type(key) is str:
        return _str_key(key)
    if key is None or isinstance(key, (Mapping, list, tuple)):
        raise Unrepresentable(f"cannot write a key of type {type(key).__name__}")
    if isinstance(key, str):
        return _str_key(str(key))
    text = scalar_text(key)
    if len(text) >= 128:
        raise Unrepresentable("key too long for a simple key")
    return text


def _emit_mapping(mapping: Mapping[Any, Any], indent: int, out: list[str]) -> None:
    pad = " " * indent
    for key, value in mapping.items():
        head = f"{pad}{_key(key)}:"
        kind = type(value)
        if kind is str:
            out.append(f"{head} {quote(value, True)}\n")
        elif kind is int or kind is float:
            out.append(f"{head} {scalar_text(value)}\n")
        elif isinstance(value, Mapping):
            if value:
                out.append(head + "\n")
                _emit_mapping(value, indent + 2, out)
            else:
                out.append(head + " {}\n")
        elif isinstance(value, list):
            if all(is_scalar(v) for v in value):
                out.append(head + " [" + ", ".join(scalar_text(v) for v in value) + "]\n")
            else:
                out.append(head + "\n")
                _emit_sequence(value, indent + 2, out)
        elif value is None:
            out.append(head + "\n")
        else:
            out.append(f"{head} {scalar_text(value, True)}\n")


def _emit_sequence(seq: Sequence[Any], indent: int, out: list[str]) -> None:
    pad = " " * indent
    for item in seq:
        if isinstance(item, Mapping) and item:
            start = len(out)
            _emit_mapping(item, indent + 2, out)
            out[start] = pad + "- " + out[start][indent + 2 :]
        elif is_scalar(item):
            out.append(f"{pad}- {scalar_text(item, True)}\n")
        else:
            raise Unrepresentable("nested sequence item")


def dump(doc: Mapping[Any, Any]) -> str:
    """Write a mapping of plain data (dict, list, str, int, float, bool, None) canonically.

    Raises :class:`Unrepresentable` for data outside the canonical layout; callers then
    fall back to :class:`RoundTrip`, which writes anything.
    """
    if not doc:
        return "{}\n"
    out: list[str] = []
    _emit_mapping(doc, 0, out)
    return "".join(out)
