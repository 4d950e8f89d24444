"""Hostile servers and sources, round two: bounded time and memory, our own words.

Time and memory are measured from outside the process where they are the point
(:func:`tests.conftest.run_measured`).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

import modelsync
from modelsync.settings import Settings

from .conftest import dumps, files_snapshot, run_measured, sliced
from .httpserver import CatalogServer, Reply

SMALL = dumps(sliced(providers=("anthropic", "xai", "groq")))


def sync(settings: Settings, source: str, **kw: object) -> modelsync.SyncReport:
    return modelsync.sync_to_configs(settings=settings, source=source, **kw)


# --- one deadline for the whole fetch -------------------------------------------------


@pytest.mark.parametrize(
    "reply",
    [
        Reply(trickle=0.2),
        Reply(trickle_headers=0.2),
        Reply(b"slow down", 429, headers={"Retry-After": "10"}),
    ],
    ids=["body-byte-by-byte", "header-line-by-line", "retry-after"],
)
def test_a_slow_server_cannot_hold_the_fetch_past_the_deadline(
    reply: Reply,
    server: CatalogServer,
    settings: Settings,
    config_dir: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    url = server.serve("/api.json", Reply(SMALL), reply)
    s = settings.replace(
        cache_ttl=0, retries=2, read_timeout=1, retry_after_max=10, fetch_deadline=1.5
    )
    sync(s, url)
    before = files_snapshot(config_dir)
    start = time.monotonic()
    report = sync(s, url)
    elapsed = time.monotonic() - start
    assert elapsed < 4, f"took {elapsed:.1f} s with a deadline of 1.5 s"
    assert report.source.origin == "stale-cache", "the documented fallback"
    assert files_snapshot(config_dir) == before
    assert "no complete answer within 1.5 s (modelsync.fetch_deadline)" in caplog.text


def test_past_the_deadline_a_sync_uses_the_bundled_snapshot_and_ends(
    server: CatalogServer, tmp_path: Path
) -> None:
    url = server.serve("/api.json", Reply(trickle_headers=0.3, trickle_for=60))
    env = {
        **os.environ,
        "XDG_CACHE_HOME": str(tmp_path / "xdg"),
        "INVOKE_MODELSYNC_API_URL": url,
        "INVOKE_MODELSYNC_FETCH_DEADLINE": "2",
    }
    start = time.monotonic()
    code, err, _ = run_measured(
        [sys.executable, "-m", "modelsync.cli", "sync"], cwd=tmp_path, env=env
    )
    elapsed = time.monotonic() - start
    assert code == 0, err
    assert elapsed < 8, f"took {elapsed:.1f} s with a deadline of 2 s"
    assert "no complete answer within 2 s" in err and "using the bundled snapshot" in err
    assert "Traceback" not in err


# --- memory while downloading ---------------------------------------------------------


@pytest.mark.slow
def test_a_body_in_tiny_chunks_costs_no_more_memory_than_its_size(
    server: CatalogServer, tmp_path: Path
) -> None:
    limit = 4_000_000
    tiny = server.serve("/api.json", Reply(chunk_size=2, stream_bytes=4 * limit, validators=False))
    small = server.serve("/small.json", Reply(b"{}", validators=False))
    env = {
        **os.environ,
        "XDG_CACHE_HOME": str(tmp_path / "xdg"),
        "INVOKE_MODELSYNC_RETRIES": "0",
        "INVOKE_MODELSYNC_MAX_RESPONSE_BYTES": str(limit),
    }
    cmd = [sys.executable, "-m", "modelsync.cli", "sync", "--source"]
    # The same run with a small bad body: what the process needs besides the download.
    code, err, baseline_mb = run_measured([*cmd, small], cwd=tmp_path, env=env)
    assert code == 0, err
    code, err, peak_mb = run_measured([*cmd, tiny], cwd=tmp_path, env=env)
    assert code == 0, err
    assert "response exceeds the limit of 4,000,000 bytes" in err
    extra_mb = peak_mb - baseline_mb
    assert extra_mb < 4 * limit / 1e6, (
        f"{extra_mb:.0f} MB more for a body cut at {limit / 1e6:.0f} MB in 2-byte chunks"
    )
