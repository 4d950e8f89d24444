"""YAML in one place: the canonical writer, the fast safe reader and the round-trip editor.

Three tools, one format:

* :func:`dump` writes plain data in modelsync's canonical layout (block mappings indented
  by two, sequences of scalars in flow style, other sequences as indented blocks). It is
  a small purpose-built emitter, ~20x faster than ruamel's, and it is the layout that the
  round-trip editor produces for the same data (``tests/test_yamlfmt.py`` checks both).
* :func:`load` reads with libyaml's C parser (via PyYAML): no comments, no positions,
  duplicate keys rejected, timestamps kept as strings (like ``invoke validate`` expects).
* :class:`RoundTrip` loads and dumps with ruamel.yaml so that a user's comments, key
  order, quoting and blank lines survive an edit.

Scalars are written so that YAML 1.1 readers (PyYAML, Psych, yamerl) and YAML 1.2 readers
(ruamel) see the same value: strings that either version would read as something else
(``no``, ``on``, ``1e3``, ``2024-01-01``, ``null``...) are quoted, and floats always have
a fraction before the exponent (``1.0e-07``).
"""

from __future__ import annotations

import dataclasses
import functools
import math
import re
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ruamel.yaml import YAML

__all__ = [
    "RoundTrip",
    "Unrepresentable",
    "YamlError",
    "dump",
    "format_float",
    "load",
    "scalar_style",
]


class YamlError(Exception):
    """A YAML document that cannot be read; ``line`` and ``column`` are 1-based."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column

    def where(self, path: str) -> str:
        if self.line is None:
            return path
        return f"{path}:{self.line}:{self.column or 1}"


class Unrepresentable(ValueError):
    """Data the canonical writer does not handle; the caller falls back to ruamel."""


# --- scalars -------------------------------------------------------------------------

_PLAIN = re.compile(r"[A-Za-z0-9_(./][A-Za-z0-9 _./()@+-]*")
# In a block mapping value more characters are safe in a plain scalar (URLs, lists in
# prose), as long as ": " and " #" do not occur and it does not end with ":".
_PLAIN_VALUE = re.compile(r"[A-Za-z0-9_(./][A-Za-z0-9 _./()@+:,?&=%~#!*;'-]*")
# Words that some YAML version reads as a boolean or null (1.1: y/n/yes/no/on/off).
_SPECIAL_WORDS = frozenset(
    w
    for base in ("y", "n", "yes", "no", "on", "off", "true", "false", "null")
    for w in (base, base.capitalize(), base.upper())
) | {"~"}
# Anything that starts like a number: ints, floats, octal/hex/binary, sexagesimal,
# timestamps, ``.inf``/``.nan``, ``._5`` (a float to YAML 1.2 readers). Deliberately
# broad: quoting a string never hurts.
_NUMBERISH = re.compile(
    r"[-+]?(?:(?:\.[0-9_]|[0-9])[0-9a-fA-FxXoObB_.:eE+-]*|\.(?:inf|Inf|INF|nan|NaN|NAN))"
)


# YAML 1.1 (and ruamel's 1.2) timestamps, which a plain scalar in a value may spell.
_TIMESTAMP = re.compile(
    r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
    r"(?:(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?"
    r"(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)?"
)


def _single_quotable(s: str) -> bool:
    for ch in s:
        o = ord(ch)
        if 0x20 <= o <= 0x7E:
            continue
        if o < 0xA1 or 0xD800 <= o <= 0xDFFF or o in (0x2028, 0x2029, 0xFEFF) or o > 0x10FFFF:
            return False
    return True


def scalar_style(s: str, value: bool = False) -> str:
    """How modelsync writes the string ``s``: ``"plain"``, ``"single"`` or ``"double"``.

    ``value`` is true for a block mapping value, where more characters may stay plain;
    keys and items of flow sequences use the strict rule.
    """
    if value:
        plain = bool(_PLAIN_VALUE.fullmatch(s)) and not (": " in s or " #" in s or s.endswith(":"))
    else:
        plain = bool(_PLAIN.fullmatch(s))
    if (
        plain
        and not s.endswith(" ")
        and not s.startswith(("---", "..."))  # document markers
        and s not in _SPECIAL_WORDS
        and not _NUMBERISH.fullmatch(s)
        and not _TIMESTAMP.fullmatch(s)
    ):
        return "plain"
    return "single" if _single_quotable(s) else "double"


_ESCAPES = {
    "\0": "\\0",
    "\x07": "\\a",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\x0b": "\\v",
    "\x0c": "\\f",
    "\r": "\\r",
    "\x1b": "\\e",
    '"': '\\"',
    "\\": "\\\\",
    "\x85": "\\N",
    "\u2028": "\\L",
    "\u2029": "\\P",
}


def _double_quote(s: str) -> str:
    out = ['"']
    for ch in s:
        esc = _ESCAPES.get(ch)
        if esc is not None:
            out.append(esc)
            continue
        o = ord(ch)
        if 0x20 <= o <= 0x7E or o == 0xA0 or (o > 0xA0 and _single_quotable(ch)):
            out.append(ch)
        elif 0xD800 <= o <= 0xDFFF:
            raise Unrepresentable(f"lone surrogate in string {s!r}")
        elif o <= 0xFF:
            out.append(f"\\x{o:02X}")
        elif o <= 0xFFFF:
            out.append(f"\\u{o:04X}")
        else:
            out.append(f"\\U{o:08X}")
    out.append('"')
    return "".join(out)


@functools.lru_cache(maxsize=1 << 16)
def quote(s: str, value: bool = False) -> str:
    """``s`` as a YAML scalar in modelsync's style (``value``: see :func:`scalar_style`).

    Memoised: a catalog repeats the same few thousand strings (field names, modalities,
    dates) hundreds of thousands of times.
    """
    style = scalar_style(s, value)
    if style == "plain":
        return s
    if style == "single":
        return "'" + s.replace("'", "''") + "'"
    return _double_quote(s)


def format_float(x: float) -> str:
    """A float that YAML 1.1 and 1.2 both read back exactly: ``0.075``, ``1.0e-07``."""
    if math.isnan(x):
        return ".nan"
    if math.isinf(x):
        return ".inf" if x > 0 else "-.inf"
    text = repr(float(x)).lower()
    if "e" in text and "." not in text:
        text = text.replace("e", ".0e", 1)
    return text


def _digits(text: str) -> str:
    """The significant digits of a float's text: ``"3.00"`` and ``"3.0"`` both give ``3``."""
    mantissa = text.lower().split("e")[0].lstrip("+-").replace(".", "").replace("_", "")
    return mantissa.strip("0")


