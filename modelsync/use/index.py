"""A compact index of the provider files in the cache directory, so that reading the
synced catalog costs a JSON load instead of a YAML parse.

Per config directory, the index holds each provider file's SHA-256 (the same fingerprint
a sync keeps, :mod:`modelsync.sync.state`) and ``default_model``, with the file's models as a
*block* of columns: one JSON list per field, one value per model. The file is JSON lines:
a header (which files, their digests, the line of their block) and one line per block,
so that a reader decodes only the blocks it asks for (``invoke cost`` one, ``invoke
models`` all).

Every file has a block: the typed fields are checked columns, and the free-form values
(a model's user keys, a price mode's ``request``) are JSON, with what JSON cannot carry
(keys that are not strings, sets, binary) tagged. A file whose digest matches is read
from its block; any other file is parsed and its block replaces the old one.

The index is advisory, and never trusted blindly: a missing or foreign index (another
modelsync version) only means parsing YAML; a header or block that is not exactly the
shape :func:`encode_block` writes (a string where a number belongs, a column of the wrong
length) is treated as missing, with one warning, and rewritten.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import logging
import os
import tempfile
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from .._version import __version__
from ..model.catalog import Model
from .index_codec import FIELDS, BadIndex, decode_block, encode_block

log = logging.getLogger(__name__)

INDEX_VERSION = 3


def index_key() -> str:
    """What besides the files decides an index's content."""
    return f"modelsync {__version__}; index {INDEX_VERSION}; {','.join(FIELDS)}"


def index_path(cache_dir: Path, config_dir: Path) -> Path:
    key = hashlib.sha256(os.path.realpath(config_dir).encode()).hexdigest()[:24]
    return cache_dir / "index" / f"{key}.json"


# --- the index file -------------------------------------------------------------------


@dataclasses.dataclass
class Entry:
    """One provider file in the index: its digest, ``default_model`` and block, and its
    signature when it had settled (:func:`~modelsync.util.fsutil.settled_signature`):
    a file whose signature still holds is not read again."""

    sha: str
    default_model: str | None
    block: bytes | None
    signature: list[int] | None = None


Reparse = Callable[[], tuple[str, list[Model]]]


class Index:
    """The index of one config directory as read from the cache: the header checked,
    the blocks kept as bytes until asked for.

    A block that fails its check makes the whole index suspect: it is reported once
    (:meth:`bad`), every file it indexes is parsed again (:meth:`rebuild`), and the index
    is saved with their fresh blocks, as if it had been missing.
    """

    def __init__(self, path: Path | None, config_dir: Path, entries: dict[str, Entry]) -> None:
        self.path = path
        self.config_dir = config_dir
        self.entries = entries
        self.warned = False
        self.rebuilt = False
        #: how to parse each file read through the index again, and what that gave
        self.reparse: dict[str, Reparse] = {}
        self.parsed: dict[str, list[Model]] = {}
        self._lock = threading.Lock()  # providers may be decoded from several threads

    def bad(self, what: str) -> None:
        """Say once that the index is not usable as it is (``what`` is why)."""
        if not self.warned:
            self.warned = True
            log.warning(
                "ignoring the corrupt catalog index %s (%s); the provider files are read "
                "instead and the index rewritten",
                self.path,
                what,
            )

    def rebuild(self) -> None:
        """Parse every file read through the index again (once), and save the index
        with their fresh blocks. A file that cannot be parsed now is left to its own
        reader, which raises the error."""
        with self._lock:
            if not self.rebuilt:
                self._rebuild()

    def _rebuild(self) -> None:
        from ..errors import ConfigError

        self.rebuilt = True
        for provider, reparse in self.reparse.items():
            entry = self.entries[provider]
            try:
                entry.sha, models = reparse()
            except ConfigError:
                entry.block = None
                continue
            entry.block = encode_block(provider, models)
            self.parsed[provider] = models
        self.save()

    def save(self) -> None:
        """Write the index atomically; a failure is logged, never raised (the index is
        only a shortcut)."""
        if self.path is not None:
            save(self.path, self.config_dir, self.entries)


