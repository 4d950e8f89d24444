"""The round-trip editor: ruamel.yaml with modelsync's settings, so that a user's
comments, key order, quoting and blank lines survive an edit."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import YamlError
from .layout import Layout
from .scalars import format_float, is_scalar, scalar_style, significant_digits

if TYPE_CHECKING:
    from ruamel.yaml import YAML


@dataclass
class Document:
    """A document loaded for editing: ``data`` is ruamel's tree."""

    data: Any
    yaml: Any
    layout: Layout
    #: the text ruamel read (after the preamble, before the postamble), as lines
    lines: list[str] = dataclasses.field(default_factory=list)
    #: comments written after aliases, kept out of ruamel's tree (see modelsync.yamlio.aliases)
    alias_comments: Any = None

    def dump(self) -> str:
        import io

        from .aliases import restore_alias_comments
        from .components import DumpContext

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

        from . import components

        class Representer(components.Representer):
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
            if same_value and significant_digits(node.value) == significant_digits(exact):
                return node
            return represent_float(rep, data)

        Representer.add_representer(float, represent_float)
        Representer.add_representer(ScalarFloat, represent_scalar_float)
        self._representer = Representer

    def _new_yaml(self) -> YAML:
        from ruamel.yaml import YAML

        from . import components

        yaml = YAML(typ="rt")
        yaml.Representer = self._representer
        yaml.Constructor = components.Constructor
        yaml.Resolver = components.Resolver
        yaml.Serializer = components.Serializer
        yaml.Emitter = components.Emitter
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
                flow = all(is_scalar(item) for item in v)
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
