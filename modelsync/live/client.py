"""Getting one provider's model list over HTTP, within bounds.

- the key travels in a header only to the target's own base URL; redirects are never
  followed (requests would carry ``x-api-key`` along to another host), and a next page
  is always asked for at the same URL, never at a URL the server names;
- every request has connect and read timeouts, cut to what is left of the provider's
  ``live_deadline``, which also bounds retries and the reading of bodies: when it
  passes, a watchdog shuts the connection down, even in the middle of a slow body
  (:mod:`.bounds`);
- only 429 and 5xx answers are retried, at most ``retries`` times, waiting
  ``Retry-After`` up to ``retry_after_max`` (else 0.5 s, 1 s, 2 s... up to the same cap);
- bodies are read up to ``max_response_bytes``, within the memory budget shared by all
  providers, and decoded within the limits of :mod:`.bounds`;
- no HTTP cache: a live check asks the provider, every time.

Every failure is a :class:`ListFailure` whose message holds no key (the caller redacts
it again, and every served id, before anything is shown).
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

import requests
from requests.auth import AuthBase

from .._version import __version__
from ..settings import Settings
from ..upstream.deadline import Deadline
from .bounds import MAX_SERVED_IDS, Budget, DeadlineAdapter, TooMany, decode_json
from .families import (
    MalformedResponse,
    auth_headers,
    error_code,
    first_params,
    key_rejected,
    plain_token,
)
from .families import parse_page as parse
from .redact import Redactor
from .targets import Target
from .vocab import Problem

log = logging.getLogger(__name__)

USER_AGENT = f"modelsync/{__version__} (live check)"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
#: A server that keeps paginating is cut off here.
MAX_PAGES = 100
#: The scheme and the host (as written) of a ``Location``; credentials and port left out.
_SCHEME_HOST = re.compile(
    r"\s*([A-Za-z][A-Za-z0-9+.-]*)://(?:[^/?#@]*@)?([^/?#]*?)(?::\d*)?(?:[/?#]|$)"
)


class ListFailure(Exception):
    def __init__(self, problem: Problem, message: str) -> None:
        super().__init__(message)
        self.problem = problem
        #: Requests sent before the failure.
        self.requests = 0


@dataclass(frozen=True)
class Listing:
    """The ids a provider served, redacted, in the order served."""

    ids: list[str]
    pages: int
    requests: int


class _KeyAuth(AuthBase):
    """Sets the family's key headers. Being an ``auth``, it also keeps requests from
    replacing them with credentials from ``~/.netrc``."""

    def __init__(self, target: Target) -> None:
        self.headers = auth_headers(target.family, target.key)

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers.update(self.headers)
        return request


class _Session(requests.Session):
    """A session that never follows a redirect (nor reads its body to prepare one)."""

    def get_redirect_target(self, resp: requests.Response) -> str | None:
        return None


class _Fetcher:
    def __init__(
        self,
        target: Target,
        settings: Settings,
        redact: Redactor,
        deadline: Deadline,
        budget: Budget,
    ) -> None:
        self.target = target
        self.settings = settings
        self.redact = redact
        self.deadline = deadline
        self.budget = budget
        self.requests = 0
        self.session = _Session()
        self.session.mount("http://", DeadlineAdapter(deadline))
        self.session.mount("https://", DeadlineAdapter(deadline))
        self.session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})
        self.session.auth = _KeyAuth(target)

    def remaining(self) -> float:
        left = self.deadline.remaining()
        if left <= 0 or self.deadline.expired:
            raise deadline_failure(self.settings)
        return left

    def get_json(self, params: dict[str, str]) -> Any:
        """One page: the decoded JSON of a 200 answer, retrying 429 and 5xx."""
        for attempt in range(self.settings.retries + 1):
            status, body, retry_after = self._request(params)
            if status not in RETRY_STATUSES:
                return self._interpret(status, body)
            wait = self._wait(attempt, retry_after)
            if attempt == self.settings.retries or wait >= self.deadline.remaining():
                break
            log.info("%s: HTTP %d, retrying in %.1f s", self.target.provider, status, wait)
            time.sleep(wait)
        raise ListFailure(
            Problem.HTTP_ERROR,
            f"HTTP {status}{self._code(body)} after {attempt + 1} attempt(s)",
        )

    def _request(self, params: dict[str, str]) -> tuple[int, Any, str | None]:
        """One request: its status, its decoded JSON when 200 (else the body) and its
        ``Retry-After``."""
        left = self.remaining()
        timeout = (min(self.settings.connect_timeout, left), min(self.settings.read_timeout, left))
        self.requests += 1
        # Each value redacted as sent, before any formatting; the URL as configured.
        shown = " ".join(f"{k}={self.redact(v)}" for k, v in params.items())
        log.debug("%s: GET %s %s", self.target.provider, self.target.endpoint, shown)
        try:
            response = self.session.get(
                self.target.models_url,
                params=params,
                timeout=timeout,
                allow_redirects=False,
                stream=True,
            )
        except requests.RequestException as exc:
            raise self._failure(exc) from None
        with response:
            if 300 <= response.status_code < 400:
                raise self._redirect(response)
            ticket = self.budget.open()
            try:
                body = self._read(response, ticket)
                log.debug(
                    "%s: HTTP %d, %d bytes", self.target.provider, response.status_code, len(body)
                )
                if response.status_code == 200:
                    return 200, self._decode(body), None
                return response.status_code, bytes(body), response.headers.get("Retry-After")
            finally:
                self.budget.close(ticket)

    def _read(self, response: requests.Response, ticket: int) -> bytearray:
        limit = self.settings.max_response_bytes
        body = bytearray()
        try:
            for chunk in response.iter_content(64 * 1024):
                if len(body) + len(chunk) > limit:
                    raise ListFailure(
                        Problem.TOO_LARGE,
                        f"answer larger than {limit:,} bytes (modelsync.max_response_bytes)",
                    )
                while not self.budget.take(ticket, len(chunk), self.remaining()):
                    pass  # remaining() raises once the deadline has passed
                body += chunk
        except requests.RequestException as exc:
            raise self._failure(exc) from None
        self.remaining()  # the watchdog ended a body without a length
        return body

    def _decode(self, body: bytearray) -> Any:
        try:
            return decode_json(body)
        except TooMany as exc:
            raise ListFailure(Problem.TOO_LARGE, str(exc)) from None
        except ValueError:
            raise ListFailure(Problem.MALFORMED_RESPONSE, "the answer is not JSON") from None

    def _failure(self, exc: requests.RequestException) -> ListFailure:
        self.remaining()  # any failure after the deadline passed is the deadline
        return _failure(exc)

    def _redirect(self, response: requests.Response) -> ListFailure:
        # Redacted as sent, then cut to scheme and host as written (never lowercased:
        # a key in the host would no longer look like itself).
        location = _SCHEME_HOST.match(self.redact(response.headers.get("Location", "")))
        where = f"{location[1]}://{location[2][:100]}" if location and location[2] else "elsewhere"
        return ListFailure(
            Problem.REDIRECT_REFUSED,
            f"HTTP {response.status_code} redirect to {where} not followed "
            "(the key goes only to the configured base URL)",
        )

    def _wait(self, attempt: int, retry_after: str | None) -> float:
        cap = self.settings.retry_after_max
        given = _retry_after_seconds(retry_after)
        return min(cap, given if given is not None else 0.5 * 2**attempt)

    def _code(self, body: bytes) -> str:
        try:
            code = error_code(decode_json(bytearray(body)))
        except ValueError:  # not JSON, or too many objects
            return ""
        return f" {code}" if code and not self.redact.holds_key(code) else ""

    def _interpret(self, status: int, body: Any) -> Any:
        if status == 200:
            return body  # decoded by _request
        code = self._code(body)
        if key_rejected(status, code.strip() or None):
            raise ListFailure(
                Problem.KEY_REJECTED,
                f"key rejected: {self.target.key_variable} (HTTP {status}{code})",
            )
        raise ListFailure(Problem.HTTP_ERROR, f"HTTP {status}{code}")


def deadline_failure(settings: Settings) -> ListFailure:
    return ListFailure(
        Problem.DEADLINE,
        f"no complete answer within live_deadline ({settings.live_deadline:g} s)",
    )


def list_models(
    target: Target, settings: Settings, redact: Redactor, deadline: Deadline, budget: Budget
) -> Listing:
    """Every id the provider serves to ``target.key``, all pages, redacted, by the end
    of ``deadline`` (entered here), holding answers within ``budget``."""
    fetcher = _Fetcher(target, settings, redact, deadline, budget)
    try:
        with deadline:
            return _pages(fetcher)
    except ListFailure as exc:
        exc.requests = fetcher.requests
        raise
    finally:
        fetcher.session.close()


def _pages(fetcher: _Fetcher) -> Listing:
    target, redact = fetcher.target, fetcher.redact
    params = first_params(target.family)
    ids: list[str] = []
    asked: set[tuple[tuple[str, str], ...]] = set()
    for pages in range(1, MAX_PAGES + 1):
        doc = fetcher.get_json(params)
        try:
            page = parse(target.family, doc)
        except MalformedResponse as exc:
            raise ListFailure(
                Problem.MALFORMED_RESPONSE, f"not a {target.family.value} model list: {exc}"
            ) from None
        if len(ids) + len(page.ids) > MAX_SERVED_IDS:
            raise ListFailure(Problem.TOO_LARGE, f"more than {MAX_SERVED_IDS:,} models served")
        ids.extend(redact(i) for i in page.ids)
        if page.next_params is None:
            return Listing(ids, pages, fetcher.requests)
        cursor = tuple(sorted(page.next_params.items()))
        if cursor in asked:
            raise ListFailure(Problem.MALFORMED_RESPONSE, "pagination does not advance")
        asked.add(cursor)
        for name, value in page.next_params.items():
            if not plain_token(value) or redact.holds_key(value):
                raise ListFailure(
                    Problem.MALFORMED_RESPONSE,
                    f"the next-page cursor ({name}) is not a plain token; not sent back",
                )
        params = {**first_params(target.family), **page.next_params}
    raise ListFailure(Problem.MALFORMED_RESPONSE, f"more than {MAX_PAGES} pages")


def _retry_after_seconds(value: str | None) -> float | None:
    """``Retry-After`` in seconds: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _failure(exc: requests.RequestException) -> ListFailure:
    if isinstance(exc, requests.ConnectTimeout):
        return ListFailure(Problem.TIMEOUT, "timed out connecting")
    if isinstance(exc, requests.ReadTimeout):
        return ListFailure(Problem.TIMEOUT, "timed out waiting for the answer")
    text = str(exc).lower()
    if "read timed out" in text or "timed out" in text:
        return ListFailure(Problem.TIMEOUT, "timed out waiting for the answer")
    if "connection refused" in text:
        return ListFailure(Problem.UNREACHABLE, "connection refused")
    if any(
        s in text for s in ("name or service not known", "failed to resolve", "name resolution")
    ):
        return ListFailure(Problem.UNREACHABLE, "cannot resolve the host name")
    if "certificate" in text or "ssl" in text:
        return ListFailure(Problem.UNREACHABLE, "TLS error (certificate or handshake)")
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return ListFailure(Problem.UNREACHABLE, "the connection broke while reading the answer")
    if isinstance(exc, requests.ConnectionError):
        return ListFailure(Problem.UNREACHABLE, "cannot connect")
    return ListFailure(Problem.UNREACHABLE, type(exc).__name__)
