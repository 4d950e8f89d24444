"""Editing ruamel round-trip collections without moving or losing comments.

ruamel keeps the comment lines that follow an entry (up to the next entry) on that
entry, or on the last entry inside its value; the comment above the first entry of a
collection is kept apart, on the collection and on its parent. Inserting after an entry,
or deleting it, would move those lines to the wrong place or drop them. The functions
here move them along, by one rule: a comment line indented deeper than the entries of a
collection belongs to the entry above it (it stays with it, and goes when it goes); a
line at the entries' indentation describes what comes next (it stays just above the
entry that followed it in the file). At the end of a collection, lines at the entries'
indentation stay where they are too: nothing followed them.
"""

from __future__ import annotations

import copy
import difflib
import json
from collections.abc import Callable, MutableMapping
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.compat import ordereddict
from ruamel.yaml.error import CommentMark
from ruamel.yaml.tokens import CommentToken

from .meaning import plain

Parent = tuple[MutableMapping[Any, Any], Any] | None


def _keys(container: Any) -> list[Any]:
    return list(container) if isinstance(container, CommentedMap) else list(range(len(container)))


def _column(container: Any) -> int | None:
    """The indentation of a block collection's entries, if ruamel recorded it."""
    column = getattr(getattr(container, "lc", None), "col", None)
    return column if isinstance(column, int) else None


def _last_slot(value: Any, container: Any, key: Any) -> tuple[Any, Any, int]:
    """Where ruamel keeps the comment that follows ``container[key]``'s whole subtree."""
    while (
        isinstance(value, (CommentedMap, CommentedSeq)) and len(value) and not value.fa.flow_style()
    ):
        container = value
        key = next(reversed(value)) if isinstance(value, CommentedMap) else len(value) - 1
        value = container[key]
    return container, key, 2 if isinstance(container, CommentedMap) else 0


def take_following(
    container: Any, key: Any, column: int | None = None, at_end: bool = False
) -> Any:
    """Detach the comment lines after ``container[key]`` (not its end-of-line comment)
    that describe what follows it: with ``column`` (the entries' indentation), lines
    indented deeper stay; at the end of a collection, lines at ``column`` stay too."""
    holder, slot_key, index = _last_slot(container[key], container, key)
    slot = holder.ca.items.get(slot_key)
    token = slot[index] if slot and len(slot) > index else None
    if token is None or "\n" not in token.value:
        return None
    eol, _, rest = token.value.partition("\n")
    if not rest:
        return None
    lines = rest.splitlines(keepends=True)
    cut = 0
    if column is not None:
        cut = len(lines)
        for i, line in enumerate(lines):
            if not line.strip():
                continue
            indent = len(line) - len(line.lstrip(" "))
            if indent < column or (indent == column and not at_end):
                cut = i
                break
        while cut > 0 and not lines[cut - 1].strip():
            cut -= 1
    keep, move = "".join(lines[:cut]), "".join(lines[cut:])
    if not move:
        return None
    follow = copy.copy(token)
    follow.value = move
    if eol.strip() or keep:
        token.value = eol + "\n" + keep
    else:
        slot[index] = None
    return follow


def put_following(container: Any, key: Any, follow: Any) -> None:
    """Attach comment lines after ``container[key]``'s whole subtree."""
    holder, slot_key, index = _last_slot(container[key], container, key)
    slot = holder.ca.items.setdefault(slot_key, [None, None, None, None])
    while len(slot) <= index:
        slot.append(None)
    token = slot[index]
    if token is None:
        follow = copy.copy(follow)
        follow.value = "\n" + follow.value
        slot[index] = follow
    else:
        if not token.value.endswith("\n"):
            token.value += "\n"
        token.value = token.value + follow.value


def _start_tokens(container: Any, parent: Parent) -> list[Any] | None:
    tokens = None
    if container.ca.comment and len(container.ca.comment) > 1 and container.ca.comment[1]:
        tokens = container.ca.comment[1]
    if parent is not None:
        slot = parent[0].ca.items.get(parent[1])  # type: ignore[attr-defined]
        if slot and len(slot) > 3 and slot[3]:
            tokens = slot[3]
    return tokens


