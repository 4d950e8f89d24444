"""ruamel.yaml round-trip components that keep what a person wrote.

:class:`modelsync.yamlio.RoundTrip` plugs these into ruamel's ``YAML(typ="rt")``. Each
one works around something ruamel's round trip would change in a hand-written file:

* **Timestamps**: ruamel (YAML 1.2) reads a plain ``2024-10-22`` as a date, the fast
  reader as a string. :class:`Resolver` reads it as a string too, so both readers name a
  model ``2024-10-22:`` alike, and writes it back as it was written.
* **Explicit tags**: ``!!bool yes``, ``!!timestamp 2024-01-01``, ``!!float 1`` would come
  back as ``true``, ``2024-01-01`` (a string to the fast reader), ``!!float '1'``.
  :class:`Constructor` keeps such scalars verbatim (a ``TaggedScalar``); ``!!pairs``,
  which ruamel turns into nested lists, stays a tagged sequence of one-key mappings.
* **Comments after aliases**: ruamel attaches the comment of ``key: *anchor  # note`` to
  whatever follows, so it moves to the next line. :mod:`modelsync.yamlio.aliases` takes such
  comments out at load; the representer, serializer and emitter here put them back
  after the alias (or after the value that replaced it).
* **Quotes and comment spacing**: a single-quoted value with a tab in it stays single
  quoted (ruamel switches to double quotes), and an end-of-line comment keeps at least
  the spaces it had before it when the value before it grows.

Nothing here changes ruamel globally: every class is a subclass handed to one ``YAML``
object.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.emitter import RoundTripEmitter
from ruamel.yaml.nodes import MappingNode, SequenceNode
from ruamel.yaml.representer import RoundTripRepresenter
from ruamel.yaml.resolver import VersionedResolver
from ruamel.yaml.serializer import Serializer as BaseSerializer

from .aliases import own_items
from .scalars import fits_single_quotes

_CORE = "tag:yaml.org,2002:"
#: Scalar tags whose explicit form ruamel does not write back as written.
_VERBATIM = frozenset(_CORE + t for t in ("null", "bool", "int", "float", "timestamp", "binary"))


# --- reading ---------------------------------------------------------------------------


class Resolver(VersionedResolver):
    """YAML 1.2 (or the document's ``%YAML``) resolution without implicit timestamps."""

    _filtered: dict[Any, Any]

    @property
    def versioned_resolver(self) -> Any:
        table = super().versioned_resolver
        cache = self.__dict__.setdefault("_filtered", {})
        key = id(table)
        if key not in cache:
            cache[key] = (
                table,
                {
                    first: [(tag, rx) for tag, rx in rules if tag != _CORE + "timestamp"]
                    for first, rules in table.items()
                },
            )
        return cache[key][1]


def _explicit(node: Any) -> bool:
    tag = getattr(node, "ctag", None)
    return tag is not None and getattr(tag, "handle", None) is not None


class Constructor(RoundTripConstructor):
    """Keeps explicitly tagged core scalars verbatim and ``!!pairs`` as written."""

    def construct_verbatim(self, node: Any) -> Any:
        if not _explicit(node):
            return _DEFAULTS[str(node.tag)](self, node)
        data = TaggedScalar()
        data.value = node.value
        data.style = node.style
        data.yaml_set_ctag(node.ctag)
        if node.anchor:
            data.yaml_set_anchor(node.anchor)
        return data

    def construct_tagged_pairs(self, node: Any) -> Iterator[Any]:
        data = CommentedSeq()
        data._yaml_set_line_col(node.start_mark.line, node.start_mark.column)
        data.yaml_set_ctag(node.ctag)
        yield data
        data.extend(self.construct_rt_sequence(node, data))
        self.set_collection_style(data, node)


_DEFAULTS: dict[str, Callable[[Any, Any], Any]] = {
    tag: RoundTripConstructor.yaml_constructors[tag] for tag in _VERBATIM
}
for _tag in _VERBATIM:
    Constructor.add_constructor(_tag, Constructor.construct_verbatim)
Constructor.add_constructor(_CORE + "pairs", Constructor.construct_tagged_pairs)


# --- writing ---------------------------------------------------------------------------


@dataclass
class DumpContext:
    """What the components need to know about one document while it is written."""

    #: source lines of the document (to measure the space before a comment)
    lines: list[str] = field(default_factory=list)
    #: alias comments by (id(container), key), from :func:`restore_alias_comments`
    alias_comments: dict[tuple[int, Any], Any] = field(default_factory=dict)
    #: the same, by id of the key node (mappings) or (id(sequence node), index)
    by_node: dict[Any, Any] = field(default_factory=dict)
    #: width of ``-`` and spaces before a scalar item, if not the sequence indentation's
    scalar_dash: int | None = None


def _context(component: Any) -> DumpContext:
    context = getattr(component.dumper, "modelsync_context", None)
    return context if isinstance(context, DumpContext) else DumpContext()


class Representer(RoundTripRepresenter):
    """Notes which key node (or sequence position) an alias comment belongs to."""

    def represent_mapping(self, tag: Any, mapping: Any, flow_style: Any = None) -> MappingNode:
        node = super().represent_mapping(tag, mapping, flow_style)
        context = _context(self)
        if context.alias_comments and isinstance(mapping, CommentedMap):
            keys = [k for k, _ in own_items(mapping)]
            for key, (key_node, _) in zip(keys, node.value, strict=False):
                token = context.alias_comments.get((id(mapping), key))
                if token is not None:
                    context.by_node[id(key_node)] = token
        return node

    def represent_sequence(self, tag: Any, sequence: Any, flow_style: Any = None) -> SequenceNode:
        node = super().represent_sequence(tag, sequence, flow_style)
        context = _context(self)
        if context.alias_comments:
            for index in range(len(sequence)):
                token = context.alias_comments.get((id(sequence), index))
                if token is not None:
                    context.by_node[(id(node), index)] = token
        return node


class Serializer(BaseSerializer):
    """Gives an alias event the comment that was written after the alias."""

    def serialize_node(self, node: Any, parent: Any, index: Any) -> None:
        if node in self.serialized_nodes:
            context = _context(self)
            if isinstance(parent, MappingNode):
                token = context.by_node.get(id(index))
            elif isinstance(parent, SequenceNode):
                token = context.by_node.get((id(parent), index))
            else:
                token = None
            if token is not None:
                from ruamel.yaml.events import AliasEvent

                style = getattr(node, "style", None)
                self.emitter.emit(
                    AliasEvent(
                        self.anchors[node],
                        style="?" if style == "?" else None,
                        comment=[token, None],
                    )
                )
                return
        super().serialize_node(node, parent, index)


def single_quotable(text: str) -> bool:
    """Whether ``text`` can be written in single quotes on one line, tabs included."""
    return fits_single_quotes(text.replace("\t", ""))


class Emitter(RoundTripEmitter):
    """Comments after aliases, tabs in single quotes, the space before a comment."""

    def expect_alias(self) -> None:
        super().expect_alias()
        if self.event.comment and self.event.comment[0] is not None:
            self.write_post_comment(self.event)

    def process_scalar(self) -> None:
        width = _context(self).scalar_dash
        if width and self.sequence_context and not self.flow_level and self.column:
            indent = self.indent
            self.indent = self.column + width - 1
            try:
                super().process_scalar()
            finally:
                self.indent = indent
            return
        super().process_scalar()

    def choose_scalar_style(self) -> Any:
        style = super().choose_scalar_style()
        event = self.event
        if (
            style == '"'
            and event.style == "'"
            and isinstance(event.value, str)
            and "\t" in event.value
            and single_quotable(event.value)
        ):
            return "'"
        return style

    def write_comment(self, comment: Any, pre: bool = False) -> None:
        value = comment.value
        mark = getattr(comment, "start_mark", None)
        if not pre and self.column and value.strip() and not value.startswith("\n") and mark:
            gap = self._gap(mark)
            if gap and mark.column - self.column < gap:
                column = mark.column
                mark.column = self.column + gap
                try:
                    super().write_comment(comment, pre)
                finally:
                    mark.column = column
                return
        super().write_comment(comment, pre)

    def _gap(self, mark: Any) -> int:
        """The spaces before a comment in the source (0 if unknown)."""
        lines = _context(self).lines
        line = getattr(mark, "line", None)
        if not isinstance(line, int) or not 0 <= line < len(lines):
            return 0
        text = lines[line]
        column = mark.column
        if text[column : column + 1] != "#":
            return 0
        before = text[:column]
        return len(before) - len(before.rstrip(" \t"))
