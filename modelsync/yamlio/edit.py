"""How the merge edits a document: plain data, or ruamel's tree with its comments.

The merge (:mod:`modelsync.sync.merge`) runs one algorithm over two document types: plain
``dict``/``list`` data for files in the canonical layout (written back with
:func:`modelsync.yamlio.dump`), and ruamel's ``CommentedMap``/``CommentedSeq`` for files
a person has formatted or commented (written back with :class:`modelsync.yamlio.RoundTrip`).
An :class:`Editor` hides the difference: how to make a node, insert a key at a position,
delete a key, replace a list's items. :class:`RuamelEditor` does it through
:mod:`modelsync.yamlio.comments`, so comments stay next to what they describe.
"""

from __future__ import annotations

from collections.abc import MutableMapping, MutableSequence, Sequence
from typing import Any


class Editor:
    """Edits plain data; :class:`RuamelEditor` overrides what comments need."""

    def node(self, value: Any, block_value: bool = True) -> Any:
        return value

    def mapping(self) -> MutableMapping[Any, Any]:
        return {}

    def insert(
        self,
        mapping: MutableMapping[Any, Any],
        index: int,
        key: Any,
        value: Any,
        parent: tuple[MutableMapping[Any, Any], Any] | None = None,
    ) -> None:
        if index >= len(mapping):
            mapping[key] = value
            return
        items = list(mapping.items())
        items.insert(index, (key, value))
        mapping.clear()
        mapping.update(items)

    def insert_many(
        self,
        mapping: MutableMapping[Any, Any],
        placed: Sequence[tuple[int, Any, Any]],
        parent: tuple[MutableMapping[Any, Any], Any] | None = None,
    ) -> None:
        """Insert ``(index, key, value)`` items; indexes refer to the mapping as it was."""
        if not placed:
            return
        items = list(mapping.items())
        out: list[tuple[Any, Any]] = []
        pending = sorted(placed, key=lambda p: p[0])
        j = 0
        for i, item in enumerate(items):
            while j < len(pending) and pending[j][0] <= i:
                out.append((pending[j][1], pending[j][2]))
                j += 1
            out.append(item)
        out.extend((key, value) for _, key, value in pending[j:])
        mapping.clear()
        mapping.update(out)

    def delete(
        self,
        mapping: MutableMapping[Any, Any],
        key: Any,
        parent: tuple[MutableMapping[Any, Any], Any] | None = None,
    ) -> None:
        del mapping[key]

    def set_items(
        self,
        seq: MutableSequence[Any],
        items: list[Any],
        parent: tuple[MutableMapping[Any, Any], Any] | None = None,
    ) -> None:
        seq[:] = [self.node(item) for item in items]


class RuamelEditor(Editor):
    """Edits ruamel round-trip nodes and keeps comments next to what they describe
    (see :mod:`modelsync.yamlio.comments`)."""

    def __init__(self) -> None:
        from .roundtrip import RoundTrip

        self._node = RoundTrip.node

    def node(self, value: Any, block_value: bool = True) -> Any:
        return self._node(value, block_value)

    def mapping(self) -> MutableMapping[Any, Any]:
        from ruamel.yaml.comments import CommentedMap

        return CommentedMap()

    def insert(
        self,
        mapping: MutableMapping[Any, Any],
        index: int,
        key: Any,
        value: Any,
        parent: tuple[MutableMapping[Any, Any], Any] | None = None,
    ) -> None:
        from .comments import insert

        insert(mapping, index, key, value, parent)

    def insert_many(
        self,
        mapping: MutableMapping[Any, Any],
        placed: Sequence[tuple[int, Any, Any]],
        parent: tuple[MutableMapping[Any, Any], Any] | None = None,
    ) -> None:
        # Insert from the end so that earlier indexes stay valid. Items with equal indexes
        # go in reverse too (each lands before the one inserted just before it), so that
        # they end up in the given order. (sorted(..., reverse=True) would keep equal
        # items in their given order: it is stable.)
        for index, key, value in reversed(sorted(placed, key=lambda p: p[0])):
            self.insert(mapping, index, key, value, parent)

    def delete(
        self,
        mapping: MutableMapping[Any, Any],
        key: Any,
        parent: tuple[MutableMapping[Any, Any], Any] | None = None,
    ) -> None:
        from .comments import delete

        delete(mapping, key, parent)

    def set_items(
        self,
        seq: MutableSequence[Any],
        items: list[Any],
        parent: tuple[MutableMapping[Any, Any], Any] | None = None,
    ) -> None:
        from .comments import set_items

        set_items(seq, items, lambda item: self.node(item, block_value=False), parent)
