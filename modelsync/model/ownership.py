"""Who owns what in a provider file: the entries the sync manages, the keys it owns.

In a managed entry (``source: models.dev`` written in it) the sync owns the fields of
:data:`~modelsync.model.catalog.MODEL_FIELDS` except those listed in ``pinned``; every other
key, and every entry without ``source: models.dev``, is the user's (``docs/format.md``).
A ``<<`` merge key brings in values, never ownership: only keys written in an entry
count. Works on the fast reader's plain data and on ruamel's round-trip tree alike.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from .catalog import MODEL_FIELDS, SOURCE

#: User-owned keys that make a model depended on (besides ``watch_keys``).
DEPENDENCY_KEYS = ("task_complexity_score", "notes", "pinned")


def merged(entry: Mapping[Any, Any]) -> bool:
    """Whether a mapping has a ``<<`` merge key (in ruamel's or :func:`yamlio.load`'s data)."""
    return bool(getattr(entry, "merge", None)) or getattr(entry, "own_keys", None) is not None


def own_keys(entry: Mapping[Any, Any]) -> Collection[Any]:
    """The keys written in a mapping itself, not brought in by a ``<<`` merge key."""
    if getattr(entry, "merge", None):  # ruamel's CommentedMap
        return frozenset(getattr(entry, "_ok", ()))
    own = getattr(entry, "own_keys", None)  # yamlio.MergedDict
    return own if own is not None else entry.keys()


def is_managed(entry: Any) -> bool:
    """An entry is managed when ``source: models.dev`` is written in it (a ``source``
    that a ``<<`` merge key brings in does not count)."""
    return (
        isinstance(entry, Mapping) and entry.get("source") == SOURCE and "source" in own_keys(entry)
    )


def user_keys(entry: Mapping[Any, Any]) -> list[Any]:
    """Keys of an entry that belong to the user (with ``<<``, the merge key itself)."""
    keys = [k for k in entry if k not in MODEL_FIELDS]
    if merged(entry):
        keys.append("<<")
    return keys


def anchored(entry: Any) -> bool:
    """Whether an anchor is written in an entry (ruamel data), so an alias may name it."""
    stack = [entry]
    while stack:
        node = stack.pop()
        anchor = getattr(node, "anchor", None)
        if anchor is not None and getattr(anchor, "value", None) is not None:
            return True
        if isinstance(node, Mapping):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return False


def managed_available(doc: Any) -> int:
    """How many managed models of a (plain) document are available."""
    models = doc.get("models") if isinstance(doc, Mapping) else None
    if not isinstance(models, Mapping):
        return 0
    return sum(1 for e in models.values() if is_managed(e) and e.get("available") is not False)
