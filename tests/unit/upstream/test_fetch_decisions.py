"""The decisions of the fetch: which sources are files and which URLs, which are refused
and with what line, when a cached catalog is still fresh, and when a host name that
does not resolve settles the question without a request.

Found unchecked by mutation testing (``python mutation/run.py upstream.fetch``).
"""

from __future__ import annotations

import gzip
import json
import logging
from pathlib import Path
from typing import Any

import pytest

import modelsync
from modelsync.settings import Settings
from modelsync.upstream.fetch import is_fresh, unresolvable

from ...edgecases import catalog, model
from ...httpserver import CatalogServer, Reply

PROXIES = ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy")
INVALID = "https://modelsync-test.invalid/api.json"


def data(price: float = 1.0) -> bytes:
    return json.dumps(catalog(m_a=model(price))).encode()


def sync(settings: Settings, **kw: Any) -> modelsync.SyncReport:
    return modelsync.sync_to_configs(settings=settings, **kw)


@pytest.fixture
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in PROXIES:
        monkeypatch.delenv(var, raising=False)


# --- which source is what ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (
            "ftp://example.com/api.json",
            "source 'ftp://example.com/api.json': unsupported scheme 'ftp' "
            "(use https://, http:// or a path)",
        ),
        (
            "FTP://example.com/api.json",
            "source 'FTP://example.com/api.json': unsupported scheme 'ftp' "
            "(use https://, http:// or a path)",
        ),
        ("https:///api.json", "source 'https:///api.json' has no host"),
        ("http://:8080/api.json", "source 'http://:8080/api.json' has no host"),
        (
            "file://fileserver/srv/api.json",
            "source 'file://fileserver/srv/api.json': a file URL on host 'fileserver' is not "
            "a local file (use file:///path or file://localhost/path)",
        ),
    ],
)
def test_a_source_that_is_neither_a_path_nor_a_web_url_is_refused_in_one_line(
    settings: Settings, source: str, message: str
) -> None:
    with pytest.raises(modelsync.FetchError) as err:
        sync(settings, source=source)
    assert str(err.value) == message
    assert list(settings.config_path.glob("*.yml")) == []


@pytest.mark.parametrize("prefix", ["file://", "FILE://", "file://localhost", "file://LocalHost"])
def test_a_file_url_names_a_local_file_with_its_escapes_undone(
    settings: Settings, tmp_path: Path, prefix: str
) -> None:
    path = tmp_path / "a dir" / "api.json"
    path.parent.mkdir()
    path.write_bytes(data())
    url = prefix + str(path).replace(" ", "%20")
    report = sync(settings, source=url)
    assert report.source.origin == "file"
    assert report.source.source == str(path)
    assert (settings.config_path / "p.yml").exists()


