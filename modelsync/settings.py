"""Settings: defaults, the ``modelsync`` namespace of the Invoke config, and overrides.

Precedence is: an explicit keyword argument (a task flag) beats the Invoke config
(``invoke.yaml``, ``INVOKE_MODELSYNC_*``), which beats the defaults below.
This module is imported while Invoke lists tasks, so it imports nothing heavy.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ModelsyncError

DEFAULT_API_URL = "https://models.dev/api.json"


@dataclass(frozen=True)
class Settings:
    """Every setting of modelsync; see the settings table in the README."""

    api_url: str = DEFAULT_API_URL
    config_dir: str = "config/models"
    cache_dir: str | None = None
    cache_ttl: int = 3600
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    fetch_deadline: float = 120.0
    retries: int = 3
    retry_after_max: float = 30.0
    max_response_bytes: int = 50 * 1024 * 1024
    lock_timeout: float = 10.0
    shrink_threshold: float = 0.8
    providers: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    prune: bool = False
    user_keys: tuple[str, ...] = ()
    offline: bool = False
    source: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def cache_path(self) -> Path:
        """The cache directory: ``cache_dir``, else ``$XDG_CACHE_HOME/modelsync``."""
        if self.cache_dir:
            return Path(self.cache_dir).expanduser()
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        return Path(base) / "modelsync"

    @property
    def http_cache_path(self) -> Path:
        """The requests-cache SQLite database (named here so that checking it needs no
        import of requests)."""
        return self.cache_path / "http-cache.sqlite"

    @property
    def config_path(self) -> Path:
        return Path(self.config_dir).expanduser()

    def replace(self, **changes: Any) -> Settings:
        """A copy with ``changes`` applied; ``None`` values leave a setting as it is.

        Raises ``TypeError`` for a name that is not a setting (a typo must not pass
        silently in code).
        """
        unknown = sorted(set(changes) - set(_FIELDS))
        if unknown:
            import difflib

            close = difflib.get_close_matches(unknown[0], list(_FIELDS), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise TypeError(f"unknown modelsync setting {unknown[0]!r}{hint}")
        clean = {k: v for k, v in changes.items() if v is not None}
        current = {f: getattr(self, f) for f in _FIELDS}
        return make_settings(current | clean | dict(self.extra))


_FIELDS = {f.name: f for f in dataclasses.fields(Settings) if f.name != "extra"}


def defaults() -> dict[str, Any]:
    """The defaults as a plain mapping, for ``Collection.configure``."""
    out: dict[str, Any] = {}
    for name, f in _FIELDS.items():
        value = f.default
        out[name] = list(value) if isinstance(value, tuple) else value
    return out


def _coerce(name: str, value: Any) -> Any:
    default = _FIELDS[name].default
    try:
        if isinstance(default, bool):
            if isinstance(value, str):
                lowered = value.strip().lower()
                if lowered in {"1", "true", "yes", "on"}:
                    return True
                if lowered in {"0", "false", "no", "off", ""}:
                    return False
                raise ValueError(value)
            return bool(value)
        if isinstance(default, tuple):
            if isinstance(value, str):
                return tuple(p.strip() for p in value.split(",") if p.strip())
            if isinstance(value, Iterable):
                return tuple(str(v) for v in value)
            raise ValueError(value)
        if isinstance(default, int):
            return int(value)
        if isinstance(default, float):
            return float(value)
        return None if value is None else str(value)
    except (TypeError, ValueError):
        raise ModelsyncError(f"setting modelsync.{name}: invalid value {value!r}") from None


def make_settings(values: Mapping[str, Any] | None = None, /, **overrides: Any) -> Settings:
    """Build settings from a mapping (the Invoke config namespace) and overrides.

    Unknown keys are kept in ``extra`` (so a newer ``invoke.yaml`` does not break an older
    modelsync); values are coerced to the type of their default.
    """
    merged: dict[str, Any] = dict(values or {})
    merged.update({k: v for k, v in overrides.items() if v is not None})
    known: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for key, value in merged.items():
        if key in _FIELDS:
            known[key] = _coerce(key, value)
        elif key != "extra":
            extra[key] = value
    settings = Settings(**known, extra=extra)
    if settings.cache_ttl < 0:
        raise ModelsyncError("setting modelsync.cache_ttl must be >= 0")
    if not 0 <= settings.shrink_threshold <= 1:
        raise ModelsyncError("setting modelsync.shrink_threshold must be between 0 and 1")
    return settings
