"""Comparing YAML values by what they mean, not how they are written.

``4`` and ``4.0`` differ, ``true`` and ``1`` differ, ``.nan`` equals ``.nan``, a quoted and
a plain string with the same text are equal, a mapping's key order does not matter.
Values may come from the fast reader (plain Python data) or from ruamel's round trip
(its subclasses of ``dict``, ``list``, ``str``, ``float``..., and ``TaggedScalar`` for an
explicitly tagged scalar, compared by the value its tag gives).

Shared nodes (aliases) are compared once: a pair already found equal is not compared
again, so comparing two documents costs time linear in their text, however often their
nodes are aliased.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Set
from typing import Any


def tagged_value(value: Any) -> Any:
    """What an explicitly tagged scalar (ruamel's ``TaggedScalar``) means."""
    import yaml

    tag = str(getattr(value, "tag", "") or "")
    text = str(getattr(value, "value", ""))
    if not tag.startswith("tag:yaml.org,2002:"):
        return value
    document = f"!<{tag}> " + '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    try:
        return yaml.safe_load(document)
    except yaml.YAMLError:
        return text


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "str"
    if isinstance(value, Mapping):
        return "map"
    if isinstance(value, Set):
        return "set"
    if isinstance(value, (list, tuple)):
        return type(value).__name__ if isinstance(value, tuple) else "list"
    return type(value).__name__


def same(a: Any, b: Any, _memo: set[tuple[int, int]] | None = None) -> bool:
    """Whether ``a`` and ``b`` are the same YAML value."""
    if a is b:
        return True
    if type(a).__name__ == "TaggedScalar":
        a = tagged_value(a)
    if type(b).__name__ == "TaggedScalar":
        b = tagged_value(b)
    kind = _kind(a)
    if kind != _kind(b):
        return False
    if kind == "bool":
        return bool(a) == bool(b)
    if kind == "int":
        return int(a) == int(b)
    if kind == "float":
        x, y = float(a), float(b)
        return x == y or (math.isnan(x) and math.isnan(y))
    if kind == "str":
        return str(a) == str(b)
    if kind not in ("map", "list", "tuple", "set"):
        return bool(a == b)
    memo = set() if _memo is None else _memo
    pair = (id(a), id(b))
    if pair in memo:
        return True  # equal, or being compared further up (a recursive alias)
    memo.add(pair)
    if kind == "set":
        equal = set(a) == set(b)
    elif kind == "map":
        equal = len(a) == len(b) and all(k in b and same(v, b[k], memo) for k, v in a.items())
    else:
        equal = len(a) == len(b) and all(same(x, y, memo) for x, y in zip(a, b, strict=False))
    if not equal:
        memo.discard(pair)
    return equal


def plain(value: Any) -> Any:
    """A ruamel value as plain data (for reports and comparisons)."""
    if isinstance(value, Mapping):
        return {str(k) if isinstance(k, str) else k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, str):
        return str(value)
    return value
