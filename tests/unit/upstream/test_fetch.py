"""Fetching through the real requests-cache session against a loopback server."""

from __future__ import annotations

import gzip
import json
import logging
import re
import time
from pathlib import Path

import pytest

import modelsync
from modelsync.settings import Settings
from modelsync.upstream.fetch import bundled_date, read_bundled
from modelsync.upstream.http import USER_AGENT

from ...conftest import dumps, raw_snapshot, sliced, yaml11
from ...httpserver import CatalogServer, Reply


def sync(settings: Settings, **kw: object) -> modelsync.SyncReport:
    return modelsync.sync_to_configs(settings=settings, **kw)


def test_second_sync_within_ttl_sends_no_request(
    server: CatalogServer, settings: Settings, config_dir: Path
) -> None:
    url = server.serve("/api.json", Reply(dumps(sliced())))
    first = sync(settings, source=url)
    assert first.source.origin == "network"
    assert len(server.hits()) == 1
    second = sync(settings, source=url)
    assert len(server.hits()) == 1, "a sync within the TTL must not touch the network"
    assert second.changed_files == []
    # Even with the fingerprint state gone, the HTTP cache answers.
    modelsync.clear_cache(settings=settings)
    (config_dir / "xai.yml").unlink()
    sync(settings, source=url)
    assert len(server.hits()) == 2  # the cache was cleared: one new request


def test_expired_cache_revalidates_with_a_conditional_request(
    server: CatalogServer, settings: Settings
) -> None:
    url = server.serve("/api.json", Reply(dumps(sliced())))
    s = settings.replace(cache_ttl=0)
    sync(s, source=url)
    report = sync(s, source=url)
    first, second = server.hits()
    assert "if-none-match" not in first.headers
    assert second.headers.get("if-none-match"), "expired entries are revalidated with the ETag"
    assert report.source.origin == "revalidated"
    assert report.changed_files == []


def test_user_agent_names_the_tool_and_version(server: CatalogServer, settings: Settings) -> None:
    url = server.serve("/api.json", Reply(dumps(sliced())))
    sync(settings, source=url)
    agent = server.hits()[0].headers["user-agent"]
    assert agent == USER_AGENT
    assert agent.startswith(f"modelsync/{modelsync.__version__}")


