"""Checking data against modelsync's JSON Schemas: loading them, compiled validators,
and error messages.

The schema files are package data: the repository's ``schemas/`` directory is installed
as the package ``modelsync.schemas`` (``package-dir`` in ``pyproject.toml``), and read
here with :mod:`importlib.resources`, from a wheel and from an editable install alike.
"""

from __future__ import annotations

import functools
import hashlib
import json
from importlib import resources
from typing import Any

API_SCHEMA = "models-dev-api.schema.json"
CONFIG_SCHEMA = "provider-config.schema.json"

#: The package that holds the schema files.
SCHEMA_PACKAGE = "modelsync.schemas"


@functools.cache
def schema_bytes(name: str) -> bytes:
    """The bytes of a schema file shipped with modelsync."""
    try:
        return resources.files(SCHEMA_PACKAGE).joinpath(name).read_bytes()
    except (ModuleNotFoundError, FileNotFoundError):
        raise FileNotFoundError(
            f"schema {name} is missing from the modelsync installation"
        ) from None


@functools.cache
def load_schema(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(schema_bytes(name))
    return schema


def schema_digest(name: str) -> str:
    return hashlib.sha256(schema_bytes(name)).hexdigest()


_ANNOTATIONS = frozenset({"description", "title", "examples", "$comment"})


def inline_refs(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with its local ``#/$defs/...`` references replaced by their targets.

    Same meaning (modelsync's schemas have no recursive references), but validation does
    not resolve a reference per value: ~3x faster on the whole catalog.
    """
    defs = schema.get("$defs", {})

    def resolve(node: Any, depth: int = 0) -> Any:
        if depth > 50:
            raise ValueError("recursive $ref")
        if isinstance(node, list):
            return [resolve(n, depth) for n in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/") and ref[8:] in defs:
            target = resolve(defs[ref[8:]], depth + 1)
            rest = {k: resolve(v, depth) for k, v in node.items() if k != "$ref"}
            if set(rest) <= _ANNOTATIONS:
                return {**target, **rest}
            return {"allOf": [target], **rest}
        return {k: (v if k == "$defs" else resolve(v, depth)) for k, v in node.items()}

    out: dict[str, Any] = resolve(schema)
    return out


def _inlined(name: str, definition: str | None) -> dict[str, Any]:
    schema = load_schema(name)
    if definition is None:
        return inline_refs(schema)
    inlined = inline_refs({"$defs": schema["$defs"], **schema["$defs"][definition]})
    inlined.pop("$defs", None)
    return inlined


@functools.cache
def validator(name: str, definition: str | None = None) -> Any:
    """A draft 2020-12 jsonschema validator for a schema, or for one of its ``$defs``.

    The reference implementation: it gives the error messages. For a yes/no answer use
    :func:`checker`, which is ~15x faster.
    """
    from jsonschema import Draft202012Validator

    Draft202012Validator.check_schema(load_schema(name))
    return Draft202012Validator(_inlined(name, definition))


class Checker:
    """Validation against one schema: a fast compiled verdict, jsonschema for messages.

    The schemas use only keywords whose meaning is the same in drafts 7 and 2020-12
    (``tests/test_validate.py`` checks that both implementations agree), so the
    fastjsonschema code compiled from the inlined schema answers "is it valid?", and
    jsonschema, the reference, explains what is wrong. Where they would disagree,
    jsonschema wins.
    """

    def __init__(self, name: str, definition: str | None = None) -> None:
        import fastjsonschema

        schema = {k: v for k, v in _inlined(name, definition).items() if k not in ("$id",)}
        schema["$schema"] = "http://json-schema.org/draft-07/schema#"
        self._fast = fastjsonschema.compile(schema)
        self._error = fastjsonschema.JsonSchemaException
        self.name, self.definition = name, definition

    def is_valid(self, instance: Any) -> bool:
        try:
            self._fast(instance)
        except self._error:
            return bool(validator(self.name, self.definition).is_valid(instance))
        return True

    def errors(self, instance: Any) -> list[Any]:
        """jsonschema's errors (empty when valid), most relevant first within each."""
        if self.is_valid(instance):
            return []
        from jsonschema.exceptions import best_match

        out = []
        for error in validator(self.name, self.definition).iter_errors(instance):
            out.append(best_match(error.context) or error if error.context else error)
        return out

    def first_error(self, instance: Any) -> str | None:
        """``None`` when valid; else the most relevant error as ``path: message``."""
        if self.is_valid(instance):
            return None
        from jsonschema.exceptions import best_match

        error = best_match(validator(self.name, self.definition).iter_errors(instance))
        if error is None:  # pragma: no cover - is_valid said otherwise
            return "invalid"
        where = json_path(error.absolute_path)
        text = message(error)
        return f"{where}: {text}" if where else text


@functools.cache
def checker(name: str, definition: str | None = None) -> Checker:
    return Checker(name, definition)


def json_path(parts: Any) -> str:
    """``models.gpt-4o.pricing.input`` for a jsonschema error path."""
    return ".".join(str(p) for p in parts)


def message(error: Any) -> str:
    """jsonschema's message for ``error``, quoting only a short escaped excerpt of the
    value (jsonschema quotes it whole: a long string, a whole mapping)."""
    from ..util.text import escape, excerpt

    text = str(error.message)
    whole = repr(error.instance)
    if len(whole) > 8 and whole in text:
        text = text.replace(whole, excerpt(error.instance))
    return short(escape(text))


def short(message: str, limit: int = 200) -> str:
    """A message cut to ``limit`` characters (jsonschema quotes whole values)."""
    return message if len(message) <= limit else message[: limit - 3] + "..."
