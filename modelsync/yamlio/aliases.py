"""Anchors and aliases in ruamel's tree: which nodes are shared, and the comments
written after aliases and anchors.

ruamel gives every place that names an anchored node the same Python object. The walk
here (:func:`occurrences`) finds them in document order; the first place is where the
node is written with its anchor, the others are aliases. ruamel also misplaces two kinds
of comment: the comment of ``key: *alias  # note`` goes to whatever follows (and is
written on the next line), and the comment of ``key: &anchor  # note`` over a block
collection is read as a comment above its first entry. :func:`detach_alias_comments`
and :func:`attach_anchor_comments` put them where they belong when a file is loaded;
:func:`restore_alias_comments` hands them to the writer (:mod:`modelsync.yamlio.components`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

# --- who shares what -------------------------------------------------------------------

Site = tuple[Any, Any]  # (container, key or index)


def own_items(node: Any) -> list[tuple[Any, Any]]:
    """A container's own entries in document order (not those a ``<<`` merge key brings)."""
    if isinstance(node, CommentedMap):
        if getattr(node, "merge", None):
            own = node._ok
            return [(k, v) for k, v in node.items() if k in own]
        return list(node.items())
    if isinstance(node, CommentedSeq):
        return list(enumerate(node))
    return []


def _shareable(value: Any) -> bool:
    if isinstance(value, (CommentedMap, CommentedSeq)):
        return True
    anchor = getattr(value, "anchor", None)
    return anchor is not None and getattr(anchor, "value", None) is not None


def occurrences(root: Any) -> dict[int, tuple[Any, list[Site]]]:
    """Every node that can be aliased, by id: ``(node, sites in document order)``.

    The first site is where the node is written (with its anchor); the others are
    aliases. Aliased nodes are not entered again, so this is linear in the document.
    """
    found: dict[int, tuple[Any, list[Site]]] = {}
    stack: list[tuple[Any, Site]] = [(root, (None, None))]
    while stack:
        node, site = stack.pop()
        entry = found.get(id(node))
        if entry is not None:
            entry[1].append(site)
            continue
        found[id(node)] = (node, [site])
        stack.extend((v, (node, k)) for k, v in reversed(own_items(node)) if _shareable(v))
    return found


def keep_anchors(root: Any) -> None:
    """Write every anchor back, used or not (ruamel drops the anchors of collections that
    no alias names, which would also drop one whose last alias a merge replaced)."""
    for node, _ in occurrences(root).values():
        anchor = getattr(node, "anchor", None)
        if anchor is not None and getattr(anchor, "value", None) is not None:
            anchor.always_dump = True


def alias_sites(root: Any) -> list[tuple[Any, Site]]:
    """``(node, site)`` for every alias of the document."""
    return [(node, site) for node, sites in occurrences(root).values() for site in sites[1:]]


# --- comments after aliases ------------------------------------------------------------


@dataclass
class AliasComments:
    """End-of-line comments written after aliases, taken out of ruamel's tree."""

    sites: list[tuple[Any, Any, Any]] = field(default_factory=list)  # container, key, token


def _key_line(container: Any, key: Any) -> tuple[int, int] | None:
    """Line and column of a mapping key (ruamel gives an alias the anchor's position, so
    the key's line is the alias's line)."""
    try:
        line, column = container.lc.key(key)
    except (KeyError, IndexError, TypeError, AttributeError):
        return None
    return int(line), int(column)