def _scalar(value: Any, block_value: bool = False) -> str:
    if isinstance(value, str):
        return quote(value, block_value)
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, float):
        return format_float(value)
    raise Unrepresentable(f"cannot write a value of type {type(value).__name__}")


@functools.lru_cache(maxsize=1 << 16)
def _str_key(key: str) -> str:
    if _LINE_BREAKS.search(key):
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
    text = _scalar(key)
    if len(text) >= 128:
        raise Unrepresentable("key too long for a simple key")
    return text


_LINE_BREAKS = re.compile("[\r\n\x85\u2028\u2029]")


def _is_scalar(value: Any) -> bool:
    return isinstance(value, (str, int, float))


# --- canonical writer ------------------------------------------------------------------


def _emit_mapping(mapping: Mapping[Any, Any], indent: int, out: list[str]) -> None:
    pad = " " * indent
    for key, value in mapping.items():
        head = f"{pad}{_key(key)}:"
        kind = type(value)
        if kind is str:
            out.append(f"{head} {quote(value, True)}\n")
        elif kind is int or kind is float:
            out.append(f"{head} {_scalar(value)}\n")
        elif isinstance(value, Mapping):
            if value:
                out.append(head + "\n")
                _emit_mapping(value, indent + 2, out)
            else:
                out.append(head + " {}\n")
        elif isinstance(value, list):
            if all(_is_scalar(v) for v in value):
                out.append(head + " [" + ", ".join(_scalar(v) for v in value) + "]\n")
            else:
                out.append(head + "\n")
                _emit_sequence(value, indent + 2, out)
        elif value is None:
            out.append(head + "\n")
        else:
            out.append(f"{head} {_scalar(value, True)}\n")


