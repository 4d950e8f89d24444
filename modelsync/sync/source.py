"""Which catalog a sync applies, where it came from, and what the fingerprints keep of it.

- A file source is read; if it cannot be, that is the sync's failure.
- A URL goes through the HTTP cache (:func:`modelsync.upstream.fetch.fetch_url`: a fresh cached
  response, else the network, else the cached response of any age, with a warning).
- When all of that fails, the bundled snapshot stands in only for the default source
  (``api_url``) or with ``--offline``. A URL named with ``--source`` (``source=``) is
  never replaced by another catalog: its failure is the sync's failure.
- In one process a URL that failed is not tried again within ``cache_ttl`` seconds: the
  calls that follow go straight to its cached response or to the fallback, and only the
  first says so with a warning.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import FetchError
from ..model.vocab import Origin
from ..report.types import SourceInfo
from ..settings import Settings
from ..upstream.fetch import (
    Fetched,
    bundled_date,
    bundled_signature,
    classify,
    fetch_url,
    is_fresh,
    read_bundled,
    read_file,
    unresolvable,
)
from ..util.fsutil import file_signature
from .state import State

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Failure:
    until: float
    reason: str


#: URLs that failed in this process: (url, HTTP cache path) -> until when to not retry.
_failures: dict[tuple[str, str], _Failure] = {}


def _failing(url: str, settings: Settings) -> _Failure | None:
    key = (url, str(settings.http_cache_path))
    failure = _failures.get(key)
    if failure is not None and failure.until <= time.monotonic():
        del _failures[key]
        return None
    return failure


def _remember(url: str, settings: Settings, reason: str) -> None:
    if settings.cache_ttl > 0:
        until = time.monotonic() + settings.cache_ttl
        _failures[(url, str(settings.http_cache_path))] = _Failure(until, reason)


def location(settings: Settings) -> tuple[str, str]:
    """``("url", url)`` or ``("file", path)`` of the configured source."""
    return classify(settings.source or settings.api_url)


def may_use_bundled(settings: Settings) -> bool:
    """The bundled snapshot may stand in for the default source, or with ``--offline``."""
    return settings.offline or settings.source in (None, settings.api_url)


def obtain(settings: Settings) -> Fetched:
    """The catalog from the configured source, with the documented fallbacks."""
    kind, where = location(settings)
    if kind == "file":
        return read_file(where, settings)
    failed = None if settings.offline else _failing(where, settings)
    if failed is not None:
        log.debug("%s (earlier in this process); not tried again within cache_ttl", failed.reason)
    try:
        fetched = fetch_url(where, settings, offline=settings.offline or failed is not None)
    except FetchError as exc:
        reason = failed.reason if failed is not None else str(exc)
        if failed is None and not settings.offline:
            _remember(where, settings, reason)
        if not may_use_bundled(settings):
            raise FetchError(
                f"{reason}; no cached copy of {where} to fall back on (a named source is "
                "never replaced by another catalog)"
            ) from None
        bundled = read_bundled()
        (log.debug if failed is not None else log.warning)(
            "%s; using the bundled snapshot of %s", reason, bundled.snapshot_date
        )
        return bundled
    if fetched.failure is not None:
        _remember(where, settings, fetched.failure)
    return fetched


# --- what the fingerprints keep ------------------------------------------------------


def record(settings: Settings, fetched: Fetched, newest: str | None) -> dict[str, Any]:
    """What the sync state keeps of the catalog's origin (see :func:`quick_sha`)."""
    common = {"sha256": fetched.sha256, "newest": newest}
    if fetched.origin == Origin.FILE:
        return {
            "kind": "file",
            "path": os.path.realpath(fetched.source),
            "signature": file_signature(Path(fetched.source)),
            **common,
        }
    _, where = location(settings)
    if fetched.origin == Origin.BUNDLED:
        return {
            "kind": "bundled",
            "url": where,
            "bundled": bundled_signature(),
            "snapshot_date": fetched.snapshot_date,
            "cache": file_signature(settings.http_cache_path),
            **common,
        }
    return {
        "kind": "url",
        "url": fetched.source,
        "cache": file_signature(settings.http_cache_path),
        "fetched_at": fetched.fetched_at,
        "expires_at": fetched.expires_at,
        **common,
    }


def quick_sha(settings: Settings, state: State) -> str | None:
    """The catalog's digest when it is knowable without parsing it or importing requests.

    - a file: unchanged since the last sync read it;
    - a URL: the last sync took it from the HTTP cache, the cache database is unchanged
      since, and the response is still fresh (any age offline, or while the URL is
      known to fail in this process);
    - the bundled snapshot: the same snapshot, the HTTP cache unchanged since it held no
      catalog for the URL, and offline (or the URL's host name still does not resolve,
      which is all the full path would try).
    """
    recorded = state.source
    kind, where = location(settings)
    sha = recorded.get("sha256")
    if not isinstance(sha, str):
        return None
    if kind == "file":
        sig = file_signature(Path(where))
        if (
            sig is not None
            and recorded.get("kind") == "file"
            and recorded.get("path") == os.path.realpath(where)
            and recorded.get("signature") == sig
        ):
            return sha
        return None
    if recorded.get("url") != where:
        return None
    if recorded.get("cache") != file_signature(settings.http_cache_path):
        return None
    offline = settings.offline or _failing(where, settings) is not None
    if recorded.get("kind") == "bundled":
        if recorded.get("bundled") != bundled_signature():
            return None
        if offline:
            return sha
        reason = unresolvable(where, settings)
        if reason is None or not may_use_bundled(settings):
            return None
        _remember(where, settings, reason)
        log.warning("%s; using the bundled snapshot of %s", reason, recorded.get("snapshot_date"))
        return sha
    if recorded.get("kind") != "url":
        return None
    expires_at = recorded.get("expires_at")
    if not offline and not is_fresh(float(expires_at) if expires_at else None, settings.cache_ttl):
        return None
    return sha


def info(fetched: Fetched, newest: str | None) -> SourceInfo:
    return SourceInfo(
        fetched.origin, fetched.source, fetched.age, fetched.snapshot_date, fetched.sha256, newest
    )


def recorded_info(settings: Settings, state: State) -> SourceInfo:
    """The :class:`SourceInfo` the full path would give, from what :func:`record` kept
    (valid when :func:`quick_sha` answered)."""
    recorded = state.source
    kind, where = location(settings)
    sha = recorded.get("sha256")
    newest = recorded.get("newest")
    newest = newest if isinstance(newest, str) else None
    if recorded.get("kind") == "bundled":
        date = recorded.get("snapshot_date") or bundled_date()
        return SourceInfo(Origin.BUNDLED, f"bundled snapshot {date}", None, date, sha, newest)
    if kind == "file":
        return SourceInfo(Origin.FILE, where, None, None, sha, newest)
    expires_at = recorded.get("expires_at")
    fresh = is_fresh(float(expires_at) if expires_at else None, settings.cache_ttl)
    fetched_at = recorded.get("fetched_at")
    age = max(0.0, time.time() - float(fetched_at)) if fetched_at else None
    return SourceInfo(Origin.CACHE if fresh else Origin.STALE_CACHE, where, age, None, sha, newest)
