"""Which catalog a sync takes and what it says about it, checked without the bundled
snapshot (so that each test stays quick): a named source that fails, a failure
remembered within ``cache_ttl``, the fast path for a file or a fresh cached URL, and the
report's ``source`` on either path.

Found unchecked by mutation testing (``python mutation/run.py source``).
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

import pytest

import modelsync
from modelsync.settings import Settings

from ...edgecases import catalog, model
from ...httpserver import CatalogServer, Reply

UNCHANGED = "catalog and all 1 files unchanged since the last sync"


def sync(settings: Settings, **kw: Any) -> modelsync.SyncReport:
    return modelsync.sync_to_configs(settings=settings, **kw)


def source_json(report: modelsync.SyncReport) -> dict[str, Any]:
    src: dict[str, Any] = report.to_json()["source"]
    return src


def data(price: float = 1.0) -> bytes:
    return json.dumps(catalog(m_a=model(price))).encode()


# --- a file --------------------------------------------------------------------------------


def test_an_unchanged_file_takes_the_fast_path_with_the_same_report(
    tmp_path: Path, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "api.json"
    path.write_bytes(data())
    first = sync(settings, source=str(path))
    with caplog.at_level(logging.INFO, logger="modelsync"):
        second = sync(settings, source=str(path))
    assert UNCHANGED in caplog.messages
    assert second.ok and second.changed_files == []
    assert source_json(second) == source_json(first)
    assert source_json(second)["origin"] == "file"
    assert source_json(second)["source"] == str(path)


def test_a_changed_file_or_another_path_is_read_again(
    tmp_path: Path, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "api.json"
    path.write_bytes(data())
    sync(settings, source=str(path))
    copy = tmp_path / "copy.json"
    copy.write_bytes(data())
    with caplog.at_level(logging.INFO, logger="modelsync"):
        other = sync(settings, source=str(copy))
    assert UNCHANGED not in caplog.messages
    assert source_json(other)["source"] == str(copy)
    caplog.clear()
    path.write_bytes(data(3.0))
    with caplog.at_level(logging.INFO, logger="modelsync"):
        changed = sync(settings, source=str(path))
    assert UNCHANGED not in caplog.messages
    assert [c.field for c in changed.changes("price")] == ["input"]


# --- a URL ---------------------------------------------------------------------------------


def test_a_fresh_cached_url_takes_the_fast_path_and_says_cache(
    server: CatalogServer, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    url = server.serve("/api.json", Reply(data()))
    first = sync(settings, source=url)
    assert source_json(first)["origin"] == "network"
    with caplog.at_level(logging.INFO, logger="modelsync"):
        second = sync(settings, source=url)
    assert UNCHANGED in caplog.messages
    assert len(server.hits()) == 1
    src = source_json(second)
    assert (src["origin"], src["source"], src["sha256"]) == (
        "cache",
        url,
        source_json(first)["sha256"],
    )
    assert src["age_seconds"] is not None and 0 <= src["age_seconds"] < 60
    assert src["newest_update"] == source_json(first)["newest_update"]


def test_a_url_is_asked_again_once_the_ttl_is_zero(
    server: CatalogServer, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    url = server.serve("/api.json", Reply(data()))
    sync(settings, source=url)
    with caplog.at_level(logging.INFO, logger="modelsync"):
        again = sync(settings.replace(cache_ttl=0), source=url)
    assert UNCHANGED not in caplog.messages
    assert len(server.hits()) == 2
    assert source_json(again)["origin"] in ("network", "revalidated")


def test_another_url_is_not_taken_for_the_cached_one(
    server: CatalogServer, settings: Settings
) -> None:
    url = server.serve("/api.json", Reply(data()))
    other = server.serve("/other.json", Reply(data(2.0)))
    sync(settings, source=url)
    report = sync(settings, source=other)
    assert len(server.hits("/other.json")) == 1
    assert [c.field for c in report.changes("price")] == ["input"]


# --- a named source that fails ---------------------------------------------------------------


def test_a_failing_named_source_fails_the_sync_and_is_not_asked_again_within_the_ttl(
    server: CatalogServer, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    url = server.serve("/api.json", Reply(b"down", 503))
    s = settings.replace(retries=0, cache_ttl=600)
    expected = (
        f"{url}: HTTP 503 Service Unavailable; no cached copy of {url} to fall back on "
        "(a named source is never replaced by another catalog)"
    )
    for _ in range(2):
        with pytest.raises(modelsync.FetchError) as err:
            sync(s, source=url)
        assert str(err.value) == expected
    assert len(server.hits()) == 1
    # Another cache directory is another source: tried on its own.
    with pytest.raises(modelsync.FetchError):
        sync(s.replace(cache_dir=str(Path(s.cache_dir) / "other")), source=url)
    assert len(server.hits()) == 2


def test_with_a_ttl_of_zero_a_failing_source_is_asked_each_time(
    server: CatalogServer, settings: Settings
) -> None:
    url = server.serve("/api.json", Reply(b"down", 503))
    s = settings.replace(retries=0, cache_ttl=0)
    for _ in range(2):
        with pytest.raises(
            modelsync.FetchError, match="HTTP 503 Service Unavailable; no cached copy"
        ):
            sync(s, source=url)
    assert len(server.hits()) == 2


def test_a_named_source_that_fails_later_falls_back_on_its_cached_response_once(
    server: CatalogServer, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    url = server.serve("/api.json", Reply(data()), Reply(b"", 500))
    s = settings.replace(cache_ttl=0, retries=0)
    sync(s, source=url)
    with caplog.at_level(logging.WARNING, logger="modelsync"):
        second = sync(s, source=url)
        third = sync(s, source=url)
    assert source_json(second)["origin"] == "stale-cache"
    assert source_json(third)["origin"] == "stale-cache"
    assert len(server.hits()) == 3, "cache_ttl 0: the failure is not remembered"


def test_a_failure_is_remembered_for_a_cache_ttl_of_one_second_too(
    server: CatalogServer, settings: Settings
) -> None:
    url = server.serve("/api.json", Reply(b"down", 503))
    s = settings.replace(retries=0, cache_ttl=1)
    for _ in range(2):
        with pytest.raises(modelsync.FetchError, match="HTTP 503"):
            sync(s, source=url)
    assert len(server.hits()) == 1


# --- the report's source ---------------------------------------------------------------------


def test_a_download_reports_its_age(server: CatalogServer, settings: Settings) -> None:
    url = server.serve("/api.json", Reply(data()))
    src = source_json(sync(settings, source=url))
    assert src["origin"] == "network"
    assert src["age_seconds"] is not None and 0 <= src["age_seconds"] < 60


def test_the_fast_path_reports_the_age_of_the_cached_response(
    server: CatalogServer, settings: Settings
) -> None:
    url = server.serve("/api.json", Reply(data()))
    start = time.time()
    sync(settings, source=url)
    src = source_json(sync(settings, source=url))
    assert src["origin"] == "cache"
    assert 0 <= src["age_seconds"] <= time.time() - start


def test_a_missing_file_source_fails_even_right_after_a_sync_from_a_url(
    server: CatalogServer, settings: Settings, tmp_path: Path
) -> None:
    url = server.serve("/api.json", Reply(data()))
    sync(settings, source=url)
    missing = tmp_path / "missing.json"
    with pytest.raises(modelsync.ModelsyncError) as err:
        sync(settings, source=str(missing))
    assert str(missing) in str(err.value)


# --- what this process remembers of a failing URL --------------------------------------------


def debug_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name.startswith("modelsync.sync.")]


def test_a_stale_fallback_is_remembered_and_the_next_sync_says_why_it_does_not_ask(
    server: CatalogServer, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    url = server.serve("/api.json", Reply(data()), Reply(b"", 500))
    sync(settings.replace(cache_ttl=0, retries=0), source=url)  # cached, already stale
    s = settings.replace(cache_ttl=600, retries=0)
    assert source_json(sync(s, source=url))["origin"] == "stale-cache"
    assert len(server.hits()) == 2
    # Within cache_ttl the URL is known to fail: the next sync does not ask it again.
    assert source_json(sync(s, source=url))["origin"] == "stale-cache"
    assert len(server.hits()) == 2
    # Without the cached copy it would fall back on, the error still says why.
    Path(s.http_cache_path).unlink()
    with (
        caplog.at_level(logging.DEBUG, logger="modelsync"),
        pytest.raises(modelsync.FetchError) as err,
    ):
        sync(s, source=url)
    reason = f"{url}: HTTP 500 Internal Server Error"
    assert str(err.value).startswith(f"{reason}; no cached copy of {url}")
    assert f"{reason} (earlier in this process); not tried again within cache_ttl" in debug_lines(
        caplog
    )
    assert len(server.hits()) == 2


def test_an_offline_miss_is_not_taken_for_a_failing_url(
    server: CatalogServer, settings: Settings
) -> None:
    """``--offline`` with nothing cached falls back on the bundled snapshot without asking
    the network, and remembers no failure: the next sync online asks the URL."""
    from modelsync.sync.source import obtain
    from modelsync.upstream.fetch import Origin

    url = server.serve("/api.json", Reply(data()))
    s = settings.replace(source=url, cache_ttl=600)
    assert obtain(s.replace(offline=True)).origin == Origin.BUNDLED
    assert server.hits() == []
    assert obtain(s).origin == Origin.NETWORK
    assert len(server.hits()) == 1


def test_a_failing_default_source_warns_once_per_process(
    server: CatalogServer, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """The default source down: the bundled snapshot stands in, with one warning; later
    syncs of the same process within cache_ttl say it only at debug level."""
    from modelsync.sync.source import obtain
    from modelsync.upstream.fetch import Origin, bundled_date

    url = server.serve("/api.json", Reply(b"down", 503))
    s = settings.replace(api_url=url, retries=0, cache_ttl=600)
    with caplog.at_level(logging.DEBUG, logger="modelsync"):
        assert [obtain(s).origin for _ in range(3)] == [Origin.BUNDLED] * 3
    ending = f"using the bundled snapshot of {bundled_date()}"
    fallback = [
        (r.levelname, r.getMessage()) for r in caplog.records if r.getMessage().endswith(ending)
    ]
    reason = f"{url}: HTTP 503 Service Unavailable"
    assert [level for level, _ in fallback] == ["WARNING", "DEBUG", "DEBUG"]
    assert all(message.startswith(f"{reason}; using") for _, message in fallback)
    assert len(server.hits()) == 1