def load(path: Path, config_dir: Path, limit: int) -> Index:
    """The index at ``path``, empty when it is missing, foreign or bad (a bad one with
    a warning); an index over ``limit`` bytes is bad (it is always smaller than the
    files it describes)."""
    empty = Index(path, config_dir, {})
    try:
        with path.open("rb") as fh:
            data = fh.read(limit + 1)
    except FileNotFoundError:
        return empty
    except OSError as exc:
        log.debug("ignoring unreadable catalog index %s (%s)", path, exc)
        return empty
    if len(data) > limit:
        empty.bad(f"larger than {limit:,} bytes")
        return empty
    lines = data.split(b"\n")
    try:
        header = json.loads(lines[0])
    except (ValueError, RecursionError) as exc:
        empty.bad(f"not JSON: {exc}")
        return empty
    if not isinstance(header, dict):
        empty.bad("not an index")
        return empty
    if header.get("key") != index_key() or header.get("config_dir") != os.path.realpath(config_dir):
        log.debug("catalog index %s is from another version or directory", path)
        return empty
    try:
        entries = _entries(header.get("files"), lines)
    except BadIndex as exc:
        empty.bad(str(exc))
        return empty
    return Index(path, config_dir, entries)


def _entries(files: Any, lines: list[bytes]) -> dict[str, Entry]:
    """The header's ``{provider: [sha, default_model, line of the block or null,
    signature or null]}``."""
    if type(files) is not dict:
        raise BadIndex("no list of files")
    entries = {}
    for provider, entry in files.items():
        if (
            type(entry) is not list
            or len(entry) != 4
            or type(entry[0]) is not str
            or len(entry[0]) != 64
            or type(entry[1]) not in (str, type(None))
            or type(entry[2]) not in (int, type(None))
            or not (entry[3] is None or _is_signature(entry[3]))
        ):
            raise BadIndex(f"the entry of {provider!r} is malformed")
        sha, default, line, signature = entry
        if line is not None and not 0 < line < len(lines):
            raise BadIndex(f"the block of {provider!r} is missing")
        block = None if line is None else lines[line]
        entries[provider] = Entry(sha, default, block, signature)
    return entries


def _is_signature(value: Any) -> bool:
    """Inode, size, mtime and ctime: four whole numbers."""
    return type(value) is list and len(value) == 4 and all(type(v) is int and v >= 0 for v in value)


def save(path: Path, config_dir: Path, entries: Mapping[str, Entry]) -> None:
    """Write an index of ``entries`` atomically, best effort (see :meth:`Index.save`)."""
    from ..util.fsutil import cache_directory_usable

    if not cache_directory_usable(path.parent.parent):
        return
    files: dict[str, list[Any]] = {}
    blocks: list[bytes] = []
    for provider, entry in entries.items():
        if entry.block is not None:
            blocks.append(entry.block)
        files[provider] = [
            entry.sha,
            entry.default_model,
            None if entry.block is None else len(blocks),
            entry.signature,
        ]
    header = {"key": index_key(), "config_dir": os.path.realpath(config_dir), "files": files}
    head = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    _write(path, b"\n".join([head, *blocks]) + b"\n")


def _write(path: Path, data: bytes) -> None:
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        log.debug("could not save the catalog index %s (%s)", path, exc)
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def lazy_models(
    provider: str, entry: Entry, index: Index, reparse: Reparse
) -> Callable[[], list[Model]]:
    """A function giving the models of ``entry``'s block; when a block of the index is
    bad, those of the file parsed again (``reparse`` gives its digest and models)."""
    index.reparse[provider] = reparse

    def models() -> list[Model]:
        if not index.warned and entry.block is not None:
            try:
                return decode_block(provider, entry.block)
            except BadIndex as exc:
                index.bad(f"{provider}: {exc}")
        index.rebuild()
        found = index.parsed.pop(provider, None)
        if found is None:  # parsing it failed: now with its error
            entry.sha, found = reparse()
        return found

    return models
