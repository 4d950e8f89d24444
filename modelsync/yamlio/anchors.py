"""Anchors and aliases in a file being merged: no model changes through another.

YAML lets one node appear in several places (``pricing: &p {...}`` in one model,
``pricing: *p`` in another); ruamel gives every place the same Python object, so an edit
in one place would be an edit in all. Before a merge, :func:`unshare` gives every alias
its own copy of the node (without the node's comments or anchor); after it,
:meth:`Unshared.relink` turns each copy back into an alias where it still means the same
as the node. The file changes only where values now differ, and the anchor stays where
it was written.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml.comments import Comment, CommentedMap, CommentedSeq

from .aliases import occurrences, own_items
from .meaning import same


@dataclass
class Unshared:
    """The copies :func:`unshare` made: ``(container, key, node, copy, comment)``.

    ``comment`` is what ruamel put in the container's comment slot for the alias: a
    duplicate of the node's own end-of-line comment, which ruamel needs there while the
    place is an alias (it writes the node's comment from the last place that names it),
    and which must not follow a copy.
    """

    links: list[tuple[Any, Any, Any, Any, Any]] = field(default_factory=list)

    def relink(self) -> None:
        """Make each copy an alias of its node again where both still mean the same."""
        for container, key, node, twin, comment in self.links:
            try:
                current = container[key]
            except (KeyError, IndexError):
                continue
            if current is twin and same(twin, node):
                container[key] = node
                if comment is not None:
                    _slots(container, key)[_EOL[isinstance(container, CommentedMap)]] = comment


#: index of the end-of-line comment in ruamel's comment slots: sequence item, mapping value
_EOL = {False: 0, True: 2}


def _slots(container: Any, key: Any) -> list[Any]:
    slots: list[Any] = container.ca.items.setdefault(key, [None, None, None, None])
    return slots


def unshare(root: Any) -> Unshared:
    """Give every alias of a mapping or sequence its own copy (scalars are replaced,
    never edited in place, so their aliases need nothing)."""
    done = Unshared()
    for node, sites in occurrences(root).values():
        if len(sites) < 2 or not isinstance(node, (CommentedMap, CommentedSeq)):
            continue
        for container, key in sites[1:]:
            twin = _bare_copy(node)
            container[key] = twin
            comment = None
            slots = container.ca.items.get(key)
            index = _EOL[isinstance(container, CommentedMap)]
            if slots and len(slots) > index and slots[index] is not None:
                comment, slots[index] = slots[index], None
            done.links.append((container, key, node, twin, comment))
    return done


def _bare_copy(node: Any) -> Any:
    """A deep copy without comments and anchors (they stay with the original)."""
    twin = copy.deepcopy(node)
    stack = [twin]
    while stack:
        item = stack.pop()
        if isinstance(item, (CommentedMap, CommentedSeq)):
            setattr(item, Comment.attrib, Comment())
            stack.extend(v for _, v in own_items(item))
        anchor = getattr(item, "anchor", None)
        if anchor is not None and getattr(anchor, "value", None) is not None:
            anchor.value = None
    return twin
