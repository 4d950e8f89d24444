"""The bundled snapshot as the sync's catalog: when it stands in (offline, a default source
that fails or whose host name does not resolve), what the report and the warnings say,
and the fast path that a no-op sync over it takes.

One sync from the bundled snapshot (about a hundred provider files) is made once for the
module; each test works on its own copy of those files and of their sync state, so that
the tests stay quick and independent.

Found unchecked by mutation testing (``python mutation/run.py sync.source``).
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import modelsync
from modelsync.settings import Settings, make_settings
from modelsync.sync import state as state_mod
from modelsync.upstream.fetch import bundled_date

from ...conftest import files_snapshot

#: A default source whose host name never resolves (``.invalid`` is reserved).
DEFAULT = "https://modelsync-test.invalid/api.json"
UNCHANGED = "files unchanged since the last sync"
PROXIES = ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy")


def sync(settings: Settings, **kw: Any) -> modelsync.SyncReport:
    return modelsync.sync_to_configs(settings=settings, **kw)


def source_json(report: modelsync.SyncReport) -> dict[str, Any]:
    src: dict[str, Any] = report.to_json()["source"]
    return src


def fallbacks(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        f"{r.levelname} {r.getMessage()}"
        for r in caplog.records
        if "bundled snapshot" in r.getMessage() and r.levelno >= logging.WARNING
    ]


@dataclass
class Synced:
    settings: Settings
    report: modelsync.SyncReport


def _settings(root: Path, **kw: Any) -> Settings:
    return make_settings(
        config_dir=str(root / "config" / "models"),
        cache_dir=str(root / "cache"),
        api_url=DEFAULT,
        connect_timeout=2,
        read_timeout=2,
        retries=0,
        lock_timeout=1,
        **kw,
    )


@pytest.fixture(scope="module")
def first(tmp_path_factory: pytest.TempPathFactory) -> Synced:
    """One offline sync from the bundled snapshot into an empty directory."""
    root = tmp_path_factory.mktemp("bundled")
    s = _settings(root, offline=True)
    report = sync(s)
    assert report.ok and report.changed_files
    return Synced(s, report)


@pytest.fixture
def synced(first: Synced, tmp_path: Path) -> Iterator[Synced]:
    """A copy of the module's synced directory and its sync state, as if synced here."""
    root = tmp_path / "copy"
    s = _settings(root, offline=True)
    shutil.copytree(first.settings.config_path, s.config_path)
    recorded = json.loads(state_mod.state_path(first.settings).read_bytes())
    recorded["config_dir"] = os.path.realpath(s.config_path)
    state = state_mod.state_path(s)
    state.parent.mkdir(parents=True)
    state.write_text(json.dumps(recorded))
    yield Synced(s, first.report)


@pytest.fixture
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """No proxy: a host name that does not resolve is known without a request."""
    for var in PROXIES:
        monkeypatch.delenv(var, raising=False)


def test_the_first_sync_reports_the_bundled_snapshot_and_its_date(first: Synced) -> None:
    date = bundled_date()
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", date)
    src = source_json(first.report)
    assert src["origin"] == "bundled"
    assert src["source"] == f"bundled snapshot {date}"
    assert src["snapshot_date"] == date
    assert src["age_seconds"] is None
    assert len(src["sha256"]) == 64
    assert src["newest_update"]


def test_offline_a_no_op_takes_the_fast_path_with_the_same_report(
    synced: Synced, caplog: pytest.LogCaptureFixture
) -> None:
    before = files_snapshot(synced.settings.config_path)
    with caplog.at_level(logging.INFO, logger="modelsync"):
        report = sync(synced.settings)
    assert UNCHANGED in caplog.text
    assert fallbacks(caplog) == []
    assert report.ok and report.changed_files == []
    assert source_json(report) == source_json(synced.report)
    assert files_snapshot(synced.settings.config_path) == before


def test_a_default_source_whose_name_does_not_resolve_warns_once_and_takes_the_fast_path(
    synced: Synced, no_proxy: None, caplog: pytest.LogCaptureFixture
) -> None:
    s = synced.settings.replace(offline=False, cache_ttl=600)
    date = bundled_date()
    with caplog.at_level(logging.INFO, logger="modelsync"):
        report = sync(s)
    assert UNCHANGED in caplog.text
    assert fallbacks(caplog) == [
        f"WARNING {DEFAULT}: cannot resolve the host name; using the bundled snapshot of {date}"
    ]
    assert source_json(report) == source_json(synced.report)
    # Within cache_ttl the name is not looked up again, and the warning is not repeated.
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="modelsync"):
        again = sync(s)
    assert UNCHANGED in caplog.text
    assert fallbacks(caplog) == []
    assert source_json(again) == source_json(synced.report)