def _emit_sequence(seq: Sequence[Any], indent: int, out: list[str]) -> None:
    pad = " " * indent
    for item in seq:
        if isinstance(item, Mapping) and item:
            start = len(out)
            _emit_mapping(item, indent + 2, out)
            out[start] = pad + "- " + out[start][indent + 2 :]
        elif _is_scalar(item):
            out.append(f"{pad}- {_scalar(item, True)}\n")
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


# --- fast safe reader ------------------------------------------------------------------

_loader_class: Any = None
_MERGE = "tag:yaml.org,2002:merge"


class MergedDict(dict):  # type: ignore[type-arg]
    """A mapping read by :func:`load` that has a ``<<`` merge key: ``own_keys`` are the
    keys written in it (the others come from the merged mappings)."""

    own_keys: frozenset[Any] = frozenset()


def _make_loader() -> Any:
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class Loader(base):  # type: ignore[misc, valid-type]
        """Safe loader: C parser, duplicate keys rejected, timestamps kept as strings,
        alias bombs refused (when ``check_aliases``)."""

        check_aliases = True

        def construct_mapping(self, node: Any, deep: bool = False) -> Any:
            if isinstance(node, yaml.MappingNode):
                seen: set[tuple[str, str]] = set()
                for key_node, _ in node.value:
                    if isinstance(key_node, yaml.ScalarNode) and key_node.tag != (
                        "tag:yaml.org,2002:merge"
                    ):
                        ident = (key_node.tag, key_node.value)
                        if ident in seen:
                            raise yaml.constructor.ConstructorError(
                                "while constructing a mapping",
                                node.start_mark,
                                f"found duplicate key {key_node.value!r}",
                                key_node.start_mark,
                            )
                        seen.add(ident)
            return super().construct_mapping(node, deep=deep)

        def get_single_data(self) -> Any:
            node = self.get_single_node()
            if node is None:
                return None
            if self.check_aliases:
                check_aliases(node)
            return self.construct_document(node)

        def construct_merged_map(self, node: Any) -> Any:
            if not any(k.tag == _MERGE for k, _ in node.value):
                yield from self.construct_yaml_map(node)
                return
            own = [k for k, _ in node.value if k.tag != _MERGE]
            data = MergedDict()
            yield data
            data.update(self.construct_mapping(node))
            keys = []
            for key_node in own:
                key = self.construct_object(key_node)
                if isinstance(key, Hashable):
                    keys.append(key)
            data.own_keys = frozenset(keys)

    Loader.add_constructor("tag:yaml.org,2002:map", Loader.construct_merged_map)
    Loader.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in base.yaml_implicit_resolvers.items()
    }
    return Loader


#: Values a document may expand to through its aliases, besides ten per node written.
ALIAS_EXPANSION = 100_000


def check_aliases(root: Any) -> None:
    """Refuse a composed document whose aliases expand it past :data:`ALIAS_EXPANSION`
    values plus ten per node written, or that contains itself.

    Aliases share nodes, so a 1 KB "billion laughs" file composes into a few dozen nodes
    but expands into 10^9 values in anything that walks it as plain data (a comparison, a
    schema check, a writer). The sizes are counted per shared node, in time linear in
    the nodes written; the error points at the deepest node that is too large.
    """
    import yaml

    mapping, scalar = yaml.MappingNode, yaml.ScalarNode

    def children(node: Any) -> Any:
        if type(node) is mapping:
            return [n for pair in node.value for n in pair]
        return node.value

    def refuse(node: Any, message: str) -> YamlError:
        return YamlError(message, node.start_mark.line + 1, node.start_mark.column + 1)

    cap = 10**15
    sizes: dict[int, int] = {}
    active: set[int] = set()  # the path from the root to the node on top of the stack
    stack = [root]
    while stack:
        node = stack[-1]
        key = id(node)
        if key in sizes:
            stack.pop()
        elif type(node) is scalar:
            sizes[key] = 1
            stack.pop()
        elif key in active:  # its children are counted
            active.discard(key)
            stack.pop()
            sizes[key] = min(cap, 1 + sum(sizes[id(c)] for c in children(node)))
        else:
            active.add(key)
            for child in children(node):
                if id(child) in active:
                    raise refuse(child, "an alias refers to a node that contains it")
                if id(child) not in sizes:
                    stack.append(child)
    limit = ALIAS_EXPANSION + 10 * len(sizes)
    if sizes[id(root)] <= limit:
        return
    node = root
    while type(node) is not scalar:
        big = next((c for c in children(node) if sizes[id(c)] > limit), None)
        if big is None:
            break
        node = big
    raise refuse(
        node,
        f"aliases expand this document to more than {limit:,} values (an alias bomb?); "
        "the file is refused",
    )


