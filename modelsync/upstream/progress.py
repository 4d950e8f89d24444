"""A progress line on stderr for a download that takes a while.

Shown only when enabled (the ``sync`` task enables it, except with ``-q`` or ``--json``;
the Python API never shows it), only when stderr is a terminal that can redraw a line
(``TERM`` is not ``dumb`` and ``NO_COLOR`` is not set), and only once a download has
taken more than :data:`DELAY` seconds: one line, redrawn at most ten times a second,
cleared when the download ends.
"""

from __future__ import annotations

import os
import sys
import time
from typing import TextIO

#: Seconds a download runs before its progress is shown.
DELAY = 1.0
_INTERVAL = 0.1
_CLEAR = "\r\033[K"

_enabled = False


def enable(on: bool = True) -> None:
    """Show progress lines in this process (for the command line, not for a library)."""
    global _enabled
    _enabled = on


def _terminal() -> TextIO | None:
    stream = sys.stderr
    if not _enabled or os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return None
    try:
        return stream if stream.isatty() else None
    except (AttributeError, ValueError):
        return None


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{n / 1e3:.0f} kB"


class Meter:
    """Bytes received so far; silent unless :func:`_terminal` allows a line."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.stream = _terminal()
        self.start = self.last = time.monotonic()
        self.shown = False

    def update(self, received: int) -> None:
        if self.stream is None:
            return
        now = time.monotonic()
        if now - self.start < DELAY or (self.shown and now - self.last < _INTERVAL):
            return
        self.last, self.shown = now, True
        self.stream.write(f"{_CLEAR}modelsync: {self.label}: {_size(received)} received")
        self.stream.flush()

    def close(self) -> None:
        if self.stream is not None and self.shown:
            self.stream.write(_CLEAR)
            self.stream.flush()
            self.shown = False