def _set_start_tokens(container: Any, parent: Parent, tokens: list[Any] | None) -> None:
    comment = container.ca.comment
    if comment is None:
        if tokens is None:
            return
        container.ca.comment = comment = [None, None]
    while len(comment) < 2:
        comment.append(None)
    comment[1] = tokens
    if parent is not None:
        slot = parent[0].ca.items.get(parent[1])  # type: ignore[attr-defined]
        if slot is not None or tokens is not None:
            slot = parent[0].ca.items.setdefault(parent[1], [None, None, None, None])  # type: ignore[attr-defined]
            while len(slot) < 4:
                slot.append(None)
            slot[3] = tokens


def take_start_comment(container: Any, parent: Parent) -> Any:
    """Detach the comment above a collection's first entry, as a 'following' token."""
    tokens = _start_tokens(container, parent)
    if not tokens:
        return None
    _set_start_tokens(container, parent, None)
    follow = copy.copy(tokens[0])
    follow.value = "".join(" " * (t.column or 0) + t.value for t in tokens)
    return follow


def put_start_comment(container: Any, parent: Parent, follow: Any) -> None:
    """Add comment lines (a 'following' token) below the comment above the first entry."""
    lines = follow.value
    if not lines.strip():
        return
    tokens = list(_start_tokens(container, parent) or [])
    tokens.append(CommentToken(lines, CommentMark(0)))
    _set_start_tokens(container, parent, tokens)


def insert(container: Any, index: int, key: Any, value: Any, parent: Parent = None) -> None:
    """Insert ``key: value`` (a mapping) or ``value`` (a sequence; ``key`` is ignored)
    at ``index``, keeping the comments before the entry now at ``index`` above it."""
    keys = _keys(container)
    follow = None
    if index > 0:
        follow = take_following(
            container, keys[index - 1], _column(container), at_end=index >= len(keys)
        )
    elif keys:
        follow = take_start_comment(container, parent)
    if isinstance(container, CommentedMap):
        container.insert(index, key, value)
        new_key = key
    else:
        container.insert(index, value)
        new_key = index
    if follow is not None:
        put_following(container, new_key, follow)


def delete(container: Any, key: Any, parent: Parent = None) -> None:
    """Delete an entry with the comments inside it; the comment lines after it that
    describe what follows stay, above what follows."""
    keys = _keys(container)
    position = keys.index(key)
    follow = take_following(container, key, _column(container))
    _delete(container, key)
    if isinstance(container, CommentedMap):
        container.ca.items.pop(key, None)
    if follow is None:
        return
    if position > 0:
        put_following(container, keys[position - 1], follow)
    elif len(container):
        put_start_comment(container, parent, follow)


def _delete(container: Any, key: Any) -> None:
    """``del container[key]``, also when another mapping merges this one (``<<``).

    ruamel then updates the merging mapping's view of the key, and (0.19) fails with a
    KeyError doing so. Its view is refreshed here instead: the key from the next merged
    mapping that has it, else no key (only keys written in a mapping are ever written
    back, so the view matters only to readers of the tree).
    """
    referers = getattr(container, "_ref", None)
    if not referers:
        del container[key]
        return
    saved = list(referers)
    referers.clear()
    try:
        del container[key]
    finally:
        referers.extend(saved)
    for child in saved:
        if key in child._ok:
            continue
        source = next((m for m in child.merge if key in m), None)
        if source is not None:
            ordereddict.__setitem__(child, key, source[key])
        elif ordereddict.__contains__(child, key):
            ordereddict.__delitem__(child, key)


def set_items(
    seq: Any, items: list[Any], node: Callable[[Any], Any], parent: Parent = None
) -> None:
    """Make ``seq`` hold ``items`` by inserting and deleting only what differs, so the
    comments between and after the items that stay are kept."""

    def ident(value: Any) -> str:
        return json.dumps(plain(value), sort_keys=True, default=str)

    matcher = difflib.SequenceMatcher(
        a=[ident(v) for v in seq], b=[ident(v) for v in items], autojunk=False
    )
    for tag, i1, i2, j1, j2 in reversed(matcher.get_opcodes()):
        if tag == "equal":
            continue
        for i in reversed(range(i1, i2)):
            delete(seq, i, parent)
        for offset, item in enumerate(items[j1:j2]):
            insert(seq, i1 + offset, None, node(item), parent)