# Where a "*" may start an alias: at the start of a line, after a space or a flow indicator.
_ALIAS = re.compile(r"(?:^|[\s\[{,:])\*[^\s,\[\]{}]", re.MULTILINE)


def load(data: bytes | str) -> Any:
    """Parse one YAML document safely and fast; raise :class:`YamlError` with a position.

    A document with aliases is checked by :func:`check_aliases` before it is built.
    """
    global _loader_class
    import yaml

    if _loader_class is None:
        _loader_class = _make_loader()
    text = decode(data) if isinstance(data, bytes) else data
    loader = _loader_class(text)
    # An alias needs an anchor ("&") and a "*" where a node starts: most documents have
    # neither, and are not walked again.
    loader.check_aliases = "&" in text and "*" in text and bool(_ALIAS.search(text))
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = " ".join(p for p in (exc.context, exc.problem) if p)
        if mark is None:
            raise YamlError(message or str(exc)) from None
        raise YamlError(message, mark.line + 1, mark.column + 1) from None
    except yaml.YAMLError as exc:
        raise YamlError(str(exc).splitlines()[0] if str(exc) else "invalid YAML") from None
    except RecursionError:
        raise YamlError("document nested too deeply") from None
    finally:
        loader.dispose()


def decode(data: bytes) -> str:
    """Decode UTF-8 strictly; raise :class:`YamlError` at the first bad byte."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise YamlError(f"not valid UTF-8 (byte 0x{data[exc.start]:02x})", line, column) from None


# --- round-trip editor -----------------------------------------------------------------


@dataclass(frozen=True)
class Indent:
    """Block indentation of a document, as ruamel's ``YAML.indent`` takes it."""

    mapping: int = 2
    sequence: int = 4
    offset: int = 2
    #: width of ``-`` and the spaces after it before a scalar item, when it differs from
    #: that before a mapping item (PyYAML's ``indent=4``: ``- text`` but ``-   key: v``)
    scalar_dash: int | None = None


CANONICAL_INDENT = Indent()


def guess_indent(text: str) -> Indent:
    """The indentation a hand-written document uses, so an edit keeps it.

    Looks at the first nested mapping and the first block sequence items: where the dash
    is, and how many spaces follow it before a mapping item and before a scalar item
    (PyYAML's ``indent=4`` writes ``-   key: v`` but ``- text``). Falls back to the
    canonical layout for what the document does not show.
    """
    mapping: int | None = None
    offset: int | None = None
    dash_map: int | None = None
    dash_scalar: int | None = None
    parent_indent: int | None = None
    for raw in text.splitlines():
        stripped = raw.lstrip(" ")
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(raw) - len(stripped)
        if stripped.startswith("- "):
            after = stripped[1:]
            content = after.lstrip(" ")
            width = 1 + len(after) - len(content)
            if content and not content.startswith(("#", "-", "[", "{", "|", ">", "&", "*", "!")):
                if _BLOCK_KEY.match(content):
                    dash_map = dash_map or width
                else:
                    dash_scalar = dash_scalar or width
            if parent_indent is not None and offset is None and indent >= parent_indent:
                offset = indent - parent_indent
        elif parent_indent is not None and mapping is None and indent > parent_indent:
            mapping = indent - parent_indent
        parent_indent = indent if stripped.rstrip().endswith(":") else None
        if mapping is not None and offset is not None and dash_map and dash_scalar:
            break
    m = mapping or CANONICAL_INDENT.mapping
    off = CANONICAL_INDENT.offset if offset is None else offset
    dash = dash_map or dash_scalar or 2
    scalar = dash_scalar if dash_scalar is not None and dash_scalar != dash else None
    return Indent(mapping=m, sequence=off + dash, offset=off, scalar_dash=scalar)


