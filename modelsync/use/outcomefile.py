"""Reading a JSON Lines file of outcomes within bounds: bytes, time, line length, nesting.

``scores --from`` reads a file a scheduled job may point anywhere: only a regular file or
a pipe is read, at most ``max_response_bytes`` bytes in all and within
``fetch_deadline`` seconds (a pipe with no writer ends in an error, not a hang), line by
line, each line at most :data:`MAX_LINE` bytes and :data:`MAX_DEPTH` levels of nesting,
a key repeated in a line is an error naming the file and line, and keys outside
:data:`KNOWN_KEYS` are a warning naming them.
"""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import os
import stat
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import OutcomeError
from ..util.suggest import did_you_mean
from ..util.text import escape, excerpt

log = logging.getLogger(__name__)

#: The longest line of an outcomes file, in bytes.
MAX_LINE = 64 * 1024
#: The deepest nesting of arrays and objects in one line.
MAX_DEPTH = 32
#: The keys an outcome may have.
KNOWN_KEYS = ("provider", "model", "complexity", "quality", "success", "id")
_CHUNK = 1 << 16


@dataclass(slots=True)
class Line:
    """One outcome line: its number, the offset just after it, and what the reader's
    ``convert`` made of its object (kept small: a file may hold a million lines)."""

    number: int
    end: int
    data: Any


@dataclass
class OutcomeFile:
    """What was read: the lines, the file's identity, and digests of its prefixes."""

    path: Path
    lines: list[Line] = field(default_factory=list)
    #: ``(st_dev, st_ino)`` of a regular file; ``None`` for a pipe.
    identity: tuple[int, int] | None = None
    size: int = 0
    digest: str = ""
    #: The SHA-256 of the first ``checked_at`` bytes, when the read passed that offset.
    prefix_digest: str | None = None


def read(
    path: Path,
    *,
    limit: int,
    deadline: float,
    prefix_at: int = 0,
    convert: Callable[[Any, str], Any] | None = None,
) -> OutcomeFile:
    """The outcome lines of ``path`` (blank lines and ``#`` comments skipped), within the
    bounds of the module docstring, each line's object passed through ``convert(data,
    where)`` as it is read; :class:`OutcomeError` naming the file (and line)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise OutcomeError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        mode = os.fstat(fd).st_mode
        if not (stat.S_ISREG(mode) or stat.S_ISFIFO(mode)):
            kind = "a directory" if stat.S_ISDIR(mode) else "a device or special file"
            raise OutcomeError(f"{path}: is {kind}; outcomes are read from a file or a pipe")
        info = os.fstat(fd)
        out = OutcomeFile(path, identity=(info.st_dev, info.st_ino) if stat.S_ISREG(mode) else None)
        if stat.S_ISREG(mode) and info.st_size > limit:
            raise OutcomeError(
                f"{path}: {info.st_size:,} bytes exceed the limit of {limit:,} bytes "
                "(modelsync.max_response_bytes)"
            )
        chunks = _chunks(fd, path, stat.S_ISFIFO(mode), limit, deadline)
        _parse(out, chunks, prefix_at, convert or (lambda data, where: data))
        return out
    except OSError as exc:
        if exc.errno == errno.EISDIR:
            raise OutcomeError(f"{path}: is a directory") from None
        raise OutcomeError(f"{path}: cannot read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def _chunks(fd: int, path: Path, pipe: bool, limit: int, deadline: float) -> Iterator[bytes]:
    import select

    poller = select.poll() if pipe and hasattr(select, "poll") else None
    if poller is None:
        os.set_blocking(fd, True)
    else:
        poller.register(fd, select.POLLIN)
    end = time.monotonic() + deadline
    total = 0
    while True:
        if poller is not None:
            remaining = end - time.monotonic()
            if remaining <= 0 or not poller.poll(remaining * 1000):
                raise OutcomeError(
                    f"{path}: nothing more to read within {deadline:g} s (modelsync.fetch_deadline)"
                )
        elif time.monotonic() > end:
            raise OutcomeError(f"{path}: not read within {deadline:g} s (modelsync.fetch_deadline)")
        try:
            chunk = os.read(fd, _CHUNK)
        except BlockingIOError:
            continue
        if not chunk:
            return
        total += len(chunk)
        if total > limit:
            raise OutcomeError(f"{path}: more than {limit:,} bytes (modelsync.max_response_bytes)")
        yield chunk


def _parse(
    out: OutcomeFile, chunks: Iterator[bytes], prefix_at: int, convert: Callable[[Any, str], Any]
) -> None:
    hasher = hashlib.sha256()
    pending = bytearray()
    number = 0
    offset = 0
    for chunk in chunks:
        pending += chunk
        start = 0
        while (newline := pending.find(b"\n", start)) >= 0:
            number += 1
            line = bytes(pending[start : newline + 1])
            _check_length(out.path, number, len(line))
            offset = _take(out, hasher, line, number, offset, prefix_at, convert)
            start = newline + 1
        del pending[:start]
        _check_length(out.path, number + 1, len(pending))
    if pending:
        offset = _take(out, hasher, bytes(pending), number + 1, offset, prefix_at, convert)
    out.size = offset
    out.digest = hasher.hexdigest()


def _check_length(path: Path, number: int, length: int) -> None:
    if length > MAX_LINE + 1:
        raise OutcomeError(f"{path}:{number}: the line is longer than {MAX_LINE:,} bytes")


def _take(
    out: OutcomeFile,
    hasher: Any,
    line: bytes,
    number: int,
    offset: int,
    prefix_at: int,
    convert: Callable[[Any, str], Any],
) -> int:
    hasher.update(line)
    offset += len(line)
    if offset == prefix_at:
        out.prefix_digest = hasher.hexdigest()
    stripped = line.strip()
    if stripped and not stripped.startswith(b"#"):
        where = f"{out.path}:{number}"
        out.lines.append(Line(number, offset, convert(decode_line(stripped, where), where)))
    return offset


def decode_line(text: bytes, where: str) -> Any:
    """One line's JSON: nesting within :data:`MAX_DEPTH`, no repeated key, unknown keys
    warned about; :class:`OutcomeError` naming ``where``."""
    if text.count(b"[") + text.count(b"{") > MAX_DEPTH and _depth(text) > MAX_DEPTH:
        raise OutcomeError(f"{where}: nested deeper than {MAX_DEPTH} levels")

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: set[str] = set()
        for key, _ in items:
            if key in seen:
                raise OutcomeError(f"{where}: the key {excerpt(key)} is repeated")
            seen.add(key)
        return dict(items)

    try:
        data = json.loads(text, object_pairs_hook=pairs)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise OutcomeError(f"{where}: not a JSON object: {escape(str(exc))[:200]}") from None
    if isinstance(data, Mapping):
        unknown = [k for k in data if k not in KNOWN_KEYS]
        if unknown:
            log.warning(
                "%s: unknown key(s) %s ignored (an outcome has %s)%s",
                where,
                ", ".join(excerpt(k) for k in unknown),
                ", ".join(KNOWN_KEYS),
                did_you_mean(unknown[0], KNOWN_KEYS),
            )
    return data


def _depth(text: bytes) -> int:
    """The deepest nesting of ``[`` and ``{`` outside strings."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in text:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return deepest
