"""What the live check reads from a provider file: its key variables, base URL, default
model and the models with the marks that matter (available, deprecated, scored)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import yamlio
from ..errors import ConfigError
from ..util.fsutil import read_config_file


@dataclass(frozen=True)
class Entry:
    """One model of the file, as far as reconciliation cares."""

    id: str
    available: bool = True
    deprecated: bool = False
    #: It carries a ``task_complexity_score`` (a learned or hand-set score).
    scored: bool = False


@dataclass(frozen=True)
class ProviderFile:
    provider: str
    path: Path
    env: tuple[str, ...] = ()
    api: str | None = None
    default_model: str | None = None
    models: Mapping[str, Entry] = field(default_factory=dict)


def read_provider_file(provider: str, path: Path) -> ProviderFile:
    """Read ``path`` as every task reads a provider file (a regular file only: never
    through a symlink, never a FIFO or a device); :class:`ConfigError` naming the file
    (and line) when it cannot."""
    try:
        doc = yamlio.load(read_config_file(path))
    except yamlio.YamlError as exc:
        raise ConfigError(f"{exc.where(str(path))}: {exc.message}", path=str(path)) from None
    if not isinstance(doc, dict):
        raise ConfigError(f"{path}: not a provider file (expected a mapping)", path=str(path))
    env = doc.get("env")
    api = doc.get("api")
    default = doc.get("default_model")
    return ProviderFile(
        provider=provider,
        path=path,
        env=tuple(v for v in env if isinstance(v, str)) if isinstance(env, list) else (),
        api=api if isinstance(api, str) and api.strip() else None,
        default_model=str(default) if isinstance(default, (str, int)) and default != "" else None,
        models=_entries(doc.get("models")),
    )


def _entries(models: Any) -> dict[str, Entry]:
    if not isinstance(models, dict):
        return {}
    out: dict[str, Entry] = {}
    for model_id, entry in models.items():
        if not isinstance(entry, dict):
            continue
        score = entry.get("task_complexity_score")
        out[str(model_id)] = Entry(
            id=str(model_id),
            available=entry.get("available") is not False,
            deprecated=entry.get("deprecated") is True,
            scored=isinstance(score, dict) and bool(score),
        )
    return out