#: ``key:`` or ``key: value`` at the start of a block sequence item (a mapping item)
_BLOCK_KEY = re.compile(r"""(?:[^\s'"#:][^:#]*?|'[^']*'|"[^"]*")\s*:(?:\s|$)""")


@dataclass(frozen=True)
class Layout:
    """What ruamel does not keep of a document's text, and its indentation."""

    indent: Indent = CANONICAL_INDENT
    newline: str = "\n"
    bom: bool = False
    #: text up to and including an explicit ``---`` (comments there would be dropped)
    preamble: str = ""
    explicit_end: bool = False
    #: comments and blank lines after an explicit ``...`` (ruamel drops them)
    postamble: str = ""

    @classmethod
    def of(cls, text: str) -> Layout:
        """The layout of ``text`` (BOM removed, line endings ``\n``)."""
        preamble = ""
        lines = text.splitlines(keepends=True)
        for index, line in enumerate(lines):
            stripped = line.strip()
            if stripped.startswith("%"):
                break  # a directive: ruamel reads and writes it, with the "---"
            if stripped.split(" #")[0].rstrip() == "---":
                preamble = "".join(lines[: index + 1])
                break
            if stripped and not stripped.startswith("#"):
                break
        content = [
            i for i, ln in enumerate(lines) if ln.strip() and not ln.lstrip().startswith("#")
        ]
        end = bool(content) and lines[content[-1]].split(" #")[0].rstrip() == "..."
        return cls(
            indent=guess_indent(text),
            preamble=preamble,
            explicit_end=end,
            postamble="".join(lines[content[-1] + 1 :]) if end else "",
        )


@dataclass
class Document:
    """A document loaded for editing: ``data`` is ruamel's tree."""

    data: Any
    yaml: Any
    layout: Layout
    #: the text ruamel read (after the preamble, before the postamble), as lines
    lines: list[str] = dataclasses.field(default_factory=list)
    #: comments written after aliases, kept out of ruamel's tree (see modelsync.aliases)
    alias_comments: Any = None

    def dump(self) -> str:
        import io

        from .aliases import restore_alias_comments
        from .rtyaml import DumpContext

        layout = self.layout
        table = (
            restore_alias_comments(self.data, self.alias_comments) if self.alias_comments else {}
        )
        self.yaml.modelsync_context = DumpContext(
            self.lines, table, scalar_dash=layout.indent.scalar_dash
        )
        self.yaml.indent(
            mapping=layout.indent.mapping,
            sequence=layout.indent.sequence,
            offset=layout.indent.offset,
        )
        if layout.explicit_end:
            self.yaml.explicit_end = True
        buf = io.StringIO()
        self.yaml.dump(self.data, buf)
        out = layout.preamble + buf.getvalue() + layout.postamble
        if layout.newline != "\n":
            out = out.replace("\n", layout.newline)
        return "\ufeff" + out if layout.bom else out


