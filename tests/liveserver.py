"""Loopback servers that answer like the providers' model-list APIs.

Each family's app checks the key where the real API reads it, paginates with the real
parameters and page fields, and answers errors in the real error shape (sources in
docs/live.md). ``faults`` are answered first, one per request, then the emulation
answers; every request is recorded.
"""

from __future__ import annotations

import base64
import contextlib
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Answer:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    #: seconds to wait before answering
    delay: float = 0.0
    #: raw bytes instead of JSON
    raw: bytes | None = None

    def payload(self) -> bytes:
        return self.raw if self.raw is not None else json.dumps(self.body).encode()


@dataclass
class Seen:
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    time: float


class App:
    """One provider's API under a path prefix."""

    def __init__(self, ids: list[str], key: str, *, page_max: int = 1000) -> None:
        self.ids = list(ids)
        self.key = key
        self.page_max = page_max
        self.faults: list[Answer] = []
        self.seen: list[Seen] = []
        self.delay = 0.0
        #: put the key the client sent into error messages, in full
        self.echo_key = False
        self.lock = threading.Lock()

    def handle(self, rest: str, query: dict[str, str], headers: dict[str, str]) -> Answer:
        with self.lock:
            fault = self.faults.pop(0) if self.faults else None
        if fault is not None:
            return fault
        if rest != "/models":
            return Answer(404, {"error": {"message": f"no route {rest}", "type": "not_found"}})
        answer = self.answer(query, headers)
        answer.delay = answer.delay or self.delay
        return answer

    def answer(self, query: dict[str, str], headers: dict[str, str]) -> Answer:
        raise NotImplementedError

    def shown(self, given: str) -> str:
        return given if self.echo_key else f"{given[:3]}***{given[-4:]}"


class OpenAIApp(App):
    """``GET /v1/models`` with ``Authorization: Bearer``; one page."""

    bare_list = False

    def answer(self, query: dict[str, str], headers: dict[str, str]) -> Answer:
        auth = headers.get("authorization", "")
        given = auth.removeprefix("Bearer ")
        if auth != f"Bearer {self.key}":
            return Answer(
                401,
                {
                    "error": {
                        "message": f"Incorrect API key provided: {self.shown(given)}. You can "
                        "find your API key at https://platform.openai.com/account/api-keys.",
                        "type": "invalid_request_error",
                        "param": None,
                        "code": "invalid_api_key",
                    }
                },
            )
        data = [
            {"id": i, "object": "model", "created": 1700000000, "owned_by": "system"}
            for i in self.ids
        ]
        return Answer(200, data if self.bare_list else {"object": "list", "data": data})


class AnthropicApp(App):
    """``GET /v1/models`` with ``x-api-key`` and ``anthropic-version``; ``limit``,
    ``after_id``; ``data``, ``has_more``, ``first_id``, ``last_id``."""

    def answer(self, query: dict[str, str], headers: dict[str, str]) -> Answer:
        given = headers.get("x-api-key", "")
        if given != self.key:
            message = (
                f"invalid x-api-key {self.shown(given)}" if self.echo_key else "invalid x-api-key"
            )
            return Answer(
                401,
                {"type": "error", "error": {"type": "authentication_error", "message": message}},
            )
        if "anthropic-version" not in headers:
            return Answer(
                400,
                {
                    "type": "error",
                    "error": {
                        "type": "invalid_request_error",
                        "message": "anthropic-version: header is required",
                    },
                },
            )
        limit = min(int(query.get("limit", "20")), 1000, self.page_max)
        start = self.ids.index(query["after_id"]) + 1 if "after_id" in query else 0
        page = self.ids[start : start + limit]
        data = [
            {
                "type": "model",
                "id": i,
                "display_name": i.replace("-", " ").title(),
                "created_at": "2025-02-19T00:00:00Z",
            }
            for i in page
        ]
        return Answer(
            200,
            {
                "data": data,
                "has_more": start + limit < len(self.ids),
                "first_id": page[0] if page else None,
                "last_id": page[-1] if page else None,
            },
        )


class GeminiApp(App):
    """``GET /v1beta/models`` with ``x-goog-api-key``; ``pageSize``, ``pageToken``;
    ``models`` named ``models/<id>``, ``nextPageToken`` absent on the last page."""

    def answer(self, query: dict[str, str], headers: dict[str, str]) -> Answer:
        given = headers.get("x-goog-api-key", "")
        if given != self.key:
            return Answer(
                400,
                {
                    "error": {
                        "code": 400,
                        "message": "API key not valid. Please pass a valid API key."
                        + (f" ({given})" if self.echo_key else ""),
                        "status": "INVALID_ARGUMENT",
                        "details": [
                            {
                                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                                "reason": "API_KEY_INVALID",
                                "domain": "googleapis.com",
                            }
                        ],
                    }
                },
            )
        size = min(int(query.get("pageSize", "50")), 1000, self.page_max)
        token = query.get("pageToken")
        start = int(base64.b64decode(token)) if token else 0
        page = self.ids[start : start + size]
        body: dict[str, Any] = {
            "models": [
                {
                    "name": f"models/{i}",
                    "version": "001",
                    "displayName": i,
                    "supportedGenerationMethods": ["generateContent", "countTokens"],
                }
                for i in page
            ]
        }
        if start + size < len(self.ids):
            body["nextPageToken"] = base64.b64encode(str(start + size).encode()).decode()
        return Answer(200, body)


class LiveServer:
    """``with LiveServer() as srv: base = srv.mount("/anthropic/v1", AnthropicApp(...))``."""

    def __init__(self) -> None:
        self.apps: dict[str, App] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def handle(self) -> None:
                with contextlib.suppress(ConnectionResetError, BrokenPipeError):
                    super().handle()

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                headers = {k.lower(): v for k, v in self.headers.items()}
                prefix = max(
                    (p for p in server.apps if parts.path.startswith(p)), key=len, default=None
                )
                if prefix is None:
                    self._send(Answer(404, {"error": "no such app"}))
                    return
                app = server.apps[prefix]
                app.seen.append(Seen(parts.path, query, headers, time.time()))
                self._send(app.handle(parts.path[len(prefix) :], query, headers))

            def _send(self, answer: Answer) -> None:
                if answer.delay:
                    time.sleep(answer.delay)
                body = answer.payload()
                self.send_response(answer.status)
                self.send_header("Content-Type", "application/json")
                for k, v in answer.headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    def mount(self, prefix: str, app: App, host: str = "127.0.0.1") -> str:
        self.apps[prefix] = app
        return f"http://{host}:{self.port}{prefix}"

    def __enter__(self) -> LiveServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
