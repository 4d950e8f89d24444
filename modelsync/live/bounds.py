"""What bounds the live check in time and memory, beyond one request's timeouts.

- **Time.** Each provider's check runs under a :class:`~modelsync.upstream.deadline.Deadline` of
  ``live_deadline`` seconds: its watchdog shuts down the provider's sockets when the
  deadline passes, so a server that sends one byte a second ends at the deadline, not
  when its body is complete (:class:`DeadlineAdapter`).
- **Memory per answer.** A body is read up to ``max_response_bytes``, then decoded with
  at most :data:`MAX_OBJECTS` JSON objects (:func:`decode_json`); a provider serves at
  most :data:`MAX_SERVED_IDS` ids over all its pages.
- **Memory in total.** Bodies being read by all providers together hold at most
  ``max_response_bytes`` bytes beyond the oldest reader's (:class:`Budget`), and one
  body at a time is decoded (decoding holds the GIL anyway: nothing is lost). With
  glibc, buffers of 1 MiB and more are given back to the system when freed
  (:func:`return_large_buffers`): otherwise each worker thread's heap keeps the largest
  answer it read, and eight threads that read 30 MB each kept 480 MB.

The measured peaks are in docs/live.md.
"""

from __future__ import annotations

import itertools
import json
import logging
import sys
import threading
from typing import Any

from requests.adapters import HTTPAdapter

from ..upstream.deadline import Deadline, pool_classes

#: Ids one provider may serve, all pages together (the largest real lists have some
#: hundreds).
MAX_SERVED_IDS = 20_000
#: JSON objects (at any depth) one answer may hold.
MAX_OBJECTS = 100_000

_DECODING = threading.Lock()
_M_MMAP_THRESHOLD = -3  # glibc's malloc.h
log = logging.getLogger(__name__)


def return_large_buffers() -> None:
    """With glibc: allocate buffers of 1 MiB and more with ``mmap``, so that freeing
    one gives its memory back to the system, whichever thread freed it. By default glibc
    raises this threshold to the size of the largest buffer freed (up to 32 MiB), after
    which such buffers stay in the heap of the thread that used them."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        ctypes.CDLL(None).mallopt(_M_MMAP_THRESHOLD, 1 << 20)
    except (OSError, AttributeError) as exc:  # not glibc (musl has no mallopt)
        log.debug("mallopt unavailable: %s", exc)


class TooMany(ValueError):
    """An answer or a provider's answers together hold more than the limits allow."""


class DeadlineAdapter(HTTPAdapter):
    """Connections watched by ``deadline``: shut down when it passes."""

    def __init__(self, deadline: Deadline) -> None:
        self.deadline = deadline  # read by init_poolmanager, called by the constructor
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = pool_classes(self.deadline)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        fresh = proxy not in self.proxy_manager
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if fresh and not proxy.lower().startswith("socks"):
            manager.pool_classes_by_scheme = pool_classes(self.deadline)
        return manager


class Budget:
    """Bytes of answer bodies held by all providers at once.

    A reader takes bytes as they arrive and gives them all back when its answer is
    decoded. It waits while the total would pass ``limit``, except the oldest reader,
    which never waits: so readers never wait for each other in a circle, and the total
    stays under ``limit`` plus one answer.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0
        self._held: dict[int, int] = {}
        self._tickets = itertools.count()
        self._changed = threading.Condition()

    def open(self) -> int:
        """A ticket for one answer."""
        with self._changed:
            ticket = next(self._tickets)
            self._held[ticket] = 0
            return ticket

    def take(self, ticket: int, size: int, timeout: float) -> bool:
        """Take ``size`` bytes; ``False`` when they are not free within ``timeout``."""
        with self._changed:
            ok = self._changed.wait_for(
                lambda: self.used + size <= self.limit or ticket == min(self._held),
                timeout=max(0.0, timeout),
            )
            if ok:
                self._held[ticket] += size
                self.used += size
            return ok

    def close(self, ticket: int) -> None:
        """Give back everything ``ticket`` took."""
        with self._changed:
            self.used -= self._held.pop(ticket, 0)
            self._changed.notify_all()


def decode_json(body: bytearray) -> Any:
    """The JSON document in ``body``, which is emptied (its memory freed) on the way.

    One body at a time is decoded. ``ValueError`` when it is not JSON, :class:`TooMany`
    when it holds more than :data:`MAX_OBJECTS` objects (decoding stops there).
    """
    count = 0

    def counted(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        nonlocal count
        count += 1
        if count > MAX_OBJECTS:
            raise TooMany(f"more than {MAX_OBJECTS:,} JSON objects in one answer")
        return dict(pairs)

    with _DECODING:
        encoding = json.detect_encoding(bytes(body[:4]))
        text = body.decode(encoding, "surrogatepass")
        body.clear()
        return json.loads(text, object_pairs_hook=counted)
