"""How the catalog index (:mod:`modelsync.use.index`) keeps one provider file's
models: a *block* of columns, one JSON list per field with one value per model, read back
with every value checked.

The typed fields are plain columns of the types :data:`KINDS` lists (columns of few
distinct values, capabilities and modalities, are kept as a table and an index per
model); the free-form values (a model's user keys, a price mode's ``request``) are JSON,
with what JSON cannot carry tagged (:func:`encode_value`). A block that is not exactly
what :func:`encode_block` writes raises :class:`BadIndex` when it is read.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import logging
from collections.abc import Callable, Sequence
from itertools import chain
from typing import Any

from ..model.catalog import Model, PriceTier, Pricing

log = logging.getLogger(__name__)

#: How each field of :class:`~modelsync.model.catalog.Model` is kept in a column: the types
#: its values may have, or the name of its codec. A model type with a field not listed
#: here cannot be indexed (``tests/test_catalog_view.py`` checks the list is complete).
_NONE = type(None)
KINDS: dict[str, Any] = {
    "name": {str},
    "family": {str, _NONE},
    "context_window": {int, _NONE},
    "max_input_tokens": {int, _NONE},
    "max_output_tokens": {int, _NONE},
    "pricing": "pricing",
    "capabilities": "capabilities",
    "modalities": "modalities",
    "api": {str, _NONE},
    "api_shape": {str, _NONE},
    "knowledge_cutoff": {str, _NONE},
    "release_date": {str, _NONE},
    "last_updated": {str, _NONE},
    "open_weights": {bool, _NONE},
    "status": {str, _NONE},
    "available": {bool},
    "deprecated": {bool},
    "source": {str, _NONE},
    "extra": "extra",
}
#: The model fields kept in columns, in the order of :class:`~modelsync.model.catalog.Model`.
FIELDS = tuple(f.name for f in dataclasses.fields(Model) if f.name not in ("provider", "id"))
_DEFAULTS: dict[str, Any] = {
    f.name: f.default
    for f in dataclasses.fields(Model)
    if f.name in FIELDS and f.default is not dataclasses.MISSING
}
#: Fields whose default is a new empty mapping per model.
_FRESH = tuple(
    f.name for f in dataclasses.fields(Model) if f.default_factory is not dataclasses.MISSING
)


class BadIndex(ValueError):
    """An index, or a block of it, that is not what :func:`encode_block` writes."""


# --- free-form values: JSON, with tags for what JSON cannot carry ---------------------

_TAG = "$"


def encode_value(value: Any) -> Any:
    """A value read from YAML as JSON-ready data: plain where JSON carries it exactly,
    ``{"$": [tag, payload]}`` where it does not (a mapping with a key that is not a
    string, or with a ``$`` key; a set; a tuple; binary). Raises :class:`ValueError` for
    a type the YAML reader never gives."""
    kind = type(value)
    if value is None or kind in (str, bool, int, float):
        return value
    if kind is list:
        return [encode_value(v) for v in value]
    if isinstance(value, dict):
        if _TAG not in value and all(type(k) is str for k in value):
            return {k: encode_value(v) for k, v in value.items()}
        return {_TAG: ["map", [[encode_value(k), encode_value(v)] for k, v in value.items()]]}
    if kind is tuple:
        return {_TAG: ["tuple", [encode_value(v) for v in value]]}
    if kind in (set, frozenset):
        return {_TAG: ["set", [encode_value(v) for v in value]]}
    if kind is bytes:
        return {_TAG: ["bytes", base64.b64encode(value).decode("ascii")]}
    raise ValueError(f"cannot index a {kind.__name__}")


def decode_value(data: Any) -> Any:
    """The inverse of :func:`encode_value`; :class:`BadIndex` for anything it never
    writes."""
    kind = type(data)
    if kind is list:
        return [decode_value(v) for v in data]
    if kind is dict:
        if _TAG not in data:
            return {k: decode_value(v) for k, v in data.items()}
        tagged = data[_TAG]
        if len(data) != 1 or type(tagged) is not list or len(tagged) != 2:
            raise BadIndex("malformed tagged value")
        tag, payload = tagged
        if tag == "bytes" and type(payload) is str:
            try:
                return base64.b64decode(payload.encode("ascii"), validate=True)
            except ValueError:
                raise BadIndex("malformed binary value") from None
        if type(payload) is not list:
            raise BadIndex("malformed tagged value")
        try:
            if tag == "map":
                return {decode_value(k): decode_value(v) for k, v in payload}
            if tag == "tuple":
                return tuple(decode_value(v) for v in payload)
            if tag == "set":
                return {decode_value(v) for v in payload}
        except (TypeError, ValueError) as exc:  # an unhashable key, a pair of three
            raise BadIndex(f"malformed tagged value ({exc})") from None
        raise BadIndex(f"unknown tag {tag!r}")
    if data is None or kind in (str, bool, int, float):
        return data
    raise BadIndex(f"unexpected {kind.__name__}")  # pragma: no cover - json gives no other


# --- blocks: one provider file's models as columns -----------------------------------


def _table(cells: list[Any]) -> list[Any]:
    """A column of few distinct values as ``[distinct values, index of each]``."""
    distinct: dict[str, int] = {}
    table: list[Any] = []
    codes = []
    for cell in cells:
        key = json.dumps(cell, sort_keys=False)
        code = distinct.get(key)
        if code is None:
            code = distinct[key] = len(table)
            table.append(cell)
        codes.append(code)
    return [table, codes]


def _encode_column(name: str, values: list[Any]) -> Any:
    kind = KINDS[name]
    if name == "pricing":
        return [
            None
            if p is None
            else [dict(p.prices)]
            if not (p.tiers or p.modes or p.mode_requests)
            else [
                dict(p.prices),
                [[t.above_context, dict(t.prices)] for t in p.tiers],
                {mode: dict(prices) for mode, prices in p.modes.items()},
                encode_value(dict(p.mode_requests)) if p.mode_requests else None,
            ]
            for p in values
        ]
    if name == "capabilities":
        return _table([list(v) for v in values])
    if name == "modalities":
        return _table([{k: list(x) for k, x in v.items()} for v in values])
    if name == "extra":
        return [encode_value(dict(v)) if v else None for v in values]
    assert isinstance(kind, set)
    return list(values)


def encode_block(provider: str, models: Sequence[Model]) -> bytes | None:
    """One file's models as a block (compact JSON on one line), or ``None`` if a model
    holds something the block cannot give back exactly (checked by decoding it)."""
    columns: dict[str, list[Any]] = {}
    for name in FIELDS:
        values = [getattr(m, name) for m in models]
        default = _DEFAULTS.get(name)
        if name != "name" and all(
            (v == default and type(v) is type(default)) if name not in _FRESH else not v
            for v in values
        ):
            continue
        try:
            columns[name] = _encode_column(name, values)
        except ValueError as exc:
            log.debug("cannot index %s (%s)", provider, exc)
            return None
    block = {"ids": [m.id for m in models], "columns": columns}
    try:
        data = json.dumps(block, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    except (TypeError, ValueError, UnicodeEncodeError) as exc:
        log.debug("cannot index %s (%s)", provider, exc)
        return None
    try:
        back = decode_block(provider, data)
    except BadIndex as exc:
        log.debug("cannot index %s (%s)", provider, exc)
        return None
    # repr() for the rare model that holds a NaN, which equals nothing
    return data if back == list(models) or repr(back) == repr(list(models)) else None


def _check_types(name: str, column: list[Any], allowed: set[type]) -> None:
    if not set(map(type, column)) <= allowed:
        raise BadIndex(f"column {name!r} holds a value of the wrong type")


def _strings(value: Any) -> tuple[str, ...]:
    if type(value) is not list or not set(map(type, value)) <= {str}:
        raise BadIndex("not a list of strings")
    return tuple(value)


def _check_prices(mappings: list[Any]) -> None:
    """Every one of ``mappings`` maps price names to numbers (as a model's prices do)."""
    if not (
        set(map(type, mappings)) <= {dict}
        and set(map(type, chain.from_iterable(mappings))) <= {str}
        and set(map(type, chain.from_iterable(map(dict.values, mappings)))) <= {float}
    ):
        raise BadIndex("prices are not a mapping of names to numbers")


def _decode_pricing(column: list[Any]) -> list[Pricing | None]:
    """``null``, ``[prices]`` or ``[prices, tiers, modes, requests]`` per model."""
    present = [cell for cell in column if cell is not None]
    if not set(map(type, present)) <= {list} or not set(map(len, present)) <= {1, 4}:
        raise BadIndex("pricing is not [prices] or [prices, tiers, modes, requests]")
    _check_prices([cell[0] for cell in present])
    new = object.__new__
    out: list[Pricing | None] = []
    for cell in column:
        if cell is None:
            out.append(None)
            continue
        pricing = new(Pricing)
        if len(cell) == 1:
            pricing.__dict__.update(prices=cell[0], tiers=(), modes={}, mode_requests={})
        else:
            prices, tiers, modes, requests = _rest(cell)
            pricing.__dict__.update(prices=prices, tiers=tiers, modes=modes, mode_requests=requests)
        out.append(pricing)
    return out


def _rest(cell: list[Any]) -> tuple[Any, ...]:
    prices, tiers, modes, requests = cell
    if type(tiers) is not list or type(modes) is not dict or not (tiers or modes or requests):
        raise BadIndex("pricing tiers or modes malformed")
    if not all(type(t) is list and len(t) == 2 and type(t[0]) is int for t in tiers):
        raise BadIndex("pricing tier malformed")
    _check_prices([t[1] for t in tiers])
    _check_prices(list(modes.values()))
    if requests is None:
        requests = {}
    else:
        requests = decode_value(requests)
        if type(requests) is not dict or not requests or not set(map(type, requests)) <= {str}:
            raise BadIndex("pricing mode requests malformed")
    return prices, tuple(PriceTier(a, p) for a, p in tiers), modes, requests


def _decode_table(column: Any, count: int, decode: Callable[[Any], Any]) -> list[Any]:
    """The values of a ``[distinct values, index of each]`` column."""
    if type(column) is not list or len(column) != 2:
        raise BadIndex("not a column of distinct values")
    table, codes = column
    if type(table) is not list or type(codes) is not list or len(codes) != count:
        raise BadIndex("not a column of distinct values")
    if codes and not (
        set(map(type, codes)) <= {int} and 0 <= min(codes) <= max(codes) < len(table)
    ):
        raise BadIndex("a column refers to a value it does not hold")
    values = [decode(cell) for cell in table]
    return [values[code] for code in codes]


def _modalities(cell: Any) -> dict[str, tuple[str, ...]]:
    if type(cell) is not dict or not set(map(type, cell)) <= {str}:
        raise BadIndex("modalities malformed")
    return {k: _strings(v) for k, v in cell.items()}


def _extra(cell: Any) -> dict[str, Any]:
    if cell is None:
        return {}
    value = decode_value(cell)
    if type(value) is not dict or not value:
        raise BadIndex("user keys malformed")
    return value


def _decode_column(name: str, column: Any, count: int) -> list[Any]:
    kind = KINDS[name]
    if name == "capabilities":
        return _decode_table(column, count, _strings)
    if name == "modalities":
        # each model its own mapping (the tuples in it are shared)
        return [dict(m) for m in _decode_table(column, count, _modalities)]
    if type(column) is not list or len(column) != count:
        raise BadIndex(f"column {name!r} is not one value per model")
    if name == "pricing":
        return _decode_pricing(column)
    if name == "extra":
        return [_extra(cell) for cell in column]
    if not set(map(type, column)) <= kind:
        raise BadIndex(f"column {name!r} holds a value of the wrong type")
    return column


def decode_block(provider: str, data: bytes) -> list[Model]:
    """The models of a block, every value checked: :class:`BadIndex` for a block that
    is not exactly what :func:`encode_block` writes."""
    try:
        block = json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise BadIndex(f"not JSON ({exc})") from None
    if type(block) is not dict or set(block) != {"ids", "columns"}:
        raise BadIndex("not a block")
    ids, columns = block["ids"], block["columns"]
    if type(ids) is not list or not set(map(type, ids)) <= {str} or type(columns) is not dict:
        raise BadIndex("not a block")
    if "name" not in columns or not set(columns) <= set(FIELDS):
        raise BadIndex("unknown or missing columns")
    count = len(ids)
    names = ["provider", "id"]
    values: list[Any] = [[provider] * count, ids]
    try:
        for name in FIELDS:
            column = columns.get(name)
            if column is None and name in _FRESH:
                column = [{} for _ in range(count)]
            elif column is None:
                column = [_DEFAULTS[name]] * count
            else:
                column = _decode_column(name, column, count)
            names.append(name)
            values.append(column)
    except RecursionError:
        raise BadIndex("nested too deeply") from None
    new = object.__new__
    models = []
    for row in zip(*values, strict=True):
        model = new(Model)
        model.__dict__.update(zip(names, row, strict=True))
        models.append(model)
    return models
