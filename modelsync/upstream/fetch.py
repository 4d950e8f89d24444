"""Getting the catalog: from a URL through the HTTP cache, from a file, or the snapshot
bundled in the package.

Fallback order for a URL (documented in the README):

1. a fresh cached response (younger than ``cache_ttl``): no request at all;
2. the network (a conditional request when the cache holds an expired response);
3. on any failure (network, HTTP status, a body that is not a catalog): the cached
   response, however old, with a warning naming the cache and its age;
4. if there is none: :class:`~modelsync.errors.FetchError`, after which the bundled
   snapshot may stand in, for the default source only (see :mod:`modelsync.sync.source`).

``--offline`` skips step 2 (and, when there is no HTTP cache at all, does not even
import requests). Without an HTTP cache and without a proxy, a host name that does not
resolve fails before requests is imported: a machine without network reaches the
fallback at the cost of one name lookup.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timezone
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from ..errors import CatalogError, FetchError
from ..model.vocab import Origin
from ..settings import Settings
from ..util.humanize import human_age

log = logging.getLogger(__name__)

BUNDLED_PREFIX = "models-dev-"

#: Checks a download and decodes it: ``parse(body, origin)``, raising
#: :class:`~modelsync.errors.CatalogError` when it is not the expected document. The
#: catalog's is :func:`modelsync.model.catalog.parse_catalog`; the audit's price sources bring
#: their own, and go through the same cache, deadline, size bound and offline rules.
Parser = Callable[[bytes, str], dict[str, Any]]


def _catalog_parser() -> Parser:
    from ..model.catalog import parse_catalog

    return parse_catalog


@dataclass
class Fetched:
    """A catalog download and where it came from."""

    body: bytes
    origin: Origin
    source: str
    catalog: dict[str, Any] = field(repr=False, default_factory=dict)
    fetched_at: float | None = None
    expires_at: float | None = None
    snapshot_date: str | None = None
    #: why the network failed, when a cached response stands in (origin ``stale-cache``)
    failure: str | None = None

    def __post_init__(self) -> None:
        self.origin = Origin(self.origin)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.body).hexdigest()

    @property
    def age(self) -> float | None:
        return None if self.fetched_at is None else max(0.0, time.time() - self.fetched_at)


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def classify(source: str) -> tuple[str, str]:
    """``("url", url)`` or ``("file", path)``; raise :class:`FetchError` for other schemes."""
    if "://" not in source:
        return "file", source
    parts = urlsplit(source)
    scheme = parts.scheme.lower()
    if scheme == "file":
        if parts.netloc.lower() not in ("", "localhost"):
            raise FetchError(
                f"source {source!r}: a file URL on host {parts.netloc!r} is not a local file "
                "(use file:///path or file://localhost/path)"
            )
        return "file", unquote(parts.path)
    if scheme in ("http", "https"):
        if not parts.hostname:
            raise FetchError(f"source {source!r} has no host")
        if scheme == "http" and not is_loopback(source):
            log.warning("source %s is plain http: the catalog can be altered in transit", source)
        return "url", source
    raise FetchError(
        f"source {source!r}: unsupported scheme {parts.scheme!r} (use https://, http:// or a path)"
    )


def _timestamp(moment: Any) -> float | None:
    """Seconds since the epoch of a requests-cache datetime (naive ones are UTC)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return float(moment.timestamp())


def is_fresh(expires_at: float | None, ttl: float, now: float | None = None) -> bool:
    """Whether a cached catalog may be used without asking the server.

    Fresh until the cache's own expiry, but never further ahead than ``ttl`` from now: a
    response stored under a longer ``cache_ttl`` is revalidated once the setting is
    lowered (``cache_ttl: 0`` revalidates every time).
    """
    now = time.time() if now is None else now
    return expires_at is not None and now < expires_at <= now + ttl


