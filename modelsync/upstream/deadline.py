"""One deadline for the whole fetch of the catalog (``modelsync.fetch_deadline``), or for
one provider of the live check (``modelsync.live_deadline``).

Connect and read timeouts bound each socket operation, not a request: a server that
sends one byte (or one header line) every few seconds never trips them. The deadline
covers everything a fetch does, all attempts, redirects and waits between retries
included. When it passes, a watchdog thread shuts down every socket the fetch opened, so
a read blocked in the kernel returns at once, even in the middle of the headers or of a
TLS handshake; the request then fails with :class:`DeadlineExceeded`.

Imported only with :mod:`modelsync.upstream.http` and :mod:`modelsync.live.bounds`.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from types import TracebackType
from typing import Any

import requests
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError


class DeadlineExceeded(requests.RequestException):
    """The fetch did not complete within ``modelsync.fetch_deadline``."""


class Deadline:
    """``with deadline: ...``: the watchdog runs while the block does.

    The sockets are tracked through duplicates of their descriptors (``socket.dup``):
    shutting a duplicate down shuts down the connection, whatever became of the original
    object (wrapped for TLS, closed, returned to a pool), and a duplicate's number is
    never reused while it is open.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._end: float | None = None
        self._expired = threading.Event()
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._timer: threading.Timer | None = None

    @property
    def message(self) -> str:
        return f"no complete answer within {self.seconds:g} s (modelsync.fetch_deadline)"

    @property
    def expired(self) -> bool:
        return self._expired.is_set()

    def remaining(self) -> float:
        """Seconds left; infinite while the deadline is not running."""
        if self._end is None:
            return float("inf")
        return max(0.0, self._end - time.monotonic())

    def __enter__(self) -> Deadline:
        self._expired.clear()
        self._end = time.monotonic() + self.seconds
        self._timer = threading.Timer(self.seconds, self.expire)
        self._timer.daemon = True
        self._timer.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._end = None
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            sock.close()

    def expire(self) -> None:
        """End the fetch now: every socket it opened is shut down."""
        with self._lock:
            self._expired.set()
            sockets = list(self._sockets)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def track(self, sock: socket.socket) -> None:
        with self._lock:
            if self._end is None:
                return
            self._sockets.append(sock.dup())
            expired = self._expired.is_set()
        if expired:
            self.expire()

    def wait_allowed(self, seconds: float) -> bool:
        """Whether waiting ``seconds`` (before a retry) still leaves time; if not, the
        deadline is over now."""
        if seconds < self.remaining():
            return True
        self.expire()
        return False


def pool_classes(deadline: Deadline) -> dict[str, type[HTTPConnectionPool]]:
    """Connection pools whose connections are watched by ``deadline``."""

    def new_conn(conn: Any, base: type[HTTPConnection]) -> socket.socket:
        if deadline.expired:
            raise ConnectTimeoutError(conn, deadline.message)
        remaining = deadline.remaining()
        if conn.timeout is None or conn.timeout > remaining:
            conn.timeout = remaining
        sock: socket.socket = base._new_conn(conn)
        deadline.track(sock)
        return sock

    class Connection(HTTPConnection):
        def _new_conn(self) -> socket.socket:
            return new_conn(self, HTTPConnection)

    class SecureConnection(HTTPSConnection):
        def _new_conn(self) -> socket.socket:
            return new_conn(self, HTTPSConnection)

    class Pool(HTTPConnectionPool):
        ConnectionCls = Connection

    class SecurePool(HTTPSConnectionPool):
        ConnectionCls = SecureConnection

    return {"http": Pool, "https": SecurePool}
