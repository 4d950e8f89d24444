"""What ruamel does not keep of a document's text: indentation, markers, BOM, newlines."""

from __future__ import annotations

import re
from dataclasses import dataclass


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
