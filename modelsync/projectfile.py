"""The project's configuration as the Python API reads it: the ``modelsync`` namespace
of the ``invoke.yaml`` at the project root.

The project root is found as the ``modelsync`` command finds it
(:func:`find_project_root`): from the current directory upward, the
directory holding a ``tasks.py``, else one holding an ``invoke.yaml``. Of its
``invoke.yaml``, ``invoke.yml`` and ``invoke.json`` the first that exists is read, as
Invoke reads it. Outside any project there is nothing to read and the API runs with the
defaults (and ``INVOKE_MODELSYNC_*``).

Only the directory walk is paid when there is no configuration file. A file read once
is remembered as JSON in the default cache directory (``projects/``), keyed by its path,
size, inode and change times, so that an application's fresh
:func:`~modelsync.sync_if_needed` neither imports nor runs the YAML reader.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import UsageError

#: The project configuration files Invoke reads, in its order of preference.
CONFIG_NAMES = ("invoke.yaml", "invoke.yml", "invoke.json")
#: A project configuration larger than this is refused (it holds a few settings).
MAX_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Project:
    """Where the API's project configuration came from."""

    #: The project root, ``None`` outside any project.
    root: Path | None
    #: The configuration file read, ``None`` when the project has none.
    file: Path | None = None
    #: Its ``modelsync`` namespace (``{}`` without one).
    config: dict[str, Any] = field(default_factory=dict)


def config_file(root: Path) -> Path | None:
    """The configuration file Invoke would read at ``root``, if any."""
    for name in CONFIG_NAMES:
        path = root / name
        if path.is_file():
            return path
    return None


def find(start: Path | None = None) -> Project:
    """The project around ``start`` (default: the current directory) and its settings."""
    root = find_project_root(start)
    if root is None:
        return Project(None)
    path = config_file(root)
    if path is None:
        return Project(root)
    memo = _memo_path(path)
    signature = _signature(path)
    config = _recall(memo, signature)
    if config is None:
        config = read(path)
        _remember(memo, signature, config)
    return Project(root, path, config)


def memo_dir() -> Path:
    """Where read project files are remembered: ``projects/`` of the default cache
    directory (``$XDG_CACHE_HOME/modelsync``), whatever ``cache_dir`` the file sets."""
    return default_cache_dir() / "projects"


def _memo_path(path: Path) -> Path:
    real = os.path.realpath(path)
    return memo_dir() / (hashlib.sha256(real.encode()).hexdigest()[:24] + ".json")


def _signature(path: Path) -> list[Any]:
    st = path.stat()
    return [os.path.realpath(path), st.st_size, st.st_ino, st.st_mtime_ns, st.st_ctime_ns]


def _recall(memo: Path, signature: list[Any]) -> dict[str, Any] | None:
    try:
        data = json.loads(memo.read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("signature") != signature:
        return None
    config = data.get("config")
    return config if isinstance(config, dict) else None


def _remember(memo: Path, signature: list[Any], config: dict[str, Any]) -> None:
    """Best effort: a cache that cannot be written costs only the next read."""
    import logging

    from .util.fsutil import cache_directory_usable, save_json

    try:
        json.dumps(config)
    except (TypeError, ValueError):  # a value JSON cannot hold: read the file each time
        return
    if cache_directory_usable(memo.parent):
        data = {"signature": signature, "config": config}
        save_json(
            memo,
            data,
            failure="could not remember the project configuration in %s (%s)",
            logger=logging.getLogger(__name__),
            level=logging.DEBUG,
        )


def read(path: Path) -> dict[str, Any]:
    """The ``modelsync`` namespace of the configuration file ``path``.

    A file that cannot be read or parsed, or whose namespace is not a mapping, is a
    :class:`~modelsync.errors.UsageError` naming the file (the tasks and the
    ``modelsync`` command stop on it too).
    """
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the project configuration: {exc.strerror}") from None
    if len(data) > MAX_BYTES:
        raise UsageError(f"{path}: project configuration larger than {MAX_BYTES} bytes")
    document = _parse(path, data)
    if document is None:
        return {}
    if not isinstance(document, dict):
        raise UsageError(f"{path}: the project configuration is not a mapping")
    namespace = document.get("modelsync")
    if namespace is None:
        return {}
    if not isinstance(namespace, dict):
        raise UsageError(f"{path}: setting modelsync: expected a mapping of settings")
    return {str(k): v for k, v in namespace.items()}


def _parse(path: Path, data: bytes) -> Any:
    if path.suffix == ".json":
        try:
            return json.loads(data)
        except ValueError as exc:
            raise UsageError(f"{path}: cannot read the project configuration: {exc}") from None
    from .yamlio import YamlError, load

    try:
        return load(data)
    except YamlError as exc:
        raise UsageError(f"{path}: cannot read the project configuration: {exc}") from None


def find_project_root(start: Path | None = None) -> Path | None:
    """The nearest directory at or above ``start`` holding a ``tasks.py`` (as Invoke
    searches), else one holding an ``invoke.yaml``/``.yml``/``.json``; ``None`` if
    neither exists."""
    here = (start or Path.cwd()).resolve()
    chain = [here, *here.parents]
    for directory in chain:
        if (directory / "tasks.py").is_file():
            return directory
    for directory in chain:
        if any((directory / f"invoke.{ext}").is_file() for ext in ("yaml", "yml", "json")):
            return directory
    return None


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/modelsync`` (``~/.cache/modelsync`` when the variable is unset,
    empty or relative, as the XDG Base Directory specification says)."""
    base = os.environ.get("XDG_CACHE_HOME") or ""
    if not os.path.isabs(base):
        base = os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "modelsync"
