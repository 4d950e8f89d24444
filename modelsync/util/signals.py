"""SIGTERM ends a task the way Ctrl-C does.

By default SIGTERM (``kill``, a CI job's timeout, ``docker stop``) ends the process where
it stands: no message, temporary files left, and the exit status of a signal. Inside
:func:`sigterm_as_interrupt` it raises :class:`Terminated`, a ``KeyboardInterrupt``, so
the same cleanup runs as for Ctrl-C (temporary files removed, the directory lock
released) and the task ends with one line and exit status 143 (128 + SIGTERM).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

#: Exit status after SIGTERM, as a shell reports a process it ended.
TERMINATED_EXIT = 128 + signal.SIGTERM


class Terminated(KeyboardInterrupt):
    """The process received SIGTERM."""


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Within the block, SIGTERM raises :class:`Terminated` (main thread only; elsewhere
    signal handlers cannot be installed and nothing changes). A second SIGTERM during
    the cleanup is ignored, so the cleanup completes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise Terminated()

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
