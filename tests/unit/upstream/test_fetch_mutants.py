"""What the fetch gives back, refuses and says: gzip files at and past the size limit,
the last good copy kept through a failed request, the age and failure it is served
with, a cache that cannot be read, and the snapshot bundled in the package.

Found unchecked by mutation testing (``python mutation/run.py upstream.fetch``).
"""

from __future__ import annotations

import datetime
import gzip
import json
import logging
import shutil
import sqlite3
import subprocess
import sys
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

import modelsync
from modelsync.settings import Settings
from modelsync.upstream import http
from modelsync.upstream.fetch import (
    Fetched,
    bundled_path,
    classify,
    fetch_url,
    is_fresh,
    read_bundled,
    read_file,
)

from ...edgecases import catalog, model
from ...httpserver import CatalogServer, Reply

UTC = datetime.timezone.utc


def data(price: float = 1.0) -> bytes:
    return json.dumps(catalog(m_a=model(price))).encode()


def prices(fetched: Fetched) -> float:
    return float(fetched.catalog["p"]["models"]["m-a"]["cost"]["input"])


@pytest.fixture
def s(settings: Settings) -> Settings:
    """No retries: each request the server sees is one the fetch chose to send."""
    return settings.replace(retries=0)


def rewrite_cached(settings: Settings, url: str, **changes: Any) -> None:
    """Change the cached response for ``url`` as an older run (or a clock set otherwise)
    would have left it, through requests-cache itself."""
    with http.open_session(settings) as session:
        key = session.cache.create_key(session.prepare_request(requests.Request("GET", url)))
        cached = session.cache.get_response(key)
        assert cached is not None
        for name, value in changes.items():
            setattr(cached, name, value)
        session.cache.save_response(cached, key, cached.expires)


def warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


# --- gzip files: the limit, several members, padding, what is not gzip ----------------------


def gz_file(tmp_path: Path, body: bytes, name: str = "api.json.gz") -> str:
    path = tmp_path / name
    path.write_bytes(body)
    return str(path)


def test_a_gzip_file_inflating_to_exactly_the_limit_is_read_one_byte_more_is_refused(
    s: Settings, tmp_path: Path
) -> None:
    limit = 4096
    exact = data() + b" " * (4096 - len(data()))
    at_limit = gz_file(tmp_path, gzip.compress(exact))
    assert prices(read_file(at_limit, s.replace(max_response_bytes=limit))) == 1.0
    over = gz_file(tmp_path, gzip.compress(exact + b" "), "over.json.gz")
    with pytest.raises(modelsync.FetchError) as err:
        read_file(over, s.replace(max_response_bytes=limit))
    assert str(err.value) == f"{over}: inflates past the limit of 4,096 bytes"


def test_a_gzip_file_of_several_members_reads_as_zcat_does(s: Settings, tmp_path: Path) -> None:
    whole = data(7.0)
    half = len(whole) // 2
    path = gz_file(tmp_path, gzip.compress(whole[:half]) + gzip.compress(whole[half:]))
    fetched = read_file(path, s)
    assert prices(fetched) == 7.0
    assert fetched.body == whole


def test_zero_padding_after_the_last_member_is_allowed_other_trailing_bytes_are_not(
    s: Settings, tmp_path: Path
) -> None:
    padded = gz_file(tmp_path, gzip.compress(data(3.0)) + b"\0" * 512)
    assert prices(read_file(padded, s)) == 3.0
    trailing = gz_file(tmp_path, gzip.compress(data(3.0)) + b"XX", "trailing.json.gz")
    with pytest.raises(modelsync.CatalogError) as err:
        read_file(trailing, s)
    assert str(err.value).startswith(f"{trailing}: not valid gzip: ")


def test_a_gz_file_that_is_not_gzip_is_refused_naming_the_file(s: Settings, tmp_path: Path) -> None:
    for name, body in [
        ("plain.json.gz", data()),
        ("zlib.json.gz", zlib.compress(data())),  # deflate with a zlib header, not gzip
    ]:
        path = gz_file(tmp_path, body, name)
        with pytest.raises(modelsync.CatalogError) as err:
            read_file(path, s)
        assert str(err.value).startswith(f"{path}: not valid gzip: "), name


