"""Network failures in modelsync's own words.

requests and urllib3 describe a failure by nesting exceptions in one another's text
(``HTTPSConnectionPool(host=..., port=443): Max retries exceeded with url: ... (Caused by
ProtocolError('Connection aborted.', ...)))``), which cut to fit a line ends mid-word and
names library internals. :func:`describe` finds the cause in the chain and says it in
one short phrase.
"""

from __future__ import annotations

import http.client
import socket
import ssl
from collections.abc import Iterator


def causes(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and every exception nested in it (causes, contexts, arguments, reasons)."""
    seen: set[int] = set()
    todo = [exc]
    while todo:
        current = todo.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        nested = [current.__cause__, current.__context__, getattr(current, "reason", None)]
        nested += [a for a in getattr(current, "args", ()) if isinstance(a, BaseException)]
        todo += [n for n in nested if isinstance(n, BaseException)]


def _tls(exc: ssl.SSLError) -> str:
    reason = getattr(exc, "reason", None) or ""
    if isinstance(exc, ssl.SSLCertVerificationError) or reason == "CERTIFICATE_VERIFY_FAILED":
        return "the server's TLS certificate could not be verified"
    detail = f" ({reason.lower().replace('_', ' ')})" if reason else ""
    return f"the TLS handshake failed{detail}"


def describe(exc: BaseException) -> str:
    """One phrase for a failed request, naming the cause, never a library's repr.

    Long on purpose: one flat table of causes, most specific first, reads better than
    the same table cut into pieces.
    """
    import requests
    from urllib3 import exceptions as u3

    chain = list(causes(exc))

    def find(*kinds: type[BaseException]) -> BaseException | None:
        return next((e for e in chain if isinstance(e, kinds)), None)

    proxy = find(requests.exceptions.ProxyError, u3.ProxyError)
    prefix = "cannot connect to the proxy: " if proxy is not None else ""
    if find(socket.gaierror, u3.NameResolutionError):
        return prefix + "cannot resolve the host name"
    if find(ConnectionRefusedError) or any("connection refused" in str(e).lower() for e in chain):
        return prefix + "connection refused"
    if find(requests.ConnectTimeout, u3.ConnectTimeoutError):
        return prefix + "timed out connecting"
    if proxy is not None:
        return "cannot connect through the proxy"
    tls = find(ssl.SSLError)
    if tls is not None:
        assert isinstance(tls, ssl.SSLError)
        return _tls(tls)
    if find(requests.exceptions.SSLError, u3.SSLError):
        return "the TLS handshake failed"
    if find(requests.ReadTimeout, u3.ReadTimeoutError):
        return "timed out waiting for the server to answer"
    if find(requests.exceptions.TooManyRedirects):
        return "too many redirects"
    cut = find(u3.IncompleteRead, http.client.IncompleteRead)
    if cut is not None:
        partial = getattr(cut, "partial", None)
        expected = getattr(cut, "expected", None)
        if isinstance(partial, int) and isinstance(expected, int):
            return f"the response was cut off after {partial:,} of {partial + expected:,} bytes"
        return "the response was cut off"
    if find(requests.exceptions.ChunkedEncodingError, u3.InvalidChunkLength):
        return "the response was cut off (broken chunked encoding)"
    if find(http.client.RemoteDisconnected):  # a ConnectionResetError: test it first
        return "the server closed the connection without answering"
    if find(ConnectionResetError):
        return "the connection was reset by the server"
    if find(requests.exceptions.ContentDecodingError, u3.DecodeError):
        return "the response could not be decompressed"
    if find(
        requests.exceptions.InvalidURL, u3.LocationParseError, requests.exceptions.MissingSchema
    ):
        return "not a valid URL"
    if find(requests.exceptions.InvalidHeader, http.client.HTTPException, u3.HeaderParsingError):
        return "the server sent an invalid response"
    if find(requests.Timeout, TimeoutError, socket.timeout):
        return "timed out"
    error = find(OSError)
    strerror = getattr(error, "strerror", None)
    if isinstance(strerror, str) and strerror:
        return f"network error: {strerror[0].lower()}{strerror[1:]}"
    if find(requests.ConnectionError, u3.ProtocolError):
        return "the connection failed"
    return f"the request failed ({type(exc).__name__})"