def test_stale_cache_is_used_when_the_server_fails(
    server: CatalogServer,
    settings: Settings,
    config_dir: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    url = server.serve("/api.json", Reply(dumps(sliced())), Reply(b"down", 503))
    s = settings.replace(cache_ttl=0)
    sync(s, source=url)
    before = {p.name: p.read_bytes() for p in config_dir.iterdir()}
    with caplog.at_level(logging.WARNING, logger="modelsync"):
        report = sync(s, source=url)
    assert report.source.origin == "stale-cache"
    message = " ".join(r.getMessage() for r in caplog.records)
    assert "HTTP 503" in message and str(s.http_cache_path) in message
    assert "ago" in message  # the response's age is named
    assert {p.name: p.read_bytes() for p in config_dir.iterdir()} == before


def test_gzip_responses_are_decoded(
    server: CatalogServer, settings: Settings, config_dir: Path
) -> None:
    url = server.serve("/api.json", Reply(dumps(sliced()), gzip=True))
    sync(settings, source=url)
    assert (config_dir / "anthropic.yml").exists()


def test_retries_server_errors_then_succeeds(server: CatalogServer, settings: Settings) -> None:
    url = server.serve(
        "/api.json",
        Reply(b"busy", 503, headers={"Retry-After": "0"}),
        Reply(dumps(sliced())),
    )
    report = sync(settings.replace(retries=2), source=url)
    assert report.source.origin == "network"
    assert len(server.hits()) == 2


@pytest.mark.slow
def test_retry_after_is_honoured_up_to_the_bound(server: CatalogServer, settings: Settings) -> None:
    url = server.serve(
        "/api.json",
        Reply(b"slow down", 429, headers={"Retry-After": "3600"}),
        Reply(dumps(sliced())),
    )
    start = time.monotonic()
    report = sync(settings.replace(retries=1, retry_after_max=0.5), source=url)
    elapsed = time.monotonic() - start
    assert report.source.origin == "network"
    first, second = server.hits()
    assert 0.4 <= second.time - first.time < 5, "waited about retry_after_max, not an hour"
    assert elapsed < 10


@pytest.mark.slow
def test_fresh_machine_without_network_uses_the_bundled_snapshot(
    settings: Settings, config_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="modelsync"):
        report = sync(settings, api_url="https://models.dev.invalid/api.json")
    assert report.source.origin == "bundled"
    date = bundled_date()
    assert len(date) == 10 and date[4] == "-"
    assert any(f"bundled snapshot of {date}" in r.getMessage() for r in caplog.records)
    bundled = read_bundled().catalog
    assert {p.stem for p in config_dir.glob("*.yml")} == set(bundled)


@pytest.mark.slow
def test_bundled_snapshot_never_rolls_back_newer_configs(
    settings: Settings, config_dir: Path, tmp_path: Path
) -> None:
    newer = sliced(providers=["anthropic"])
    model = next(iter(newer["anthropic"]["models"].values()))
    model["last_updated"] = "2099-01-01"
    source = tmp_path / "newer.json"
    source.write_bytes(dumps(newer))
    sync(settings, source=str(source))
    before = {p.name: p.read_bytes() for p in config_dir.iterdir()}
    report = sync(settings, api_url="https://models.dev.invalid/api.json")
    assert report.source.origin == "bundled"
    assert report.refused and re.search(r"bundled snapshot .* is older", report.refused)
    assert {p.name: p.read_bytes() for p in config_dir.iterdir()} == before


@pytest.mark.slow
def test_bundled_snapshot_may_refresh_configs_synced_from_an_older_catalog(
    settings: Settings, config_dir: Path, tmp_path: Path
) -> None:
    source = tmp_path / "old.json"
    source.write_bytes(dumps(sliced("2026-01-10", ["anthropic"])))
    sync(settings, source=str(source))
    report = sync(settings, api_url="https://models.dev.invalid/api.json", allow_shrink=True)
    assert report.source.origin == "bundled"
    assert "anthropic.yml" in {Path(p).name for p in report.changed_files}


def test_offline_uses_the_cache_of_any_age_and_never_the_network(
    server: CatalogServer, settings: Settings
) -> None:
    url = server.serve("/api.json", Reply(dumps(sliced())))
    sync(settings, source=url)
    fresh = sync(settings.replace(offline=True), source=url)
    assert fresh.source.origin == "cache"
    expired = sync(settings.replace(cache_ttl=0, offline=True), source=url)
    assert expired.source.origin == "stale-cache", "expired (cache_ttl 0), used all the same"
    assert len(server.hits()) == 1


@pytest.mark.slow
def test_offline_without_cache_uses_the_bundled_snapshot(
    server: CatalogServer, settings: Settings
) -> None:
    url = server.serve("/api.json", Reply(dumps(sliced())))
    report = sync(settings.replace(offline=True), source=url)
    assert server.hits() == []
    assert report.source.origin == "bundled"


def test_local_file_and_gzipped_file_sources(
    settings: Settings, tmp_path: Path, config_dir: Path
) -> None:
    plain = tmp_path / "api.json"
    plain.write_bytes(dumps(sliced(providers=["xai"])))
    assert sync(settings, source=str(plain)).source.origin == "file"
    packed = tmp_path / "api.json.gz"
    packed.write_bytes(gzip.compress(dumps(sliced(providers=["xai", "groq"]))))
    report = sync(settings, source=packed.as_uri())
    assert report.source.origin == "file"
    assert (config_dir / "groq.yml").exists()


def test_fetch_all_and_get_model_return_typed_models(
    server: CatalogServer, settings: Settings
) -> None:
    url = server.serve("/api.json", Reply(raw_snapshot()))
    everything = modelsync.fetch_all(settings=settings, source=url)
    assert len(everything) == 132
    assert sum(len(v) for v in everything.values()) == 4803
    model = modelsync.get_model("anthropic", "claude-opus-4-1", settings=settings, source=url)
    assert isinstance(model, modelsync.Model)
    raw = json.loads(raw_snapshot())["anthropic"]["models"]["claude-opus-4-1"]
    assert model.pricing is not None and model.pricing.input == raw["cost"]["input"]
    assert model.context_window == raw["limit"]["context"]
    assert len(server.hits()) == 1  # the second call came from the cache


def test_get_model_errors_name_close_matches(server: CatalogServer, settings: Settings) -> None:
    url = server.serve("/api.json", Reply(dumps(sliced())))
    with pytest.raises(modelsync.ProviderNotFound, match="anthropic"):
        modelsync.get_model("antropic", "x", settings=settings, source=url)
    with pytest.raises(modelsync.ModelNotFound, match="claude-opus-4-1"):
        modelsync.get_model("anthropic", "claude-opus-4-11", settings=settings, source=url)


def test_written_yaml_matches_a_yaml_1_1_reader(
    server: CatalogServer, settings: Settings, config_dir: Path
) -> None:
    url = server.serve("/api.json", Reply(dumps(sliced())))
    sync(settings, source=url)
    for path in config_dir.glob("*.yml"):
        doc = yaml11(path.read_text())
        assert doc["provider"] == path.stem