class RoundTrip:
    """ruamel.yaml round trip with modelsync's settings.

    ruamel quirks handled here: ``float`` is written with :func:`format_float` (ruamel
    writes ``1e-07``, a string to YAML 1.1 readers); a loaded float keeps its notation
    only if ruamel reproduces its value exactly (it does not always); each document gets
    a fresh ``YAML`` object, because ruamel carries state from one document to the next
    (a ``%YAML`` directive read from one file is written into every later one); line
    endings, a byte order mark and explicit ``---``/``...`` markers, which ruamel drops,
    are restored. The representer is a subclass, so none of this leaks into other users
    of ruamel in the same process.
    """

    def __init__(self) -> None:
        from ruamel.yaml.representer import RoundTripRepresenter
        from ruamel.yaml.scalarfloat import ScalarFloat

        from . import rtyaml

        class Representer(rtyaml.Representer):
            pass

        def represent_float(rep: Any, data: float) -> Any:
            return rep.represent_scalar("tag:yaml.org,2002:float", format_float(data))

        def represent_scalar_float(rep: Any, data: ScalarFloat) -> Any:
            # ruamel re-creates a loaded float's text from its value and remembered width,
            # which can change the value (2.594789688286345e+16 comes back as ...344e+16)
            # or its digits (1.4064340194702e-119 as ...701e-119, the same double). Keep
            # ruamel's text only when it has the digits of the shortest exact form, maybe
            # padded with zeros (a user's 3.00 stays 3.00).
            node = RoundTripRepresenter.represent_scalar_float(rep, data)
            if math.isnan(data) or math.isinf(data):
                return node
            exact = format_float(data)
            try:
                same_value = float(node.value) == float(data)
            except ValueError:
                same_value = False
            if same_value and _digits(node.value) == _digits(exact):
                return node
            return represent_float(rep, data)

        Representer.add_representer(float, represent_float)
        Representer.add_representer(ScalarFloat, represent_scalar_float)
        self._representer = Representer

    def _new_yaml(self) -> YAML:
        from ruamel.yaml import YAML

        from . import rtyaml

        yaml = YAML(typ="rt")
        yaml.Representer = self._representer
        yaml.Constructor = rtyaml.Constructor
        yaml.Resolver = rtyaml.Resolver
        yaml.Serializer = rtyaml.Serializer
        yaml.Emitter = rtyaml.Emitter
        yaml.preserve_quotes = True
        yaml.width = 1 << 20
        return yaml

    def load(self, text: str) -> Document:
        """Parse a document for editing; :meth:`Document.dump` writes it back."""
        from ruamel.yaml.error import MarkedYAMLError, YAMLError

        bom = text.startswith("\ufeff")
        newline = "\r\n" if "\r\n" in text else "\n"
        body = (text[1:] if bom else text).replace("\r\n", "\n")
        layout = dataclasses.replace(Layout.of(body), bom=bom, newline=newline)
        body = body[len(layout.preamble) : len(body) - len(layout.postamble)]
        yaml = self._new_yaml()
        try:
            data = yaml.load(body)
        except MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            message = " ".join(p for p in (exc.context, exc.problem) if p)
            if mark is None:
                raise YamlError(message) from None
            raise YamlError(message, mark.line + 1, mark.column + 1) from None
        except (YAMLError, RecursionError) as exc:
            raise YamlError(str(exc).splitlines()[0] if str(exc) else "invalid YAML") from None
        from .aliases import attach_anchor_comments, detach_alias_comments, keep_anchors

        keep_anchors(data)
        lines = body.splitlines()
        attach_anchor_comments(data, lines)
        return Document(data, yaml, layout, lines, detach_alias_comments(data, lines))

    def dump_plain(self, value: Any) -> str:
        """Plain data in the canonical layout, for what :func:`dump` cannot write."""
        return Document(self.node(value), self._new_yaml(), Layout()).dump()

    @staticmethod
    def node(value: Any, block_value: bool = True) -> Any:
        """Plain data as ruamel nodes in the canonical styles (see :func:`dump`).

        ``block_value``: the value goes into a block mapping (the usual case); pass false
        for a mapping key.
        """
        from ruamel.yaml.comments import CommentedMap, CommentedSeq
        from ruamel.yaml.scalarstring import (
            DoubleQuotedScalarString,
            PlainScalarString,
            SingleQuotedScalarString,
        )

        def convert(v: Any, block_value: bool = False) -> Any:
            if isinstance(v, Mapping):
                cm = CommentedMap()
                for k, item in v.items():
                    cm[convert(k)] = convert(item, True)
                if not v:
                    cm.fa.set_flow_style()
                return cm
            if isinstance(v, list):
                flow = all(_is_scalar(item) for item in v)
                seq = CommentedSeq(convert(item, not flow) for item in v)
                if flow:
                    seq.fa.set_flow_style()
                else:
                    seq.fa.set_block_style()
                return seq
            if isinstance(v, str) and type(v) is str:
                # Always a ScalarString: assigning a plain str over a quoted value makes
                # ruamel keep the old quotes.
                style = scalar_style(v, block_value)
                if style == "single":
                    return SingleQuotedScalarString(v)
                if style == "double":
                    return DoubleQuotedScalarString(v)
                return PlainScalarString(v)
            return v

        return convert(value, block_value)