def test_a_truncated_gzip_file_is_refused_as_incomplete_json(s: Settings, tmp_path: Path) -> None:
    packed = gzip.compress(data())
    path = gz_file(tmp_path, packed[: len(packed) // 2])
    with pytest.raises(modelsync.CatalogError) as err:
        read_file(path, s)
    assert str(err.value).startswith(f"{path}: not valid JSON: ")


def test_a_file_that_is_not_json_is_refused_naming_the_file(s: Settings, tmp_path: Path) -> None:
    path = tmp_path / "api.json"
    path.write_bytes(b"<html>")
    with pytest.raises(modelsync.CatalogError) as err:
        read_file(str(path), s)
    assert str(err.value).startswith(f"{path}: not valid JSON: ")


def peak_memory(call: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        call()
    except modelsync.FetchError:
        pass
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return peak


LIMIT = 256 * 1024
#: 16 MB of zeros in 16 KB of gzip
BOMB = gzip.compress(bytes(16 * 1024 * 1024), compresslevel=1)


@pytest.mark.parametrize("before", [0, LIMIT - 1], ids=["alone", "after-a-member-near-the-limit"])
def test_a_gzip_bomb_is_refused_without_inflating_it_in_memory(
    s: Settings, tmp_path: Path, before: int
) -> None:
    """Inflated only up to the limit, also when an earlier member already used most of it."""
    first = gzip.compress(b" " * before) if before else b""
    path = gz_file(tmp_path, first + BOMB)
    settings = s.replace(max_response_bytes=LIMIT)
    with pytest.raises(modelsync.FetchError) as err:
        read_file(path, settings)
    assert str(err.value) == f"{path}: inflates past the limit of 262,144 bytes"
    assert peak_memory(lambda: read_file(path, settings)) < 3.5 * LIMIT


# --- sources and the default of fetch_url -------------------------------------------------------


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_a_web_source_is_a_url(scheme: str) -> None:
    url = f"{scheme}://models.example/api.json"
    assert classify(url) == ("url", url)


def test_fetch_url_goes_to_the_network_unless_told_offline(
    server: CatalogServer, s: Settings
) -> None:
    url = server.serve("/api.json", Reply(data()))
    fetched = fetch_url(url, s)
    assert (fetched.origin, prices(fetched)) == ("network", 1.0)
    assert len(server.hits()) == 1


# --- the answers of the server ----------------------------------------------------------------


def test_a_status_without_a_reason_phrase_is_named_by_its_number(
    server: CatalogServer, s: Settings
) -> None:
    url = server.serve("/api.json", Reply(b"", 599))
    with pytest.raises(modelsync.FetchError) as err:
        fetch_url(url, s)
    assert str(err.value) == f"{url}: HTTP 599"


def test_a_server_slower_than_read_timeout_fails_without_waiting_for_it(
    server: CatalogServer, s: Settings
) -> None:
    url = server.serve("/api.json", Reply(data(), delay=3))
    start = time.monotonic()
    with pytest.raises(modelsync.FetchError) as err:
        fetch_url(url, s.replace(read_timeout=0.2, fetch_deadline=30))
    assert str(err.value).startswith(f"{url}: timed out")
    assert time.monotonic() - start < 2.5


def test_a_changed_catalog_replaces_the_cached_one(server: CatalogServer, s: Settings) -> None:
    url = server.serve("/api.json", Reply(data(1.0)), Reply(data(2.0)))
    assert prices(fetch_url(url, s)) == 1.0
    fetched = fetch_url(url, s.replace(cache_ttl=0))
    assert (fetched.origin, prices(fetched)) == ("network", 2.0)


def test_an_unchanged_catalog_is_revalidated_not_parsed_again_and_fresh_for_the_ttl(
    server: CatalogServer, s: Settings
) -> None:
    """A 304 gives back the cached body and the catalog read from it; the catalog is
    dated from its download and fresh for the next ``cache_ttl``."""
    from modelsync.model.catalog import parse_catalog

    parsed: list[str] = []

    def parse(body: bytes, origin: str) -> dict[str, Any]:
        parsed.append(origin)
        return parse_catalog(body, origin)

    url = server.serve("/api.json", Reply(data()))
    first = fetch_url(url, s, parse=parse)
    second = fetch_url(url, s.replace(cache_ttl=60), parse=parse)
    assert second.origin == "revalidated"
    assert parsed == [url, f"cached {url}"]
    assert second.catalog == first.catalog
    assert second.fetched_at is not None and first.fetched_at is not None
    assert abs(second.fetched_at - first.fetched_at) < 1
    assert is_fresh(second.expires_at, 60), "fresh for the ttl given"
    assert not is_fresh(second.expires_at, 60, time.time() + 61)


def test_a_body_that_is_not_a_catalog_is_refused_naming_the_url_and_not_kept(
    server: CatalogServer, s: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    url = server.serve("/api.json", Reply(b"<html>maintenance</html>"))
    with pytest.raises(modelsync.CatalogError) as err:
        fetch_url(url, s)
    assert str(err.value).startswith(f"{url}: not valid JSON: ")
    with (
        caplog.at_level(logging.WARNING, logger="modelsync"),
        pytest.raises(modelsync.FetchError) as offline,
    ):
        fetch_url(url, s, offline=True)
    assert str(offline.value) == (
        f"offline, and the HTTP cache {s.http_cache_path} holds no catalog for {url}"
    )
    assert warnings(caplog) == [], "nothing of the refused body was left to discard"


# --- the last good copy ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fetched_ago", "said"),
    [(datetime.timedelta(hours=2), "2.0 h"), (datetime.timedelta(hours=-1), "0 s")],
    ids=["two-hours-old", "dated-ahead-by-a-clock"],
)
def test_when_the_server_fails_the_last_good_copy_is_served_with_its_age_and_the_failure(
    server: CatalogServer,
    s: Settings,
    caplog: pytest.LogCaptureFixture,
    fetched_ago: datetime.timedelta,
    said: str,
) -> None:
    url = server.serve("/api.json", Reply(data(4.0)), Reply(b"down", 503))
    fetch_url(url, s)
    now = datetime.datetime.now(UTC)
    rewrite_cached(s, url, created_at=now - fetched_ago, expires=now - datetime.timedelta(1))
    with caplog.at_level(logging.WARNING, logger="modelsync"):
        fetched = fetch_url(url, s)
    failure = f"{url}: HTTP 503 Service Unavailable"
    assert (fetched.origin, prices(fetched), fetched.failure) == ("stale-cache", 4.0, failure)
    assert warnings(caplog) == [
        f"{failure}; using the cached catalog from {s.http_cache_path} (fetched {said} ago)"
    ]


def test_a_failed_request_leaves_the_last_good_copy_with_its_expiry(
    server: CatalogServer, s: Settings
) -> None:
    """Fetched under a long ``cache_ttl``, revalidated under a shorter one that fails: under
    the long one again, the copy is still fresh and no request is sent."""
    url = server.serve("/api.json", Reply(data(5.0)), Reply(b"down", 503))
    long, short = s.replace(cache_ttl=3600), s.replace(cache_ttl=10)
    fetch_url(url, long)
    assert fetch_url(url, short).origin == "stale-cache"
    again = fetch_url(url, long)
    assert (again.origin, prices(again)) == ("cache", 5.0)
    assert len(server.hits()) == 2


def test_a_body_that_is_not_a_catalog_does_not_replace_the_last_good_copy(
    server: CatalogServer, s: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    url = server.serve("/api.json", Reply(data(6.0)), Reply(b"<html>maintenance</html>"))
    fetch_url(url, s)
    stale = fetch_url(url, s.replace(cache_ttl=0))
    assert (stale.origin, prices(stale)) == ("stale-cache", 6.0)
    assert stale.failure is not None and stale.failure.startswith(f"{url}: not valid JSON")
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="modelsync"):
        offline = fetch_url(url, s.replace(cache_ttl=0), offline=True)
    assert (offline.origin, prices(offline)) == ("stale-cache", 6.0)
    assert warnings(caplog) == []


def test_a_cached_response_that_is_not_a_catalog_is_discarded_once_saying_why(
    server: CatalogServer, s: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """Cached for another reader of the same URL (the audit's price sources bring their
    own parser), it is no catalog: said once, then gone."""
    url = server.serve("/api.json", Reply(b'{"prices": {}}'))
    fetch_url(url, s, parse=lambda body, origin: dict(json.loads(body)))
    with caplog.at_level(logging.WARNING, logger="modelsync"):
        for _ in range(2):
            with pytest.raises(modelsync.FetchError, match="holds no catalog"):
                fetch_url(url, s, offline=True)
    assert warnings(caplog) == [
        f"discarding a cached response that is not a catalog: cached {url}: not a models.dev "
        "catalog: it has no providers with models"
    ]


def test_a_cached_catalog_is_named_with_its_expiry_at_debug_level(
    server: CatalogServer, s: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    url = server.serve("/api.json", Reply(data()))
    first = fetch_url(url, s)
    with caplog.at_level(logging.DEBUG, logger="modelsync.upstream.fetch"):
        assert fetch_url(url, s).origin == "cache"
    assert first.expires_at is not None
    expiry = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(first.expires_at))
    assert f"HTTP cache {s.http_cache_path} holds {url}, expiring {expiry}" in caplog.messages


@pytest.fixture
def tokyo(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Local time nine hours ahead of UTC (a POSIX zone: no time zone database needed)."""
    monkeypatch.setenv("TZ", "JST-9")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_cache_times_without_a_zone_are_utc_whatever_the_local_zone(
    server: CatalogServer, s: Settings, tokyo: None
) -> None:
    """Older requests-cache releases stored naive UTC datetimes."""
    url = server.serve("/api.json", Reply(data()))
    fetch_url(url, s)
    utc_now = datetime.datetime.now(UTC).replace(tzinfo=None)
    rewrite_cached(
        s,
        url,
        created_at=utc_now - datetime.timedelta(hours=2),
        expires=utc_now + datetime.timedelta(minutes=30),
    )
    fetched = fetch_url(url, s)
    assert fetched.origin == "cache", "still fresh: it expires in 30 minutes"
    assert fetched.age is not None and abs(fetched.age - 7200) < 60


# --- an HTTP cache SQLite can open but requests-cache cannot read ------------------------------


def foreign_cache(settings: Settings) -> None:
    """A valid SQLite database whose table has another shape (another tool's, or an old
    one): ``quick_check`` passes, reading a response fails."""
    settings.http_cache_path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(settings.http_cache_path)
    con.execute("CREATE TABLE responses (foo)")
    con.commit()
    con.close()


def test_a_cache_that_cannot_be_read_is_discarded_and_the_catalog_downloaded(
    server: CatalogServer, s: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    url = server.serve("/api.json", Reply(data(8.0)))
    foreign_cache(s)
    with caplog.at_level(logging.WARNING, logger="modelsync"):
        fetched = fetch_url(url, s)
    assert (fetched.origin, prices(fetched)) == ("network", 8.0)
    assert warnings(caplog) == [
        f"HTTP cache {s.http_cache_path} is unreadable (no such column: value); discarding it"
    ]
    assert fetch_url(url, s).origin == "cache", "the new cache holds it"


def test_offline_a_cache_that_cannot_be_read_is_discarded_without_a_request(
    server: CatalogServer, s: Settings
) -> None:
    url = server.serve("/api.json", Reply(data()))
    foreign_cache(s)
    with pytest.raises(modelsync.FetchError) as err:
        fetch_url(url, s, offline=True)
    assert str(err.value) == (
        f"offline, and the HTTP cache {s.http_cache_path} holds no catalog for {url}"
    )
    assert server.hits() == []


# --- the bundled snapshot ------------------------------------------------------------------------

BUNDLED_SCRIPT = """
import json, pathlib, sys
sys.path.insert(0, sys.argv[2])  # the copy, before the package as installed
from modelsync.errors import ModelsyncError
from modelsync.upstream.fetch import bundled_path, read_bundled
data = pathlib.Path(sys.argv[1])
said = {"name": bundled_path().name, "date": read_bundled().snapshot_date}
for snapshot in data.glob("models-dev-2*.json.gz"):
    snapshot.unlink()
(data / "models-dev-2099-01-01.json.gz").write_bytes(__import__("gzip").compress(b"[]"))
try:
    read_bundled()
except ModelsyncError as exc:
    said["broken"] = str(exc)
(data / "models-dev-2099-01-01.json.gz").unlink()
try:
    bundled_path()
except ModelsyncError as exc:
    said["missing"] = str(exc)
print(json.dumps(said))
"""


def test_the_bundled_snapshot_is_the_newest_models_dev_json_gz_of_the_package(
    tmp_path: Path,
) -> None:
    """In a copy of the installed package: files whose names are only partly a snapshot's
    are not taken; a broken snapshot is named; a missing one is said in one line."""
    package = Path(modelsync.__file__).parent
    copy = tmp_path / "site" / "modelsync"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__"))
    data_dir = copy / "data"
    (data_dir / "models-dev-notes.txt").write_text("not a snapshot")
    (data_dir / "prices-2099-01-01.json.gz").write_bytes(gzip.compress(b"{}"))
    # The package as installed, read in this process, says the same.
    shipped = read_bundled()
    # Run from where the package was imported: a mutation run's copy of the project finds
    # its configuration there.
    run = subprocess.run(
        [sys.executable, "-c", BUNDLED_SCRIPT, str(data_dir), str(copy.parent)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=package.parent,
    )
    assert run.returncode == 0, run.stderr
    said = json.loads(run.stdout)
    assert said["name"] == bundled_path().name
    assert said["date"] == shipped.snapshot_date
    assert said["broken"] == (
        f"{data_dir / 'models-dev-2099-01-01.json.gz'}: not a models.dev catalog: top level "
        "is a list, not an object of providers"
    )
    assert said["missing"] == "the bundled catalog snapshot is missing from this installation"
