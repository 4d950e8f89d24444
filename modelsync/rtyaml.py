"""ruamel.yaml round-trip components that keep what a person wrote.

:class:`modelsync.yamlfmt.RoundTrip` plugs these into ruamel's ``YAML(typ="rt")``. Each
one works around something ruamel's round trip would change in a hand-written file:

* **Timestamps**: ruamel (YAML 1.2) reads a plain ``2024-10-22`` as a date, the fast
  reader as a string. :class:`Resolver` reads it as a string too, so both readers name a
  model ``2024-10-22:`` alike, and writes it back as it was written.
* **Explicit tags**: ``!!bool yes``, ``!!timestamp 2024-01-01``, ``!!float 1`` would come
  back as ``true``, ``2024-01-01`` (a string to the fast reader), ``!!float '1'``.
  :class:`Constructor` keeps such scalars verbatim (a ``TaggedScalar``); ``!!pairs``,
  which ruamel turns into nested lists, stays a tagged sequence of one-key mappings.
* **Comments after aliases**: ruamel attaches the comment of ``key: *anchor  # note`` to
  whatever follows, so it moves to the next line. :func:`detach_alias_comments` takes
  such comments out at load; the representer, serializer and emitter put them back
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
    from .yamlfmt import _single_quotable

    return _single_quotable(text.replace("\t", ""))


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
