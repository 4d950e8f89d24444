"""The config directory: which provider files it holds.

A provider's file is ``<provider>.yml`` or ``<provider>.yaml`` (kept under the name it
has); a provider with both is an error naming both. Every ``OSError`` becomes a
:class:`~modelsync.errors.ConfigError` or :class:`~modelsync.errors.UsageError` naming
the directory.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ConfigError, ProviderNotFound, UsageError
from ..util.suggest import did_you_mean

SUFFIXES = (".yml", ".yaml")
_SETTING = "(--config-dir, modelsync.config_dir)"

if TYPE_CHECKING:
    from ..settings import Settings


def check_directory(config_dir: Path) -> None:
    """Raise :class:`UsageError` unless ``config_dir`` is an existing directory."""
    if not config_dir.exists():
        raise UsageError(
            f"{config_dir}: config directory does not exist{close_directory(config_dir)} {_SETTING}"
        )
    if not config_dir.is_dir():
        raise UsageError(f"{config_dir}: config directory is not a directory {_SETTING}")


def close_directory(config_dir: Path) -> str:
    """``"; did you mean 'config/models'?"`` when a sibling of the missing ``config_dir``
    has a close name and holds provider files (a mistyped ``--config-dir``), else ``""``."""
    from ..util.suggest import close_matches

    parent = config_dir.parent
    try:
        siblings = [e.name for e in os.scandir(parent) if e.is_dir() and e.name != config_dir.name]
    except OSError:
        return ""
    close = [
        name
        for name in close_matches(config_dir.name, siblings)
        if not _only_digits_differ(name, config_dir.name) and _holds_provider_files(parent / name)
    ]
    if not close:
        return ""
    return f"; did you mean {', '.join(repr(str(parent / name)) for name in close)}?"


def _only_digits_differ(a: str, b: str) -> bool:
    """``2026-03-18`` and ``2026-01-10``, ``v1`` and ``v2``: directories named by date or
    version on purpose, not a typo of each other."""
    return re.sub(r"\d", "", a) == re.sub(r"\d", "", b)


def _holds_provider_files(directory: Path) -> bool:
    try:
        return any(
            e.is_file() and e.name.endswith(SUFFIXES) and not e.name.startswith(".")
            for e in os.scandir(directory)
        )
    except OSError:
        return False


def check_not_mistyped(config_dir: Path) -> None:
    """Raise :class:`UsageError` when ``config_dir`` is missing and a sibling with a
    close name holds provider files: creating it would start a second catalog beside
    the real one. A missing directory without such a sibling is fine (a sync creates it)."""
    if config_dir.exists():
        return
    close = close_directory(config_dir)
    if close:
        raise UsageError(f"{config_dir}: config directory does not exist{close} {_SETTING}")


def provider_files(config_dir: Path) -> dict[str, Path]:
    """``{provider id: path}`` of the provider files, sorted by id; ``{}`` for a missing
    directory (a sync creates it)."""
    try:
        names = os.listdir(config_dir)
    except FileNotFoundError:
        return {}
    except NotADirectoryError:
        raise UsageError(f"{config_dir}: config directory is not a directory {_SETTING}") from None
    except OSError as exc:
        raise ConfigError(f"{config_dir}: cannot list: {exc.strerror or exc}") from None
    found: dict[str, Path] = {}
    for name in sorted(names):
        stem, suffix = os.path.splitext(name)
        if suffix not in SUFFIXES or name.startswith(".") or not stem:
            continue
        if stem in found:
            raise ConfigError(
                f"{config_dir}: provider {stem!r} has two files, {found[stem].name} and "
                f"{name}; keep one",
                path=str(config_dir / name),
            )
        found[stem] = config_dir / name
    return dict(sorted(found.items()))


def provider_path(config_dir: Path, provider_id: str, files: dict[str, Path]) -> Path:
    """The file of ``provider_id``: the one that exists, else a new ``.yml``."""
    return files.get(provider_id) or config_dir / f"{provider_id}.yml"


def select(ids: Iterable[str], include: Iterable[str], exclude: Iterable[str]) -> list[str]:
    """Provider ids matching ``include`` (all when empty) and not ``exclude`` (globs).

    An ``include`` pattern that matches nothing raises
    :class:`~modelsync.errors.ProviderNotFound` listing close matches; an ``exclude``
    pattern that matches nothing is only a warning (a provider a team excludes may leave
    the catalog, and the scheduled sync must not start failing then).
    """
    ids = sorted(ids)
    include, exclude = list(include), list(exclude)
    for pattern in include:
        if not fnmatch.filter(ids, pattern):
            raise ProviderNotFound(
                f"--provider {pattern!r} matches no provider{did_you_mean(pattern, ids)}"
            )
    for pattern in exclude:
        if not fnmatch.filter(ids, pattern):
            import logging

            logging.getLogger(__name__).warning(
                "--exclude %r matches no provider%s", pattern, did_you_mean(pattern, ids)
            )
    chosen = [i for i in ids if not include or any(fnmatch.fnmatchcase(i, p) for p in include)]
    return [i for i in chosen if not any(fnmatch.fnmatchcase(i, p) for p in exclude)]


# --- the whole sync --------------------------------------------------------------------


def state_file(settings: Settings, suffix: str) -> Path:
    """The file in the cache directory holding one kind of this config directory's
    state: ``.json`` the fingerprints, ``.last-sync`` the last-sync record, ``.learned``
    the outcomes already learned; named by a digest of the directory's real path."""
    import hashlib

    key = hashlib.sha256(os.path.realpath(settings.config_path).encode()).hexdigest()[:24]
    return settings.cache_path / "state" / f"{key}{suffix}"
