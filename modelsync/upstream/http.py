"""The HTTP session: requests-cache over SQLite, bounded retries, size limit, safe redirects.

Only what can be transient is retried (a reset or dropped connection, a timeout, 429,
5xx); a host name that does not resolve or a connection refused on the first attempt
fails at once, so that a machine without network reaches the fallback without waiting.
Each retry is logged at debug level (``-vv``) with its wait.

Imported only when the catalog has to come over HTTP: requests and requests-cache take
~100 ms to import, more than a whole no-op sync.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests_cache import CachedSession
from urllib3.util.retry import Retry

from .._version import __version__
from ..settings import Settings
from .deadline import Deadline, DeadlineExceeded, pool_classes

log = logging.getLogger(__name__)

USER_AGENT = f"modelsync/{__version__} (+https://pypi.org/project/modelsync/)"
RETRY_STATUSES = (429, 500, 502, 503, 504)


class ResponseTooLarge(requests.RequestException):
    """The response is larger than ``max_response_bytes`` (after decompression)."""


class UnsafeRedirect(requests.RequestException):
    """A redirect to another host or from https to http."""


def _unreachable(error: BaseException) -> bool:
    """A failure that retrying at once will not cure: no such host, nothing listening,
    no route (also when it happened connecting to a proxy)."""
    import errno

    from urllib3.exceptions import NameResolutionError, NewConnectionError, ProxyError

    if isinstance(error, ProxyError) and isinstance(error.original_error, BaseException):
        error = error.original_error
    if isinstance(error, NameResolutionError):
        return True
    if isinstance(error, NewConnectionError):
        cause = error.__cause__ or error.__context__
        return getattr(cause, "errno", None) in (
            errno.ECONNREFUSED,
            errno.ENETUNREACH,
            errno.EHOSTUNREACH,
        )
    return False


class BoundedRetry(Retry):
    """urllib3's Retry, with ``Retry-After`` honoured only up to ``cap`` seconds, no
    retry when the host is unreachable on the first attempt, and each retry logged.

    (urllib3 2.6+ has ``retry_after_max`` for the cap; older releases, which requests
    still accepts, do not.)
    """

    def __init__(
        self, *args: Any, cap: float = 30.0, deadline: Deadline | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.cap = cap
        self.deadline = deadline
        self.target = ""
        self.why = ""

    def new(self, **kwargs: Any) -> BoundedRetry:
        retry = super().new(**kwargs)
        retry.cap = self.cap
        retry.deadline = self.deadline
        return retry

    def get_retry_after(self, response: Any) -> float | None:
        value: float | None = super().get_retry_after(response)
        return None if value is None else min(value, self.cap)

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: Any = None,
        error: Exception | None = None,
        _pool: Any = None,
        _stacktrace: Any = None,
    ) -> BoundedRetry:
        from urllib3.exceptions import MaxRetryError

        if self.deadline is not None and self.deadline.expired:
            raise DeadlineExceeded(self.deadline.message)
        if error is not None and not self.history and _unreachable(error):
            raise MaxRetryError(_pool, url, error) from error
        retry = super().increment(method, url, response, error, _pool, _stacktrace)
        assert isinstance(retry, BoundedRetry)
        host = f"{_pool.scheme}://{_pool.host}:{_pool.port}" if _pool is not None else ""
        retry.target = host + (url or "")
        if response is not None and getattr(response, "status", None):
            retry.why = f"HTTP {response.status}"
        else:
            text = str(error or "").splitlines()
            retry.why = text[0][:200] if text and text[0] else type(error).__name__
        return retry

    def sleep(self, response: Any = None) -> None:
        """Wait before the next attempt, unless the wait would outlast the deadline; the
        wait is logged (``-vv``)."""
        # As urllib3 does: Retry-After when the response has one (and it is not 0), else
        # the backoff.
        wait = (self.get_retry_after(response) if response is not None else None) or (
            self.get_backoff_time()
        )
        if self.deadline is not None and not self.deadline.wait_allowed(wait):
            raise DeadlineExceeded(self.deadline.message)
        attempts = len(self.history) + 1 + (self.total if isinstance(self.total, int) else 0)
        log.debug(
            "retrying %s in %.1f s (attempt %d of %d): %s",
            self.target,
            wait,
            len(self.history) + 1,
            attempts,
            self.why,
        )
        super().sleep(response)


class LimitedAdapter(HTTPAdapter):
    """Reads each body itself, refusing one larger than ``max_bytes`` once decompressed,
    and ends every request at ``deadline``.

    The body is read in chunks as it arrives into one growing buffer, so neither a huge
    response nor a small compressed one that inflates past the limit is ever held in
    memory whole, and a body sent in tiny chunks costs no more than a body sent at once.
    """

    def __init__(self, max_bytes: int, deadline: Deadline, **kwargs: Any) -> None:
        self.deadline = deadline  # read by init_poolmanager, called by the constructor
        super().__init__(**kwargs)
        self.max_bytes = max_bytes

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = pool_classes(self.deadline)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        fresh = proxy not in self.proxy_manager
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if fresh and not proxy.lower().startswith("socks"):
            manager.pool_classes_by_scheme = pool_classes(self.deadline)
        return manager

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: bool | str = True,
        cert: Any = None,
        proxies: Mapping[str, str] | None = None,
    ) -> requests.Response:
        """Send, then read the body within the size limit.

        Long on purpose: the read loop and its cleanup on each failure belong together,
        so that no error path can leave a connection or a buffer behind.
        """
        from urllib3.exceptions import HTTPError as Urllib3Error

        from .progress import Meter

        try:
            response = super().send(
                request, stream=True, timeout=timeout, verify=verify, cert=cert, proxies=proxies
            )
        except Exception:
            if self.deadline.expired:
                raise DeadlineExceeded(self.deadline.message) from None
            raise
        meter = Meter(f"downloading {request.url}")
        try:
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > self.max_bytes:
                raise ResponseTooLarge(
                    f"response of {int(declared):,} bytes exceeds the limit of "
                    f"{self.max_bytes:,} bytes (modelsync.max_response_bytes)"
                )
            body = bytearray()
            for chunk in response.raw.stream(64 * 1024, decode_content=True):
                body += chunk
                meter.update(len(body))
                if len(body) > self.max_bytes:
                    raise ResponseTooLarge(
                        f"response exceeds the limit of {self.max_bytes:,} bytes "
                        "(modelsync.max_response_bytes)"
                    )
            if self.deadline.expired:  # the watchdog ended a body without a length
                raise DeadlineExceeded(self.deadline.message)
        except (ResponseTooLarge, DeadlineExceeded):
            response.close()
            raise
        except (Urllib3Error, OSError) as exc:
            response.close()
            if self.deadline.expired:
                raise DeadlineExceeded(self.deadline.message) from None
            raise requests.ConnectionError(f"reading the response failed: {exc}") from None
        finally:
            meter.close()
        response._content = bytes(body)
        del body
        response._content_consumed = True  # type: ignore[attr-defined]
        response.raw.release_conn()
        return response


class Session(CachedSession):
    """A CachedSession that follows redirects only within the same host and scheme.

    ``deadline`` (set by :func:`open_session`) bounds a whole fetch: ``with
    session.deadline: session.get(...)``.
    """

    deadline: Deadline

    def get_redirect_target(self, resp: Any) -> str | None:
        target: str | None = super().get_redirect_target(resp)
        if target:
            old, new = urlsplit(resp.url), urlsplit(urljoin(resp.url, target))
            if (new.hostname, new.port) != (old.hostname, old.port) or (
                old.scheme == "https" and new.scheme != "https"
            ):
                raise UnsafeRedirect(
                    f"refusing a redirect from {old.scheme}://{old.netloc} to "
                    f"{new.scheme}://{new.netloc}"
                )
        return target


def open_session(settings: Settings) -> Session:
    """The session for catalog downloads; a corrupt cache database is discarded.

    A cache directory that cannot be created or written is a warning, and the download
    goes on without the HTTP cache (held in memory for this process only).
    """
    from ..util.fsutil import cache_directory_usable

    path = settings.http_cache_path
    if not cache_directory_usable(path.parent):
        return _make_session(settings, None)
    try:
        check_database(path)
        return _make_session(settings, path)
    except sqlite3.DatabaseError as exc:
        discard_cache(path, exc)
    return _make_session(settings, path)


def check_database(path: Path) -> None:
    """Raise ``sqlite3.DatabaseError`` if the cache database is corrupt or truncated."""
    if not path.exists():
        return
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = con.execute("PRAGMA quick_check").fetchone()
    finally:
        con.close()
    if not row or row[0] != "ok":
        raise sqlite3.DatabaseError(row[0] if row else "quick_check failed")


def discard_cache(path: Path, exc: BaseException) -> None:
    """Delete an HTTP cache that SQLite cannot read, saying so."""
    from .cacheclear import delete_database

    log.warning("HTTP cache %s is unreadable (%s); discarding it", path, exc)
    delete_database(path)


def _make_session(settings: Settings, path: Path | None) -> Session:
    session = Session(
        str(path) if path is not None else "modelsync",
        backend="sqlite" if path is not None else "memory",
        expire_after=settings.cache_ttl,
        cache_control=False,
        allowable_codes=(200,),
        allowable_methods=("GET",),
        stale_if_error=False,
    )
    deadline = Deadline(settings.fetch_deadline)
    retry = BoundedRetry(
        total=settings.retries,
        connect=settings.retries,
        read=settings.retries,
        status=settings.retries,
        other=0,
        backoff_factor=0.5,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"GET", "HEAD"}),
        respect_retry_after_header=True,
        raise_on_status=False,
        cap=settings.retry_after_max,
        deadline=deadline,
    )
    session.deadline = deadline
    adapter = LimitedAdapter(settings.max_response_bytes, deadline, max_retries=retry)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.max_redirects = 5
    session.headers["User-Agent"] = USER_AGENT
    session.headers["Accept"] = "application/json"
    return session


def describe(exc: BaseException) -> str:
    """A one-line reason for a request failure, in modelsync's words."""
    if isinstance(exc, (ResponseTooLarge, UnsafeRedirect, DeadlineExceeded)):
        return str(exc)
    from .neterrors import describe as describe_cause

    return describe_cause(exc)
