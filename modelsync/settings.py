"""Settings: one path from defaults, configuration, environment and flags to ``Settings``.

Every entry point (``invoke <task>``, ``modelsync <task>``, the Python API) builds its
settings with :func:`resolve`, layer over layer, the later winning:

1. the defaults below;
2. the ``modelsync`` namespace of the Invoke configuration: the tasks get it from
   Invoke (the project's ``invoke.yaml``, ``ns.configure`` in ``tasks.py``), the API
   reads the project's ``invoke.yaml`` itself (:mod:`modelsync.projectfile`);
3. environment variables ``INVOKE_MODELSYNC_<NAME>``, read here in the forms people
   write (``false``, ``a,b``, ``1800``), not as Invoke would cast them;
4. task flags, or the API's keyword arguments.

Relative paths (``config_dir``, ``cache_dir``, a ``source`` path) resolve against the
project root: the directory of the ``tasks.py`` or ``invoke.yaml`` in use, else the
current directory. A value that cannot be used is a :class:`~modelsync.errors.UsageError`
naming the setting, variable or flag it came from.

This module is imported while Invoke lists tasks, so it imports nothing heavy.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import setting_values as values
from .projectfile import default_cache_dir, find_project_root
from .setting_values import DEFAULT_AUDIT_SOURCES, DEFAULT_ROUTE_THRESHOLDS

DEFAULT_API_URL = "https://models.dev/api.json"
ENV_PREFIX = "INVOKE_MODELSYNC_"


#: The score (0-5) a model must reach for a task complexity to be preferred by the router
#: (``docs/routing.md``); the ``route_thresholds`` setting replaces single entries.
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
    watch_keys: tuple[str, ...] = ()
    price_alert: float = 10.0
    offline: bool = False
    route_thresholds: Mapping[str, float] = field(
        default_factory=lambda: DEFAULT_ROUTE_THRESHOLDS, hash=False
    )
    source: str | None = None
    #: ``{provider: base URL}`` for the live check (gateways, proxies, test servers).
    live_endpoints: Mapping[str, str] = field(default_factory=dict, hash=False)
    #: ``{provider: VARIABLE}``: the environment variable holding a provider's key for
    #: the live check (a provider file's ``env`` never chooses one).
    live_keys: Mapping[str, str] = field(default_factory=dict, hash=False)
    live_deadline: float = 60.0
    #: ``{litellm: SOURCE, genai_prices: SOURCE}``: the audit's price sources, each a
    #: URL, a path or ``none``.
    audit_sources: Mapping[str, str] = field(
        default_factory=lambda: DEFAULT_AUDIT_SOURCES, hash=False
    )
    #: Percent by which a price or limit may differ from a source's before it is reported.
    audit_tolerance: float = 5.0
    #: The directory relative paths were resolved against.
    root: str | None = field(default=None, compare=False)
    #: Unknown keys of the configuration (kept so that a newer ``invoke.yaml`` does not
    #: break an older modelsync; the tasks warn about them).
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def cache_path(self) -> Path:
        """The cache directory: ``cache_dir``, else ``$XDG_CACHE_HOME/modelsync``
        (``~/.cache/modelsync`` when the variable is unset, empty or relative, as the XDG
        Base Directory specification says)."""
        if self.cache_dir:
            return Path(self.cache_dir).expanduser()
        return default_cache_dir()

    @property
    def http_cache_path(self) -> Path:
        """The requests-cache SQLite database (named here so that checking it needs no
        import of requests)."""
        return self.cache_path / "http-cache.sqlite"

    @property
    def config_path(self) -> Path:
        return Path(self.config_dir).expanduser()

    def replace(self, **changes: Any) -> Settings:
        """A copy with ``changes`` applied as keyword arguments; ``None`` values leave a
        setting as it is. Relative paths resolve against this object's ``root``.

        Raises ``TypeError`` for a name that is not a setting (a typo must not pass
        silently in code).
        """
        current = {f: getattr(self, f) for f in FIELDS}
        # Paths already resolved are written relative to the current directory (see
        # resolve_path), not to the root: keep them where they point.
        for key in (*_PATHS, "source"):
            value = current.get(key)
            if value and "://" not in value:
                current[key] = os.path.abspath(value)
        return resolve(
            {**current, **self.extra},
            keywords=changes,
            root=self.root,
            environ={},
        )


#: The settings by name (``root`` and ``extra`` are not settings).
FIELDS: dict[str, dataclasses.Field[Any]] = {
    f.name: f for f in dataclasses.fields(Settings) if f.name not in ("root", "extra")
}

_PATHS = ("config_dir", "cache_dir")


def _default(name: str) -> Any:
    f = FIELDS[name]
    if f.default is dataclasses.MISSING and f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    return f.default


def defaults() -> dict[str, Any]:
    """The defaults as a plain mapping (lists for tuples, dicts for mappings)."""
    out: dict[str, Any] = {}
    for name in FIELDS:
        value = _default(name)
        out[name] = (
            list(value)
            if isinstance(value, tuple)
            else dict(value)
            if isinstance(value, Mapping)
            else value
        )
    return out


def kind(name: str) -> str:
    """The form a setting takes, as said in error messages."""
    return values.kind_of(name, _default(name))


def coerce(name: str, value: Any, origin: str) -> Any:
    """``value`` as the type of setting ``name``; :class:`UsageError` naming ``origin``
    (``setting modelsync.x``, ``environment variable INVOKE_MODELSYNC_X``, ``--flag``)."""
    return values.convert(name, _default(name), value, origin)


def environment(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The ``INVOKE_MODELSYNC_*`` variables, by lower-case setting name."""
    env = os.environ if environ is None else environ
    return {
        var[len(ENV_PREFIX) :].lower(): value
        for var, value in env.items()
        if var.startswith(ENV_PREFIX) and len(var) > len(ENV_PREFIX)
    }