def test_a_path_with_a_colon_but_no_scheme_is_a_file(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "api:2026.json"
    path.write_bytes(data())
    report = sync(settings, source=str(path))
    assert (report.source.origin, report.source.source) == ("file", str(path))


def test_a_gzipped_file_is_inflated_and_a_plain_one_is_not(
    settings: Settings, tmp_path: Path
) -> None:
    packed = tmp_path / "api.json.gz"
    packed.write_bytes(gzip.compress(data(2.0)))
    assert sync(settings, source=str(packed)).ok
    # A file that only looks gzipped by its content, not its name, is read as it is.
    plain = tmp_path / "api.json"
    plain.write_bytes(gzip.compress(data(3.0)))
    with pytest.raises(modelsync.CatalogError):
        sync(settings, source=str(plain))


@pytest.mark.parametrize("scheme", ["https", "HTTPS", "Http", "http"])
def test_web_urls_of_any_case_are_fetched(
    server: CatalogServer, settings: Settings, scheme: str
) -> None:
    url = server.serve("/api.json", Reply(data()))
    named = scheme + url[len("http") :]
    if scheme.lower() == "https":  # the loopback server speaks plain http: a TLS error
        with pytest.raises(modelsync.FetchError) as err:
            sync(settings.replace(retries=0), source=named)
        assert "unsupported scheme" not in str(err.value)
        return
    report = sync(settings, source=named)
    assert report.source.origin == "network"
    assert len(server.hits()) == 1


@pytest.mark.parametrize(
    ("url", "warned"),
    [
        ("http://127.0.0.1:{port}/api.json", False),
        ("http://127.0.0.5:{port}/api.json", False),
        ("http://localhost:{port}/api.json", False),
        ("http://[::1]:{port}/api.json", False),
        ("http://example.invalid/api.json", True),
        ("http://localhost.invalid/api.json", True),
        ("http://10.0.0.1:{port}/api.json", True),
        ("https://example.invalid/api.json", False),
    ],
)
def test_plain_http_is_a_warning_unless_the_host_is_loopback(
    settings: Settings, caplog: pytest.LogCaptureFixture, url: str, warned: bool
) -> None:
    """The source is named, so its failure (nothing listens there) is the sync's: the
    bundled snapshot is not read."""
    named = url.format(port=9)
    s = settings.replace(retries=0, connect_timeout=1, api_url="https://other.invalid/x.json")
    with (
        caplog.at_level(logging.WARNING, logger="modelsync"),
        pytest.raises(modelsync.FetchError, match="no cached copy"),
    ):
        sync(s, source=named)
    plain = f"source {named} is plain http: the catalog can be altered in transit"
    assert (plain in caplog.messages) is warned


# --- fresh or not ---------------------------------------------------------------------------


def test_a_cached_catalog_is_fresh_until_it_expires_but_never_beyond_the_ttl() -> None:
    now = 1_000_000.0
    assert is_fresh(now + 10, 60, now)
    assert is_fresh(now + 60, 60, now), "expiring exactly ttl from now: still fresh"
    assert not is_fresh(now + 61, 60, now), "stored under a longer ttl: revalidated"
    assert not is_fresh(now, 60, now), "expiring now: stale"
    assert not is_fresh(now - 1, 60, now)
    assert not is_fresh(None, 60, now), "no expiry known: stale"
    assert not is_fresh(now + 1, 0, now), "cache_ttl 0: always revalidated"


# --- a host name that does not resolve ------------------------------------------------------


def test_a_name_that_does_not_resolve_is_known_without_a_request(
    settings: Settings, no_proxy: None
) -> None:
    assert unresolvable(INVALID, settings) == f"{INVALID}: cannot resolve the host name"
    assert unresolvable("https://127.0.0.1/api.json", settings) is None
    assert unresolvable("https://localhost/api.json", settings) is None


@pytest.mark.parametrize("var", PROXIES)
def test_with_any_proxy_the_name_is_left_to_the_proxy(
    settings: Settings, no_proxy: None, monkeypatch: pytest.MonkeyPatch, var: str
) -> None:
    monkeypatch.setenv(var, "http://127.0.0.1:9")
    assert unresolvable(INVALID, settings) is None


def test_an_empty_proxy_variable_is_no_proxy(
    settings: Settings, no_proxy: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    for var in PROXIES:
        monkeypatch.setenv(var, "")
    assert unresolvable(INVALID, settings) == f"{INVALID}: cannot resolve the host name"


def test_with_an_http_cache_the_name_is_not_looked_up(settings: Settings, no_proxy: None) -> None:
    settings.http_cache_path.parent.mkdir(parents=True)
    settings.http_cache_path.write_bytes(b"")
    assert unresolvable(INVALID, settings) is None


def test_a_name_that_cannot_be_a_host_name_is_left_to_the_request(
    settings: Settings, no_proxy: None
) -> None:
    too_long = "https://" + "a" * 64 + ".invalid/api.json"
    assert unresolvable(too_long, settings) is None
    assert unresolvable("https:///api.json", settings) is None


def test_a_named_source_that_does_not_resolve_fails_at_once_without_a_request(
    settings: Settings, no_proxy: None
) -> None:
    with pytest.raises(modelsync.FetchError) as err:
        sync(settings.replace(api_url="https://other.invalid/x.json"), source=INVALID)
    assert str(err.value).startswith(f"{INVALID}: cannot resolve the host name; no cached copy")
    assert not settings.http_cache_path.exists(), "requests was never asked"