def _token_lists(root: Any) -> Iterator[tuple[list[Any], Callable[[], None]]]:
    """Every list of comment tokens ruamel keeps before a key, item or document end,
    with a function that drops the list from its slot (to call once it is empty)."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen or not isinstance(node, (CommentedMap, CommentedSeq)):
            continue
        seen.add(id(node))
        ca = node.ca
        for slots in ca.items.values():
            for index in (1, 3):
                if slots and len(slots) > index and isinstance(slots[index], list):
                    yield slots[index], _clear(slots, index)
        if ca.comment and len(ca.comment) > 1 and isinstance(ca.comment[1], list):
            yield ca.comment[1], _clear(ca.comment, 1)
        if isinstance(ca.end, list):
            yield ca.end, lambda: None
        stack.extend(v for _, v in own_items(node))


def _clear(slots: list[Any], index: int) -> Callable[[], None]:
    def clear() -> None:
        slots[index] = None

    return clear


def _position(token: Any) -> tuple[int, int]:
    mark = getattr(token, "start_mark", None)
    return getattr(mark, "line", -1), getattr(mark, "column", -1)


def _after_text(token: Any, lines: list[str]) -> bool:
    """Whether a comment token follows other text on its source line."""
    line, column = _position(token)
    return (
        0 <= line < len(lines)
        and bool(lines[line][:column].strip())
        and lines[line][column : column + 1] == "#"
    )


def attach_anchor_comments(root: Any, lines: list[str]) -> None:
    """``key: &anchor  # note`` over a block collection: ruamel reads the comment as one
    above the collection's first entry, and writes it on a line of its own. Make it the
    end-of-line comment of the key again."""
    for node, _ in occurrences(root).values():
        if not isinstance(node, CommentedMap):
            continue
        for key, value in own_items(node):
            if not isinstance(value, (CommentedMap, CommentedSeq)) or value.fa.flow_style():
                continue
            slots = node.ca.items.get(key)
            tokens = slots[3] if slots and len(slots) > 3 else None
            where = _key_line(node, key)
            if not tokens or where is None or _position(tokens[0])[0] != where[0]:
                continue
            if not _after_text(tokens[0], lines) or slots[2] is not None:
                continue
            token = tokens.pop(0)
            rest = tokens or None
            slots[2], slots[3] = token, rest
            value.ca.comment = [token, rest]


def detach_alias_comments(root: Any, lines: list[str]) -> AliasComments:
    """Take the end-of-line comments of aliases in block collections out of the tree.

    ``lines`` is the source text: a comment is an alias's only if text precedes it on its
    line. A mapping alias is found by its key's line; a sequence alias by its comment,
    which ruamel puts before the next item.
    """
    found = AliasComments()

    def after_text(token: Any) -> bool:
        return _after_text(token, lines)

    wanted: dict[int, tuple[Any, Any, int]] = {}
    for _, (container, key) in alias_sites(root):
        if container is None or container.fa.flow_style():
            continue
        if isinstance(container, CommentedMap):
            where = _key_line(container, key)
            if where is not None:
                wanted.setdefault(where[0], (container, key, where[1]))
            continue
        slots = container.ca.items.get(key + 1)
        tokens = slots[1] if slots and len(slots) > 1 and isinstance(slots[1], list) else None
        if tokens and after_text(tokens[0]):
            token = tokens.pop(0)
            found.sites.append((container, key, token))
            if not tokens:
                slots[1] = None
    if not wanted:
        return found
    for tokens, clear in list(_token_lists(root)):
        for token in list(tokens):
            line, column = _position(token)
            site = wanted.get(line)
            if site is None or column <= site[2] or not after_text(token):
                continue
            tokens.remove(token)
            found.sites.append((site[0], site[1], token))
            del wanted[line]
        if not tokens:
            clear()
    return found


def restore_alias_comments(root: Any, found: AliasComments) -> dict[tuple[int, Any], Any]:
    """Put detached comments back: after a value that is no longer an alias, in ruamel's
    usual place; for a value that still is, in the returned table ``{(id(container),
    key): token}`` that :class:`Representer` reads."""
    if not found.sites:
        return {}
    aliases = {(id(container), key) for _, (container, key) in alias_sites(root)}
    table: dict[tuple[int, Any], Any] = {}
    for container, key, token in found.sites:
        if isinstance(container, CommentedMap):
            if key not in container:
                continue
            slot_index = 2
        elif not (isinstance(key, int) and 0 <= key < len(container)):
            continue
        else:
            slot_index = 0
        if (id(container), key) in aliases:
            table[(id(container), key)] = token
            continue
        slots = container.ca.items.setdefault(key, [None, None, None, None])
        if slots[slot_index] is None:
            slots[slot_index] = token
        else:
            slots[slot_index].value = token.value + slots[slot_index].value.lstrip(" ")
    return table