def test_with_a_ttl_of_zero_the_name_is_looked_up_and_the_warning_given_each_time(
    synced: Synced, no_proxy: None, caplog: pytest.LogCaptureFixture
) -> None:
    s = synced.settings.replace(offline=False, cache_ttl=0)
    with caplog.at_level(logging.WARNING, logger="modelsync"):
        sync(s)
        sync(s)
    assert len(fallbacks(caplog)) == 2


def test_a_named_source_that_does_not_resolve_is_an_error_not_the_bundled_snapshot(
    synced: Synced, no_proxy: None, caplog: pytest.LogCaptureFixture
) -> None:
    """The same URL, named with ``source=`` while the default source is another: the
    bundled snapshot that the last sync took may not stand in for it."""
    before = files_snapshot(synced.settings.config_path)
    s = synced.settings.replace(offline=False, api_url="https://other.invalid/api.json")
    with (
        caplog.at_level(logging.WARNING, logger="modelsync"),
        pytest.raises(modelsync.FetchError) as err,
    ):
        sync(s, source=DEFAULT)
    assert str(err.value) == (
        f"{DEFAULT}: cannot resolve the host name; no cached copy of {DEFAULT} to fall back "
        "on (a named source is never replaced by another catalog)"
    )
    assert fallbacks(caplog) == []
    assert files_snapshot(synced.settings.config_path) == before
    # Offline, the bundled snapshot stands in for a named source too.
    report = sync(s.replace(offline=True), source=DEFAULT)
    assert source_json(report) == source_json(synced.report)


def test_another_default_source_is_not_taken_for_the_one_synced(
    synced: Synced, caplog: pytest.LogCaptureFixture
) -> None:
    s = synced.settings.replace(api_url="https://another.invalid/api.json")
    with caplog.at_level(logging.INFO, logger="modelsync"):
        report = sync(s)
    assert UNCHANGED not in caplog.text
    assert source_json(report)["origin"] == "bundled"
    assert report.changed_files == []


def test_a_default_source_behind_a_proxy_is_tried_once_per_ttl_then_the_snapshot_stands_in(
    synced: Synced, caplog: pytest.LogCaptureFixture
) -> None:
    """With a proxy the name is not looked up here: the request is made (the proxy of the
    tests is a closed port), fails, and the bundled snapshot stands in with a warning;
    within cache_ttl the next sync neither asks again nor warns again."""
    s = synced.settings.replace(offline=False, cache_ttl=600)
    date = bundled_date()
    with caplog.at_level(logging.INFO, logger="modelsync"):
        report = sync(s)
    assert UNCHANGED not in caplog.text
    warned = fallbacks(caplog)
    assert len(warned) == 1
    assert warned[0].startswith(f"WARNING {DEFAULT}: ")
    assert warned[0].endswith(f"; using the bundled snapshot of {date}")
    assert source_json(report) == source_json(synced.report)
    assert report.changed_files == []
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="modelsync"):
        again = sync(s)
    assert UNCHANGED in caplog.text
    assert fallbacks(caplog) == []
    assert source_json(again) == source_json(synced.report)


def test_offline_without_an_http_cache_warns_that_the_snapshot_stands_in(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    s = _settings(tmp_path, offline=True)
    with caplog.at_level(logging.WARNING, logger="modelsync"):
        fetched = modelsync.fetch_all(settings=s)
    assert fetched
    assert fallbacks(caplog) == [
        f"WARNING offline, and the HTTP cache {s.http_cache_path} holds no catalog for "
        f"{DEFAULT}; using the bundled snapshot of {bundled_date()}"
    ]


def test_an_http_cache_made_since_the_sync_is_asked_before_the_snapshot(
    synced: Synced, caplog: pytest.LogCaptureFixture
) -> None:
    """The last sync took the snapshot because the HTTP cache held nothing: once a cache
    exists, the sync looks in it again (offline: it holds no catalog for the URL, so the
    snapshot stands in, with a warning)."""
    s = synced.settings
    s.http_cache_path.write_bytes(b"")
    with caplog.at_level(logging.INFO, logger="modelsync"):
        report = sync(s)
    assert UNCHANGED not in caplog.text
    assert len(fallbacks(caplog)) == 1
    assert source_json(report) == source_json(synced.report)


def test_offline_after_a_failure_the_warning_says_why_the_snapshot_stands_in_now(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A default source that failed a moment ago, asked offline: the warning gives the
    offline reason (the HTTP cache holds nothing), not the earlier failure."""
    s = _settings(tmp_path, cache_ttl=600)
    with caplog.at_level(logging.WARNING, logger="modelsync"):
        modelsync.fetch_all(settings=s)
        modelsync.fetch_all(settings=s.replace(offline=True))
    warned = fallbacks(caplog)
    assert len(warned) == 2
    assert warned[0].startswith(f"WARNING {DEFAULT}: ")
    assert warned[1] == (
        f"WARNING offline, and the HTTP cache {s.http_cache_path} holds no catalog for "
        f"{DEFAULT}; using the bundled snapshot of {bundled_date()}"
    )
