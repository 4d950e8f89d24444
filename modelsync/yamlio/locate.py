"""Where a value sits in a YAML text: the line and column of the value at a JSON path,
for messages that name the line of a problem."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .errors import YamlError
from .load import load


class Locator:
    """Positions of the values of one document, which is composed once (not once per
    finding: a file with many problems is read once)."""

    def __init__(self, text: str) -> None:
        import yaml

        try:
            self.root: Any = yaml.compose(
                text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)
            )
            self.ok = True
        except yaml.YAMLError:
            self.root, self.ok = None, False
        self._keys: dict[int, dict[str, tuple[Any, Any]]] = {}

    def _child(self, node: Any, part: Any) -> tuple[Any, Any] | None:
        """``(key node, value node)`` of ``part`` in a mapping, ``(None, item)`` in a
        sequence."""
        import yaml

        if isinstance(node, yaml.MappingNode):
            index = self._keys.get(id(node))
            if index is None:
                index = {}
                for key_node, value_node in node.value:
                    if isinstance(key_node, yaml.ScalarNode):
                        index.setdefault(key_node.value, (key_node, value_node))
                self._keys[id(node)] = index
            found = index.get(str(part))
            if found is None and not isinstance(part, str):  # 1.10: the number 1.1
                found = next((pair for pair in index.values() if _names(pair[0], part)), None)
            return found
        if (
            isinstance(node, yaml.SequenceNode)
            and isinstance(part, int)
            and 0 <= part < len(node.value)
        ):
            return None, node.value[part]
        return None

    def locate(
        self, parts: Sequence[Any], exact: bool = False, key: bool = False
    ) -> tuple[int | None, int | None]:
        """Line and column of the value at ``parts``, or of its nearest existing parent
        (``exact``: ``None`` unless the value itself is there; ``key``: of the key that
        names the value, for a problem with the key itself)."""
        if not self.ok:
            return None, None
        node = self.root
        if node is None:
            return 1, 1
        for index, part in enumerate(parts):
            child = self._child(node, part)
            if child is None:
                if exact:
                    return None, None
                break
            key_node, node = child
            if key and key_node is not None and index == len(parts) - 1:
                node = key_node
        return node.start_mark.line + 1, node.start_mark.column + 1


def _names(key_node: Any, part: Any) -> bool:
    """Whether a plain key that is not a string (such as ``1.10``) is the key ``part``."""
    if key_node.style:
        return False
    try:
        value = load(key_node.value)
    except YamlError:
        return False
    return type(value) is type(part) and bool(value == part)


def locate(
    text: str, parts: Sequence[Any], exact: bool = False, key: bool = False
) -> tuple[int | None, int | None]:
    """Line and column of the value at ``parts`` in ``text`` (see :class:`Locator`)."""
    return Locator(text).locate(parts, exact, key)