def read_file(path: str, settings: Settings, parse: Parser | None = None) -> Fetched:
    """A catalog from a local path: a file, or a pipe such as ``/dev/stdin``, read within
    ``max_response_bytes`` and ``fetch_deadline``; ``.gz`` is inflated within the limit."""
    from ..util.fsutil import read_bounded

    body = read_bounded(path, settings.max_response_bytes, settings.fetch_deadline)
    if path.endswith(".gz"):
        body = _gunzip(body, path, settings.max_response_bytes)
    return Fetched(body, Origin.FILE, path, (parse or _catalog_parser())(body, path))


def _gunzip(body: bytes, origin: str, limit: int) -> bytes:
    """Inflate every member of a gzip file (``cat a.gz b.gz`` reads as ``zcat`` does),
    refusing output past ``limit``."""
    import zlib

    out = bytearray()
    rest = body
    while rest.strip(b"\0"):  # zero padding after the last member is allowed
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            out += inflater.decompress(rest, limit + 1 - len(out))
        except zlib.error as exc:
            raise CatalogError(f"{origin}: not valid gzip: {exc}") from None
        if len(out) > limit or inflater.unconsumed_tail:
            raise FetchError(f"{origin}: inflates past the limit of {limit:,} bytes")
        if not inflater.eof:
            break  # truncated: the JSON parser says what is missing
        rest = inflater.unused_data
    return bytes(out)


def bundled_path() -> Path:
    """The newest catalog snapshot shipped inside the package."""
    from importlib import resources

    data = resources.files("modelsync") / "data"
    names = sorted(
        p.name
        for p in data.iterdir()
        if p.name.startswith(BUNDLED_PREFIX) and p.name.endswith(".json.gz")
    )
    if not names:
        raise FetchError("the bundled catalog snapshot is missing from this installation")
    return Path(str(data / names[-1]))


def bundled_date() -> str:
    return bundled_path().name[len(BUNDLED_PREFIX) : -len(".json.gz")]


def bundled_signature() -> list[Any]:
    """Which bundled snapshot this is, cheaply: its name, inode, size and mtime."""
    path = bundled_path()
    try:
        st = path.stat()
    except OSError:
        return [path.name]
    return [path.name, st.st_ino, st.st_size, st.st_mtime_ns]


def read_bundled() -> Fetched:
    import gzip

    from ..model.catalog import parse_catalog

    path = bundled_path()
    body = gzip.decompress(path.read_bytes())
    date = bundled_date()
    return Fetched(
        body,
        Origin.BUNDLED,
        f"bundled snapshot {date}",
        parse_catalog(body, str(path)),
        snapshot_date=date,
    )


_PROXY_VARIABLES = ("https_proxy", "http_proxy", "all_proxy")


def unresolvable(url: str, settings: Settings) -> str | None:
    """Why ``url`` cannot be fetched, if that is knowable without importing requests: its
    host name does not resolve. Checked only when nothing else could answer (no HTTP
    cache to fall back on, no proxy to resolve the name)."""
    import socket

    if settings.http_cache_path.exists():
        return None
    if any(os.environ.get(v) or os.environ.get(v.upper()) for v in _PROXY_VARIABLES):
        return None
    host = urlsplit(url).hostname
    if not host:
        return None
    try:
        socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except socket.gaierror:
        return f"{url}: cannot resolve the host name"
    except (OSError, UnicodeError):
        return None
    return None


def fetch_url(
    url: str, settings: Settings, *, offline: bool = False, parse: Parser | None = None
) -> Fetched:
    """The catalog at ``url`` through the HTTP cache (see the module docstring); another
    document with ``parse``."""
    import sqlite3

    if offline and not settings.http_cache_path.exists():
        raise FetchError(
            f"offline, and the HTTP cache {settings.http_cache_path} holds no catalog for {url}"
        )
    if not offline:
        reason = unresolvable(url, settings)
        if reason is not None:
            raise FetchError(reason)
    from . import http

    parser = parse or _catalog_parser()
    try:
        return _fetch_url(url, settings, offline=offline, parse=parser)
    except sqlite3.DatabaseError as exc:
        http.discard_cache(settings.http_cache_path, exc)
        return _fetch_url(url, settings, offline=offline, parse=parser)


