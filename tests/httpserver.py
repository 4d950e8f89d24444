"""A real HTTP server on 127.0.0.1 for the tests, serving catalogs and faults.

Each path has a :class:`Route`: a queue of :class:`Reply` objects (the last one repeats).
The server records every request (path and headers) so tests can assert what was sent.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """What the server answers: a body with a status, or a fault."""

    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"
    #: send ETag / Last-Modified and answer conditional requests with 304
    validators: bool = True
    gzip: bool = False
    #: seconds to wait before answering (a read timeout)
    delay: float = 0.0
    #: declare this Content-Length but send only the body, then close
    truncate_to: int | None = None
    #: send this many bytes of filler, in chunks, without a Content-Length
    stream_bytes: int = 0
    #: close the connection without answering
    drop: bool = False
    #: send the headers, then the body one byte every this many seconds
    trickle: float = 0.0
    #: send the status line, then one more header line every this many seconds
    trickle_headers: float = 0.0
    #: a trickle stops (and the connection closes) after this many seconds
    trickle_for: float = 20.0
    #: send the body with chunked transfer encoding, in chunks of this many bytes
    chunk_size: int = 0
    #: send the body in 16 KB pieces, waiting this many seconds before each (a slow link)
    pace: float = 0.0


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    time: float


class Route:
    def __init__(self, replies: Iterable[Reply]) -> None:
        self.replies = list(replies)
        self.lock = threading.Lock()

    def next(self) -> Reply:
        with self.lock:
            return self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]


class CatalogServer:
    """``with CatalogServer() as srv: srv.serve('/api.json', Reply(body))``."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        #: bytes of each streamed body actually sent before the client hung up
        self.streamed: list[int] = []
        #: notified whenever a request arrives or a streamed body ends
        self.changed = threading.Condition()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def handle(self) -> None:
                # The client hangs up in tests of refused responses.
                with contextlib.suppress(ConnectionResetError, BrokenPipeError):
                    super().handle()

            def do_GET(self) -> None:
                with server.changed:
                    server.requests.append(
                        Request(
                            self.path, {k.lower(): v for k, v in self.headers.items()}, time.time()
                        )
                    )
                    server.changed.notify_all()
                route = server.routes.get(self.path.split("?")[0])
                if route is None:
                    self._send(Reply(b"not found", 404, content_type="text/plain"))
                    return
                self._send(route.next())

            def _send(self, reply: Reply) -> None:
                if reply.delay:
                    time.sleep(reply.delay)
                if reply.drop:
                    self.close_connection = True
                    return
                if reply.trickle or reply.trickle_headers:
                    self._trickle(reply)
                    return
                if reply.chunk_size:
                    self._chunked(reply)
                    return
                body = reply.body
                headers = dict(reply.headers)
                etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
                if reply.validators and reply.status == 200:
                    headers.setdefault("ETag", etag)
                    headers.setdefault("Last-Modified", formatdate(0, usegmt=True))
                    if self.headers.get("If-None-Match") == headers["ETag"]:
                        self.send_response(304)
                        for k, v in headers.items():
                            self.send_header(k, v)
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
                if reply.gzip:
                    body = gzip.compress(body)
                    headers["Content-Encoding"] = "gzip"
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                for k, v in headers.items():
                    self.send_header(k, v)
                if reply.stream_bytes:
                    self.send_header("Connection", "close")
                    self.end_headers()
                    chunk = b" " * 65536
                    sent = 0
                    try:
                        while sent < reply.stream_bytes:
                            self.wfile.write(chunk)
                            sent += len(chunk)
                    except OSError:
                        pass
                    with server.changed:
                        server.streamed.append(sent)
                        server.changed.notify_all()
                    self.close_connection = True
                    return
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if reply.pace:
                    for start in range(0, len(body), 16 * 1024):
                        time.sleep(reply.pace)
                        self.wfile.write(body[start : start + 16 * 1024])
                        self.wfile.flush()
                    return
                self.wfile.write(body if reply.truncate_to is None else body[: reply.truncate_to])
                if reply.truncate_to is not None:
                    self.close_connection = True

            def _trickle(self, reply: Reply) -> None:
                self.close_connection = True
                end = time.monotonic() + reply.trickle_for
                with contextlib.suppress(OSError):
                    self.send_response(reply.status)
                    self.send_header("Content-Type", reply.content_type)
                    if reply.trickle_headers:
                        self.wfile.write(b"".join(self._headers_buffer))  # no blank line
                        self._headers_buffer = []
                        number = 0
                        while time.monotonic() < end:
                            number += 1
                            self.wfile.write(f"X-Slow-{number}: 1\r\n".encode())
                            self.wfile.flush()
                            time.sleep(reply.trickle_headers)
                        return
                    self.send_header("Content-Length", str(max(len(reply.body), 1_000_000)))
                    self.end_headers()
                    body = reply.body or b" " * 1_000_000
                    for index in range(len(body)):
                        if time.monotonic() >= end:
                            return
                        self.wfile.write(body[index : index + 1])
                        self.wfile.flush()
                        time.sleep(reply.trickle)

            def _chunked(self, reply: Reply) -> None:
                self.close_connection = True
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                size = reply.chunk_size
                body = reply.body or b" " * reply.stream_bytes
                head = f"{size:x}\r\n".encode()
                with contextlib.suppress(OSError):
                    step = size * 16384
                    for start in range(0, len(body) - len(body) % size, step):
                        piece = body[start : start + step]
                        self.wfile.write(
                            b"".join(
                                head + piece[i : i + size] + b"\r\n"
                                for i in range(0, len(piece), size)
                            )
                        )
                    rest = body[len(body) - len(body) % size :]
                    if rest:
                        self.wfile.write(f"{len(rest):x}\r\n".encode() + rest + b"\r\n")
                    self.wfile.write(b"0\r\n\r\n")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        # shutdown() waits for the loop to look at its flag: every 0.05 s, not the default 0.5 s
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    def url(self, path: str = "/api.json", host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def serve(self, path: str, *replies: Reply) -> str:
        self.routes[path] = Route(replies)
        return self.url(path)

    def hits(self, path: str = "/api.json") -> list[Request]:
        return [r for r in self.requests if r.path.split("?")[0] == path]

    def wait_for_hits(
        self, count: int = 1, path: str = "/api.json", timeout: float = 20
    ) -> list[Request]:
        """The requests for ``path`` once there are ``count`` of them (fewer on timeout)."""
        with self.changed:
            self.changed.wait_for(lambda: len(self.hits(path)) >= count, timeout)
            return self.hits(path)

    def wait_for_streamed(self, count: int = 1, timeout: float = 20) -> list[int]:
        """:attr:`streamed` once ``count`` streamed bodies have ended (fewer on timeout)."""
        with self.changed:
            self.changed.wait_for(lambda: len(self.streamed) >= count, timeout)
            return list(self.streamed)

    def __enter__(self) -> CatalogServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
