"""Which models an audit looks at: read from the provider files with the safe YAML
reader, filtered by ``--provider``/``--exclude``, and by default only the models the
team depends on (the same set as a sync's "Needs attention")."""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigError, ProviderNotFound
from ..model.catalog import Model
from ..model.configdir import check_directory, provider_files
from ..model.ownership import DEPENDENCY_KEYS
from ..util.fsutil import read_config_file
from ..util.suggest import did_you_mean


@dataclass(frozen=True)
class ProviderModels:
    """One provider file: every model it lists, and why the team depends on some."""

    id: str
    path: Path
    models: tuple[Model, ...]
    #: model id -> the reasons the team depends on it (``default_model``, ``notes``...)
    depends: Mapping[str, tuple[str, ...]]


def _selected(ids: Sequence[str], providers: Sequence[str], exclude: Sequence[str]) -> list[str]:
    for pattern in providers:
        if not fnmatch.filter(ids, pattern):
            raise ProviderNotFound(
                f"--provider {pattern!r} matches no provider file{did_you_mean(pattern, ids)}"
            )
    return [
        pid
        for pid in ids
        if (not providers or any(fnmatch.fnmatchcase(pid, p) for p in providers))
        and not any(fnmatch.fnmatchcase(pid, p) for p in exclude)
    ]


def read(
    config_dir: Path,
    providers: Sequence[str] = (),
    exclude: Sequence[str] = (),
    watch_keys: Sequence[str] = (),
) -> list[ProviderModels]:
    """The selected provider files; :class:`ConfigError` naming a file that cannot be
    read or parsed."""
    from .. import yamlio

    check_directory(config_dir)
    files = provider_files(config_dir)
    out = []
    for pid in _selected(list(files), providers, exclude):
        path = files[pid]
        try:
            doc = yamlio.load(read_config_file(path))
        except yamlio.YamlError as exc:
            raise ConfigError(f"{exc.where(str(path))}: {exc.message}", path=str(path)) from None
        doc = doc if isinstance(doc, dict) else {}
        entries = doc.get("models")
        listed: dict[Any, Any] = entries if isinstance(entries, dict) else {}
        models = tuple(
            Model.from_config(pid, str(mid), entry)
            for mid, entry in listed.items()
            if isinstance(entry, dict)
        )
        default = doc.get("default_model")
        keys = (*DEPENDENCY_KEYS, *watch_keys)
        depends = {}
        for m in models:
            why = (("default_model",) if m.id == default else ()) + tuple(
                k for k in keys if k in m.extra
            )
            if why:
                depends[m.id] = why
        out.append(ProviderModels(pid, path, models, depends))
    return out
