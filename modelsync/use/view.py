"""The synced catalog as an application reads it: a typed, read-only, in-memory view of
the provider files, with lookups by provider and model id.

::

    catalog = modelsync.load_catalog(config_dir="config/models")
    model = catalog.get("anthropic", "claude-sonnet-4-5")
    for m in catalog.models(["openai", "azure*"]): ...

Files are read with the safe loader; what was read is kept twice, so that asking again is
cheap: in this process (reused while no file's size, inode or modification time changed)
and in the cache directory (:mod:`modelsync.use.index`, keyed by each file's SHA-256).
A provider read from the index is decoded when its models are first asked for.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fnmatch
import functools
import gc
import hashlib
import logging
import os
import threading
import time
from collections.abc import Callable, ItemsView, Iterator, Mapping, Sequence, ValuesView
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError, ModelNotFound, ProviderNotFound
from ..model.catalog import Model
from ..model.configdir import check_directory, provider_files
from ..util.suggest import did_you_mean
from . import index as catalog_index
from .index_codec import encode_block

if TYPE_CHECKING:
    from ..history.timeline import When
    from ..settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ProviderView:
    """One provider file: its models in file order and its ``default_model``."""

    id: str
    path: Path
    default_model: str | None
    models: Mapping[str, Model]


class CatalogView:
    """Every model entry of a config directory's provider files, managed and hand-written.

    Read-only: the mappings are proxies and the models frozen dataclasses.
    """

    def __init__(self, config_dir: Path, providers: Mapping[str, ProviderView]) -> None:
        self.config_dir = config_dir
        self.providers: Mapping[str, ProviderView] = MappingProxyType(dict(providers))
        self._memo: dict[Any, dict[int, Any]] = {}

    def memo(self, key: Any, limit: int = 16) -> dict[int, Any]:
        """A dict for values computed per model of this view (keyed by ``id(model)``,
        stable while the view lives), one per ``key``; the oldest of more than ``limit``
        keys is dropped. The router keeps estimated costs per usage here."""
        found = self._memo.get(key)
        if found is None:
            if len(self._memo) >= limit:
                del self._memo[next(iter(self._memo))]
            found = self._memo[key] = {}
        return found

    @functools.cached_property
    def _all(self) -> tuple[Model, ...]:
        with _gc_paused():
            return tuple(m for p in self.providers.values() for m in p.models.values())

    def __iter__(self) -> Iterator[Model]:
        return iter(self._all)

    def __len__(self) -> int:
        return len(self._all)

    def __repr__(self) -> str:
        return (
            f"<CatalogView {self.config_dir}: {len(self.providers)} providers, {len(self)} models>"
        )

    def provider(self, provider_id: str) -> ProviderView:
        """A provider's file; :class:`ProviderNotFound` naming close ids if there is none."""
        found = self.providers.get(provider_id)
        if found is None:
            raise ProviderNotFound(
                f"no provider {provider_id!r} in {self.config_dir}"
                f"{did_you_mean(provider_id, self.providers)}"
            )
        return found

    def get(self, provider_id: str, model_id: str) -> Model:
        """One model; :class:`ProviderNotFound` / :class:`ModelNotFound` naming close ids."""
        provider = self.provider(provider_id)
        model = provider.models.get(model_id)
        if model is None:
            raise ModelNotFound(
                f"no model {model_id!r} in {provider.path}{did_you_mean(model_id, provider.models)}"
            )
        return model

    @functools.cached_property
    def capabilities(self) -> frozenset[str]:
        """Every capability some model of the view lists."""
        return frozenset(c for m in self._all for c in m.capabilities)

    def default_model(self, provider_id: str) -> str | None:
        return self.provider(provider_id).default_model

    def models(self, providers: Sequence[str] = ()) -> list[Model]:
        """The models of the providers matching any of the glob ``providers`` (all when
        empty); a pattern matching no provider is :class:`ProviderNotFound`."""
        if not providers:
            return list(self._all)
        for pattern in providers:
            if not fnmatch.filter(self.providers, pattern):
                raise ProviderNotFound(
                    f"--provider {pattern!r} matches no config file in {self.config_dir}"
                    f"{did_you_mean(pattern, self.providers)}"
                )
        return [
            m
            for pid, p in self.providers.items()
            if any(fnmatch.fnmatchcase(pid, pattern) for pattern in providers)
            for m in p.models.values()
        ]


def load_catalog(
    *,
    at: When | None = None,
    author_date: bool = False,
    settings: Settings | None = None,
    **overrides: Any,
) -> CatalogView:
    """The config directory's provider files as a :class:`CatalogView`.

    Takes the settings as keyword arguments (``config_dir=``, ``cache_dir=``) or
    ``settings=``. A missing directory is :class:`~modelsync.errors.UsageError`; a file
    that cannot be read or parsed is :class:`~modelsync.errors.ConfigError` naming it.
    With ``at`` (a date, ``"2026-04-01"``), the files as they were committed at that
    date on the current branch (``docs/history.md``).
    """
    from ..settings import settings_for

    s = settings_for(settings, overrides)
    if at is not None:
        return read_catalog_at(s.config_path, at, author_date=author_date)
    return read_catalog(s.config_path, s.cache_path)


def read_catalog_at(
    config_dir: Path,
    at: When,
    *,
    providers: Sequence[str] | None = None,
    author_date: bool = False,
) -> CatalogView:
    """The view of ``config_dir``'s files (``providers``' only, when given) as git holds
    them at ``at``."""
    from ..history import files_at

    files = files_at(config_dir, at, providers=providers, author_date=author_date)
    views = {pid: _parse(pid, f.path, f.content)[0] for pid, f in files.items()}
    return CatalogView(config_dir, views)


