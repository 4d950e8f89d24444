"""YAML in one place: the canonical writer, the fast safe reader and the round-trip editor.

Three tools, one format:

* :func:`dump` (:mod:`.emit`) writes plain data in modelsync's canonical layout (block
  mappings indented by two, sequences of scalars in flow style, other sequences as
  indented blocks). It is a small purpose-built emitter, ~20x faster than ruamel's, and
  it is the layout that the round-trip editor produces for the same data
  (``tests/test_yamlfmt.py`` checks both).
* :func:`load` (:mod:`.load`) reads with libyaml's C parser (via PyYAML): no comments,
  no positions, duplicate keys rejected, timestamps kept as strings (like ``invoke
  validate`` expects), alias bombs refused.
* :class:`RoundTrip` (:mod:`.roundtrip`) loads and dumps with ruamel.yaml so that a
  user's comments, key order, quoting and blank lines survive an edit; :mod:`.layout`
  guesses what ruamel does not keep (indentation, markers), :mod:`.components` holds the
  ruamel subclasses, :mod:`.aliases` and :mod:`.anchors` handle shared nodes,
  :mod:`.comments` moves comments along with edits, :mod:`.edit` is the merge's view of
  a document, :mod:`.meaning` compares values by what they mean.

Scalars (:mod:`.scalars`) are written so that YAML 1.1 readers (PyYAML, Psych, yamerl)
and YAML 1.2 readers (ruamel) see the same value: strings that either version would read
as something else (``no``, ``on``, ``1e3``, ``2024-01-01``, ``null``...) are quoted, and
floats always have a fraction before the exponent (``1.0e-07``).

The package is named ``yamlio``, not ``yaml``, so that it never shadows PyYAML's ``yaml``.
"""

from .emit import dump
from .errors import Unrepresentable, YamlError
from .layout import CANONICAL_INDENT, Indent, Layout, guess_indent
from .load import ALIAS_EXPANSION, MergedDict, check_aliases, decode, load
from .roundtrip import Document, RoundTrip
from .scalars import format_float, quote, scalar_style

__all__ = [
    "ALIAS_EXPANSION",
    "CANONICAL_INDENT",
    "Document",
    "Indent",
    "Layout",
    "MergedDict",
    "RoundTrip",
    "Unrepresentable",
    "YamlError",
    "check_aliases",
    "decode",
    "dump",
    "format_float",
    "guess_indent",
    "load",
    "quote",
    "scalar_style",
]