def resolve(
    config: Mapping[str, Any] | None = None,
    *,
    flags: Mapping[str, Any] | None = None,
    flag_names: Mapping[str, str] | None = None,
    keywords: Mapping[str, Any] | None = None,
    root: str | Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Build :class:`Settings` from every layer (see the module docstring).

    ``config`` is the ``modelsync`` configuration namespace; ``flags`` are task flags
    (``None`` means not given; ``flag_names`` maps a setting to its flag when the flag is
    named otherwise, e.g. ``providers`` to ``--provider``); ``keywords`` are API keyword
    arguments (an unknown name raises ``TypeError``); ``environ`` defaults to
    ``os.environ``; ``root`` is the directory relative paths resolve against (default:
    the current directory). Long on purpose: the layers are applied in their order of
    precedence, one after the other, in one place.
    """
    values: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for key, value in (config or {}).items():
        if key in FIELDS:
            values[key] = coerce(key, value, f"setting modelsync.{key}")
        elif key not in ("root", "extra"):
            extra[key] = value
    for key, value in environment(environ).items():
        var = ENV_PREFIX + key.upper()
        if key in FIELDS:
            values[key] = coerce(key, value, f"environment variable {var}")
        else:
            extra[f"{var} (environment)"] = value
    names = flag_names or {}
    for key, value in (flags or {}).items():
        if value is not None:
            flag = names.get(key, "--" + key.replace("_", "-"))
            values[key] = coerce(key, value, f"flag {flag}")
    unknown = sorted(set(keywords or {}) - set(FIELDS))
    if unknown:
        from .util.suggest import did_you_mean

        raise TypeError(
            f"unknown modelsync setting {unknown[0]!r}{did_you_mean(unknown[0], FIELDS)}"
        )
    for key, value in (keywords or {}).items():
        if value is not None:
            values[key] = coerce(key, value, f"argument {key}=")
    base = Path(root) if root is not None else Path.cwd()
    for key in _PATHS:
        # Defaults too: every relative path in a Settings is relative to the current
        # directory, so that replace() can tell where it points.
        value = values.get(key, _default(key))
        if value:
            values[key] = resolve_path(value, base)
    source = values.get("source")
    if source and "://" not in source:
        values["source"] = resolve_path(source, base)
    return Settings(**values, root=str(base), extra=extra)


def resolve_path(path: str, base: Path) -> str:
    """``path`` resolved against ``base``; written relative to the current directory
    when it lies below it, so that messages name files as the user sees them."""
    expanded = Path(path).expanduser()
    full = os.path.normpath(expanded if expanded.is_absolute() else base / expanded)
    cwd = os.getcwd()
    if full == cwd:
        return "."
    if full.startswith(os.path.join(cwd, "")):
        return os.path.relpath(full, cwd)
    return full


def project_settings(
    config: Mapping[str, Any] | None = None, keywords: Mapping[str, Any] | None = None
) -> Settings:
    """The settings the Python API runs with: the defaults, the project's ``invoke.yaml``
    (:mod:`modelsync.projectfile`; ``config`` in its place when given), the environment,
    then ``keywords``; relative paths against the project root (outside any project: the
    current directory)."""
    from .projectfile import find

    project = find() if config is None else None
    root = project.root if project is not None else find_project_root()
    settings = resolve(
        project.config if project is not None else config, keywords=keywords, root=root
    )
    if settings.extra:
        _warn_unknown(project.file if project is not None else None, settings.extra)
    return settings


_WARNED: set[tuple[str, ...]] = set()


def _warn_unknown(file: Path | None, extra: Mapping[str, Any]) -> None:
    """Warn once per process about unknown setting names."""
    names = tuple(
        name if name.startswith("INVOKE_") else f"modelsync.{name}" for name in sorted(extra)
    )
    if names in _WARNED:
        return
    _WARNED.add(names)
    import logging

    where = f" in {file}" if file is not None else ""
    logging.getLogger("modelsync").warning(
        "ignoring unknown setting(s) %s%s (see the settings table in the README)",
        ", ".join(names),
        where,
    )


def make_settings(values: Mapping[str, Any] | None = None, /, **overrides: Any) -> Settings:
    """The settings an API function would run with, with keyword ``overrides``: the
    project's ``invoke.yaml`` (or the configuration mapping ``values`` in its place), the
    environment, then the overrides; relative paths against the project root."""
    return project_settings(values, overrides)


def settings_for(settings: Settings | None, overrides: Mapping[str, Any]) -> Settings:
    """What an API function runs with: ``settings`` as given (else the project's, see
    :func:`project_settings`) with the keyword ``overrides`` applied."""
    if settings is None:
        return project_settings(keywords=overrides)
    return settings.replace(**overrides)
