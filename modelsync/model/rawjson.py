"""Decoding the catalog's JSON without the decoder's silent choices.

``json.loads`` keeps the last of two equal keys (so a catalog that lists a price twice
gets whichever came last) and, since Python 3.11, refuses a whole document for one
integer longer than 4,300 digits. Here a repeated key marks the provider or model it
belongs to as unusable, and an integer longer than :data:`MAX_DIGITS` becomes a string
that the API schema refuses, so only that model is skipped.
"""

from __future__ import annotations

import json
from typing import Any

#: Digits an integer of the catalog may have (a float's range needs 309).
MAX_DIGITS = 400


class Flagged(dict):  # type: ignore[type-arg]
    """A provider's or a model's raw data that must not be used, and why."""

    problem: str = ""


class HasFlagged(dict):  # type: ignore[type-arg]
    """A provider's raw data with some flagged models: its digest is the same as without
    the repetition, so fingerprints cannot tell the two apart."""


def flagged(value: Any) -> str | None:
    """Why ``value`` (a provider's or model's raw data) is unusable, if it is flagged."""
    return value.problem if isinstance(value, Flagged) else None


def has_flagged(value: Any) -> bool:
    """Whether ``value`` is flagged or holds flagged models."""
    return isinstance(value, (Flagged, HasFlagged))


def _integer(text: str) -> int | str:
    if len(text.lstrip("-")) <= MAX_DIGITS:
        return int(text)
    return f"<integer of {len(text.lstrip('-')):,} digits>"


def loads(body: bytes) -> Any:
    """``json.loads`` of a catalog, with repeated keys flagged (see the module docstring).

    Raises what ``json.loads`` raises for a body that is not JSON.
    """
    repeated: dict[int, list[str]] = {}

    def mapping(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out = dict(pairs)
        if len(out) != len(pairs):
            seen: set[str] = set()
            keys: list[str] = []
            for key, _ in pairs:
                if key in seen:
                    keys.append(key)
                seen.add(key)
            repeated[id(out)] = list(dict.fromkeys(keys))
        return out

    data = json.loads(body, object_pairs_hook=mapping, parse_int=_integer)
    if repeated and isinstance(data, dict):
        _flag(data, repeated)
    return data


def _first_repeated(value: Any, repeated: dict[int, list[str]]) -> str | None:
    """A key repeated anywhere inside ``value``."""
    todo = [value]
    while todo:
        current = todo.pop()
        if isinstance(current, dict):
            keys = repeated.get(id(current))
            if keys:
                return keys[0]
            todo.extend(current.values())
        elif isinstance(current, list):
            todo.extend(current)
    return None


def _mark(value: Any, problem: str) -> Flagged:
    out = Flagged(value if isinstance(value, dict) else {})
    out.problem = problem
    return out


def _flag(catalog: dict[str, Any], repeated: dict[int, list[str]]) -> None:
    for provider_id in repeated.get(id(catalog), []):
        catalog[provider_id] = _mark(
            catalog[provider_id], "the catalog lists this provider more than once"
        )
    for provider_id, raw in list(catalog.items()):
        if not isinstance(raw, dict) or isinstance(raw, Flagged):
            continue
        models = raw.get("models")
        own = _first_repeated({k: v for k, v in raw.items() if k != "models"}, repeated)
        if own is None:
            own = next(iter(repeated.get(id(raw), [])), None)
        if own is not None:
            catalog[provider_id] = _mark(raw, f"the catalog repeats the key {own!r}")
            continue
        if not isinstance(models, dict):
            continue
        for model_id in repeated.get(id(models), []):
            models[model_id] = _mark(
                models[model_id], "the catalog lists this model more than once"
            )
        for model_id, model in list(models.items()):
            if isinstance(model, Flagged):
                continue
            key = _first_repeated(model, repeated)
            if key is not None:
                models[model_id] = _mark(model, f"the catalog repeats the key {key!r}")
        if any(isinstance(m, Flagged) for m in models.values()):
            catalog[provider_id] = HasFlagged(raw)
