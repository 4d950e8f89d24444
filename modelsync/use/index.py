"""A compact index of the provider files in the cache directory, so that reading the
synced catalog costs a JSON load instead of a YAML parse.

Per config directory, the index holds each provider file's SHA-256 (the same fingerprint
a sync keeps, :mod:`modelsync.sync.state`) with the file's models as compact rows. A file whose
digest matches is read from its rows; any other file is parsed and its rows replace the
old ones. Like the sync state, the index is advisory: a missing, corrupt or foreign index,
an unusable cache directory, or a file whose data JSON cannot carry exactly (a NaN, a
number as a mapping key) only means parsing YAML.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .._version import __version__
from ..model.catalog import Model, PriceTier, Pricing

log = logging.getLogger(__name__)

INDEX_VERSION = 1
#: The fields of a model row, in the order :class:`~modelsync.model.catalog.Model` has them; a
#: change of the model type makes every older index unusable.
FIELDS = tuple(f.name for f in dataclasses.fields(Model) if f.name != "provider")
_REQUIRED: Any = object()


def _default(f: dataclasses.Field[Any]) -> Any:
    if f.default is not dataclasses.MISSING:
        return f.default
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    return _REQUIRED


_DEFAULTS = {f.name: _default(f) for f in dataclasses.fields(Model) if f.name != "provider"}
_REQUIRED_NAMES = tuple(name for name, value in _DEFAULTS.items() if value is _REQUIRED)
_BASE = {
    f.name: _DEFAULTS[f.name]
    for f in dataclasses.fields(Model)
    if f.name != "provider" and f.default_factory is dataclasses.MISSING
}
_FACTORIES = tuple(
    (f.name, f.default_factory)
    for f in dataclasses.fields(Model)
    if f.default_factory is not dataclasses.MISSING
)

Row = dict[str, Any]


def index_key() -> str:
    """What besides the files decides an index's content."""
    return f"modelsync {__version__}; index {INDEX_VERSION}; {','.join(FIELDS)}"


def index_path(cache_dir: Path, config_dir: Path) -> Path:
    key = hashlib.sha256(os.path.realpath(config_dir).encode()).hexdigest()[:24]
    return cache_dir / "index" / f"{key}.json"


def to_row(model: Model) -> Row:
    """A model as JSON-ready data: the fields that differ from their default."""
    row: Row = {}
    for name in FIELDS:
        value = getattr(model, name)
        if value == _DEFAULTS[name]:
            continue
        if isinstance(value, Pricing):
            value = [
                dict(value.prices),
                [[t.above_context, dict(t.prices)] for t in value.tiers],
                {mode: dict(prices) for mode, prices in value.modes.items()},
            ]
        elif isinstance(value, tuple):
            value = list(value)
        elif isinstance(value, Mapping):
            value = {k: list(v) if isinstance(v, tuple) else v for k, v in value.items()}
        row[name] = value
    return row


def from_row(provider: str, row: Row) -> Model:
    """The model of :func:`to_row` (the inverse, for rows that :func:`rows_of` accepted).

    Builds the frozen dataclass without its ``__init__``: setting 19 fields one by one
    through ``object.__setattr__`` is most of the cost of reading a whole catalog, and a
    row holds exactly the values ``__init__`` would set (:func:`rows_of` checks it).
    """
    values = {**_BASE, **{name: factory() for name, factory in _FACTORIES}, **row}
    values["provider"] = provider
    pricing = values["pricing"]
    if pricing is not None:
        prices, tiers, modes = pricing
        values["pricing"] = Pricing(prices, tuple(PriceTier(a, p) for a, p in tiers), modes)
    if "capabilities" in row:
        values["capabilities"] = tuple(row["capabilities"])
    if "modalities" in row:
        values["modalities"] = {k: tuple(v) for k, v in row["modalities"].items()}
    if len(values) != len(_DEFAULTS) + 1 or not all(name in row for name in _REQUIRED_NAMES):
        raise ValueError(f"not a model row: {sorted(row)}")
    model = Model.__new__(Model)
    model.__dict__.update(values)
    return model


def rows_of(provider: str, models: list[Model]) -> list[Row] | None:
    """The rows of ``models``, or ``None`` when JSON would not give the same models back."""
    rows = [to_row(m) for m in models]
    try:
        back = json.loads(json.dumps(rows, allow_nan=False))
    except (TypeError, ValueError):
        return None
    try:
        same = [from_row(provider, r) for r in back] == models
    except (TypeError, ValueError):
        return None
    return rows if same else None


def load(path: Path, config_dir: Path) -> dict[str, Any]:
    """The files of the index at ``path`` (``{provider: {"sha", "name", ...}}``), or ``{}``."""
    try:
        data = json.loads(path.read_bytes())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        log.debug("ignoring unreadable catalog index %s (%s)", path, exc)
        return {}
    if (
        not isinstance(data, dict)
        or data.get("key") != index_key()
        or data.get("config_dir") != os.path.realpath(config_dir)
        or not isinstance(data.get("files"), dict)
    ):
        return {}
    files: dict[str, Any] = data["files"]
    return files


def save(path: Path, config_dir: Path, files: Mapping[str, Any]) -> None:
    """Write the index atomically; a failure is logged, never raised (the index is only
    a shortcut)."""
    from ..util.fsutil import cache_directory_usable, save_json

    if not cache_directory_usable(path.parent.parent):
        return
    data = {"key": index_key(), "config_dir": os.path.realpath(config_dir), "files": files}
    save_json(
        path,
        data,
        failure="could not save the catalog index %s (%s)",
        logger=log,
        level=logging.DEBUG,
        compact=True,
        ensure_ascii=False,
    )
