"""The fast safe reader: libyaml's C parser (via PyYAML), with an alias-bomb guard.

No comments, no positions; duplicate keys rejected, timestamps kept as strings (as
``invoke validate`` expects), documents whose aliases expand too far refused.
"""

from __future__ import annotations

import re
from collections.abc import Hashable
from typing import Any

from .errors import YamlError

_loader_class: Any = None
_MERGE = "tag:yaml.org,2002:merge"


class MergedDict(dict):  # type: ignore[type-arg]
    """A mapping read by :func:`load` that has a ``<<`` merge key: ``own_keys`` are the
    keys written in it (the others come from the merged mappings)."""

    own_keys: frozenset[Any] = frozenset()


def _reject_duplicate_keys(node: Any) -> None:
    """Raise PyYAML's ``ConstructorError`` at the second of two equal scalar keys."""
    import yaml

    seen: set[tuple[str, str]] = set()
    for key_node, _ in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.tag != _MERGE:
            ident = (key_node.tag, key_node.value)
            if ident in seen:
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping",
                    node.start_mark,
                    f"found duplicate key {key_node.value!r}",
                    key_node.start_mark,
                )
            seen.add(ident)


def _construct_merged_map(loader: Any, node: Any) -> Any:
    """A mapping, as a :class:`MergedDict` that knows its own keys when it has ``<<``."""
    if not any(k.tag == _MERGE for k, _ in node.value):
        yield from loader.construct_yaml_map(node)
        return
    own = [k for k, _ in node.value if k.tag != _MERGE]
    data = MergedDict()
    yield data
    data.update(loader.construct_mapping(node))
    keys = []
    for key_node in own:
        key = loader.construct_object(key_node)
        if isinstance(key, Hashable):
            keys.append(key)
    data.own_keys = frozenset(keys)


def _make_loader() -> Any:
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class Loader(base):  # type: ignore[misc, valid-type]
        """Safe loader: C parser, duplicate keys rejected, timestamps kept as strings,
        alias bombs refused (when ``check_aliases``)."""

        check_aliases = True

        def construct_mapping(self, node: Any, deep: bool = False) -> Any:
            if isinstance(node, yaml.MappingNode):
                _reject_duplicate_keys(node)
            return super().construct_mapping(node, deep=deep)

        def get_single_data(self) -> Any:
            node = self.get_single_node()
            if node is None:
                return None
            if self.check_aliases:
                check_aliases(node)
            return self.construct_document(node)

    Loader.add_constructor("tag:yaml.org,2002:map", _construct_merged_map)
    Loader.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in base.yaml_implicit_resolvers.items()
    }
    return Loader


#: Values a document may expand to through its aliases, besides ten per node written.
ALIAS_EXPANSION = 100_000
#: Sizes are counted up to here (a document of nested aliases can name 10^100 values).
_SIZE_CAP = 10**15


def _children(node: Any, mapping: Any) -> Any:
    """The nodes under a composed node (keys and values of a ``mapping`` node)."""
    if type(node) is mapping:
        return [n for pair in node.value for n in pair]
    return node.value


def _refuse(node: Any, message: str) -> YamlError:
    return YamlError(message, node.start_mark.line + 1, node.start_mark.column + 1)


def _expanded_sizes(root: Any) -> dict[int, int]:
    """How many values each node (by id) expands to, counted once per shared node;
    raises :class:`YamlError` for a node that contains itself."""
    import yaml

    mapping, scalar = yaml.MappingNode, yaml.ScalarNode
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
            children = _children(node, mapping)
            sizes[key] = min(_SIZE_CAP, 1 + sum(sizes[id(c)] for c in children))
        else:
            active.add(key)
            for child in _children(node, mapping):
                if id(child) in active:
                    raise _refuse(child, "an alias refers to a node that contains it")
                if id(child) not in sizes:
                    stack.append(child)
    return sizes


def check_aliases(root: Any) -> None:
    """Refuse a composed document whose aliases expand it past :data:`ALIAS_EXPANSION`
    values plus ten per node written, or that contains itself.

    Aliases share nodes, so a 1 KB "billion laughs" file composes into a few dozen nodes
    but expands into 10^9 values in anything that walks it as plain data (a comparison, a
    schema check, a writer). The sizes are counted per shared node, in time linear in
    the nodes written; the error points at the deepest node that is too large.
    """
    import yaml

    sizes = _expanded_sizes(root)
    limit = ALIAS_EXPANSION + 10 * len(sizes)
    if sizes[id(root)] <= limit:
        return
    node = root
    while type(node) is not yaml.ScalarNode:
        big = next((c for c in _children(node, yaml.MappingNode) if sizes[id(c)] > limit), None)
        if big is None:
            break
        node = big
    raise _refuse(
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