def _cached(response: Any, origin: Origin, url: str, parse: Parser) -> Fetched:
    body = response.content
    created = _timestamp(response.created_at)
    expires = _timestamp(response.expires)
    return Fetched(body, origin, url, parse(body, f"cached {url}"), created, expires)


def _fetch_url(url: str, settings: Settings, *, offline: bool, parse: Parser) -> Fetched:
    """The fallback order of the module docstring, steps 1 to 3, through one session."""
    import requests

    from . import http

    with http.open_session(settings) as session:
        key = session.cache.create_key(session.prepare_request(requests.Request("GET", url)))
        previous, good = _last_good(session, key, url, settings, parse)
        if good is not None:
            fresh = is_fresh(good.expires_at, settings.cache_ttl)
            if offline or fresh:
                if not fresh:
                    good.origin = Origin.STALE_CACHE
                return good
        if offline:
            raise FetchError(
                f"offline, and the HTTP cache {settings.http_cache_path} holds no catalog for {url}"
            )
        try:
            return _download(session, url, settings, good, parse)
        except (requests.RequestException, FetchError) as exc:
            reason = (
                exc if isinstance(exc, FetchError) else FetchError(f"{url}: {http.describe(exc)}")
            )
            if previous is None or good is None:
                session.cache.delete(key)
                raise reason from None
            # Whatever the failed request stored must not replace the last good response.
            session.cache.save_response(previous, key, previous.expires)
            log.warning(
                "%s; using the cached catalog from %s (fetched %s ago)",
                reason,
                settings.http_cache_path,
                human_age(good.age or 0.0),
            )
            good.origin = Origin.STALE_CACHE
            good.failure = str(reason)
            return good


def _last_good(
    session: Any, key: str, url: str, settings: Settings, parse: Parser
) -> tuple[Any, Fetched | None]:
    """The cached response for ``url`` and the catalog in it, or ``(None, None)``; a
    cached body that is not a catalog is deleted."""
    previous = session.cache.get_response(key)
    if previous is None:
        return None, None
    try:
        good = _cached(previous, Origin.CACHE, url, parse)
    except CatalogError as exc:
        log.warning("discarding a cached response that is not a catalog: %s", exc)
        session.cache.delete(key)
        return None, None
    log.debug(
        "HTTP cache %s holds %s, expiring %s",
        settings.http_cache_path,
        url,
        time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(good.expires_at or 0)),
    )
    return previous, good


def _download(
    session: Any, url: str, settings: Settings, good: Fetched | None, parse: Parser
) -> Fetched:
    """Ask the server (a conditional request when the cache holds ``good``); a 304 gives
    back ``good``'s body, which is not parsed again."""
    # refresh: revalidate even if the cache's own expiry (set under an older, longer
    # cache_ttl) says the response is still fresh.
    with session.deadline:
        response = session.get(
            url,
            timeout=(settings.connect_timeout, settings.read_timeout),
            refresh=good is not None,
        )
    if response.status_code != 200:
        raise FetchError(f"{url}: HTTP {response.status_code} {response.reason or ''}".strip())
    revalidated = bool(getattr(response, "from_cache", False))
    body = response.content
    same = good is not None and body == good.body
    fetched = Fetched(
        body,
        Origin.REVALIDATED if revalidated else Origin.NETWORK,
        url,
        good.catalog if same and good is not None else parse(body, url),
    )
    if revalidated:
        fetched.fetched_at = _timestamp(response.created_at)
        fetched.expires_at = _timestamp(response.expires)
    else:
        fetched.fetched_at = time.time()
        fetched.expires_at = _timestamp(getattr(response, "expires", None)) or (
            fetched.fetched_at + settings.cache_ttl
        )
    return fetched