#: Views already read in this process: config directory -> (file signatures, view).
_MEMO: dict[str, tuple[tuple[Any, ...], CatalogView]] = {}


def read_catalog(config_dir: Path, cache_dir: Path | None) -> CatalogView:
    """The view of ``config_dir``, reusing what this process or the index already read."""
    check_directory(config_dir)
    files = provider_files(config_dir)
    key = os.path.realpath(config_dir)
    signatures = tuple((pid, _signature(path)) for pid, path in files.items())
    memo = _MEMO.get(key)
    if memo is not None and memo[0] == signatures:
        return memo[1]
    view = _read(config_dir, files, cache_dir)
    _MEMO[key] = (signatures, view)
    return view


def _signature(path: Path) -> tuple[int, ...] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _read(config_dir: Path, files: Mapping[str, Path], cache_dir: Path | None) -> CatalogView:
    from ..util.fsutil import file_signature, read_config_file, settled_signature

    index = catalog_index.Index(None, config_dir, {})
    if cache_dir is not None:
        # An index is always smaller than the files it describes: a larger one is bad.
        limit = 8 * sum(s[1] for s in map(_signature, files.values()) if s) + 2**20
        index = catalog_index.load(
            catalog_index.index_path(cache_dir, config_dir), config_dir, limit
        )
    entries: dict[str, catalog_index.Entry] = {}
    providers: dict[str, ProviderView] = {}
    now = time.time()
    for provider_id, path in files.items():
        entry = index.entries.get(provider_id)
        if (
            entry is not None
            and entry.block is not None
            and entry.signature is not None
            and entry.signature == file_signature(path)
        ):  # settled and untouched since: the file need not be read
            load = catalog_index.lazy_models(
                provider_id, entry, index, functools.partial(_reparse, provider_id, path)
            )
            entries[provider_id] = entry
            providers[provider_id] = ProviderView(
                provider_id, path, entry.default_model, _LazyModels(load)
            )
            continue
        content = read_config_file(path)
        sha = hashlib.sha256(content).hexdigest()
        signature = settled_signature(path, now)
        if entry is not None and entry.sha == sha and entry.block is not None:
            entry = dataclasses.replace(entry, signature=signature)
            load = catalog_index.lazy_models(
                provider_id, entry, index, functools.partial(_reparse, provider_id, path)
            )
            view = ProviderView(provider_id, path, entry.default_model, _LazyModels(load))
        else:
            view, models = _parse(provider_id, path, content)
            block = encode_block(provider_id, models)
            entry = catalog_index.Entry(sha, view.default_model, block, signature)
        entries[provider_id] = entry
        providers[provider_id] = view
    changed = entries != index.entries
    index.entries = entries
    if changed or index.warned:
        index.save()
    return CatalogView(config_dir, providers)


class _LazyModels(Mapping[str, Model]):
    """A provider's models, decoded from the index when first asked for (once, also
    when threads ask at the same time: the router keeps costs per model object)."""

    __slots__ = ("_load", "_lock", "_models")

    def __init__(self, load: Callable[[], list[Model]]) -> None:
        self._load = load
        self._lock = threading.Lock()
        self._models: dict[str, Model] | None = None

    def _get(self) -> dict[str, Model]:
        models = self._models
        if models is None:
            with self._lock:
                models = self._models
                if models is None:
                    with _gc_paused():
                        models = self._models = {m.id: m for m in self._load()}
        return models

    def __getitem__(self, key: str) -> Model:
        return self._get()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._get())

    def __len__(self) -> int:
        return len(self._get())

    def __contains__(self, key: object) -> bool:
        return key in self._get()

    def get(self, key: str, default: Any = None) -> Any:
        return self._get().get(key, default)

    def values(self) -> ValuesView[Model]:
        return self._get().values()

    def items(self) -> ItemsView[str, Model]:
        return self._get().items()

    def __repr__(self) -> str:
        return f"<models {list(self._get())!r}>" if self._models is not None else "<models>"


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while models are decoded: they hold no cycles, and
    the collections their thousands of new objects would set off cost more than the
    decoding itself (a third of ``invoke models`` on the whole catalog)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _reparse(provider_id: str, path: Path) -> tuple[str, list[Model]]:
    """A file parsed again (its block in the index was bad): its digest and models."""
    from ..util.fsutil import read_config_file

    content = read_config_file(path)
    _, models = _parse(provider_id, path, content)
    return hashlib.sha256(content).hexdigest(), models


def _parse(provider_id: str, path: Path, content: bytes) -> tuple[ProviderView, list[Model]]:
    """Parse one file: its view and its models."""
    from .. import yamlio

    try:
        doc = yamlio.load(content)
    except yamlio.YamlError as exc:
        raise ConfigError(f"{exc.where(str(path))}: {exc.message}", path=str(path)) from None
    entries = doc.get("models") if isinstance(doc, dict) else None
    models = [
        Model.from_config(provider_id, str(model_id), entry)
        for model_id, entry in (entries.items() if isinstance(entries, dict) else ())
        if isinstance(entry, dict)
    ]
    default = doc.get("default_model") if isinstance(doc, dict) else None
    view = ProviderView(
        provider_id,
        path,
        default if isinstance(default, str) else None,
        MappingProxyType({m.id: m for m in models}),
    )
    return view, models
