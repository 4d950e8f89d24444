"""Hostile servers and sources, round two: bounded time and memory, our own words.

Time and memory are measured from outside the process where they are the point
(:func:`tests.conftest.run_measured`).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import pytest
import yaml

import modelsync
from modelsync.model.catalog import safe_provider_id
from modelsync.settings import Settings

from .conftest import dumps, files_snapshot, run_measured, sliced
from .httpserver import CatalogServer, Reply

SMALL = dumps(sliced(providers=("anthropic", "xai", "groq")))


def sync(settings: Settings, source: str, **kw: object) -> modelsync.SyncReport:
    return modelsync.sync_to_configs(settings=settings, source=source, **kw)


# --- one deadline for the whole fetch -------------------------------------------------


@pytest.mark.slow
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


@pytest.mark.slow
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
    cmd = [sys.executable, "-m", "modelsync.cli", "sync"]
    # The default source, so that the bundled snapshot is the fallback (a named --source
    # would fail instead). The same run with a small bad body: what the process needs
    # besides the download.
    code, err, baseline_mb = run_measured(
        cmd, cwd=tmp_path, env={**env, "INVOKE_MODELSYNC_API_URL": small}
    )
    assert code == 0, err
    code, err, peak_mb = run_measured(
        cmd, cwd=tmp_path, env={**env, "INVOKE_MODELSYNC_API_URL": tiny}
    )
    assert code == 0, err
    assert "response exceeds the limit of 4,000,000 bytes" in err
    extra_mb = peak_mb - baseline_mb
    assert extra_mb < 4 * limit / 1e6, (
        f"{extra_mb:.0f} MB more for a body cut at {limit / 1e6:.0f} MB in 2-byte chunks"
    )


# --- network errors in our own words --------------------------------------------------

LIBRARY_WORDS = ("Max retries", "Pool(", "Caused by", "HTTPConnection", "urllib3")


@pytest.mark.parametrize(
    ("reply", "phrase"),
    [
        (Reply(drop=True), "the server closed the connection without answering"),
        (
            Reply(SMALL, truncate_to=1000, validators=False),
            f"the response was cut off after 1,000 of {len(SMALL):,} bytes",
        ),
    ],
    ids=["dropped", "truncated"],
)
def test_network_errors_are_said_in_our_own_words(
    reply: Reply,
    phrase: str,
    server: CatalogServer,
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    url = server.serve("/api.json", Reply(SMALL), reply)
    s = settings.replace(cache_ttl=0, retries=0)
    sync(s, url)
    caplog.clear()
    assert sync(s, url).source.origin == "stale-cache"
    (warning,) = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert f"{url}: {phrase}" in warning
    assert not any(word in warning for word in LIBRARY_WORDS), warning


@pytest.mark.slow
def test_an_unreachable_proxy_is_named_as_such(tmp_path: Path) -> None:
    # conftest points HTTPS_PROXY at a closed port on 127.0.0.1
    _, err, _ = run_measured(
        [
            sys.executable,
            "-m",
            "modelsync.cli",
            "sync",
            "--source",
            "https://catalog.example.invalid/api.json",
        ],
        cwd=tmp_path,
        env={
            **os.environ,
            "XDG_CACHE_HOME": str(tmp_path / "xdg"),
            "INVOKE_MODELSYNC_RETRIES": "0",
        },
    )
    line = next(line for line in err.splitlines() if "catalog.example.invalid" in line)
    assert "https://catalog.example.invalid/api.json: cannot connect to the proxy: " in line
    assert "connection refused" in line
    assert not any(word in err for word in LIBRARY_WORDS), err
    assert "Traceback" not in err


# --- the cache directory --------------------------------------------------------------


def test_a_relative_xdg_cache_home_is_ignored(tmp_path: Path) -> None:
    (tmp_path / "api.json").write_bytes(SMALL)
    home = tmp_path / "home"
    env = {**os.environ, "XDG_CACHE_HOME": "relative-cache", "HOME": str(home)}
    code, err, _ = run_measured(
        [sys.executable, "-m", "modelsync.cli", "sync", "--source", "api.json"],
        cwd=tmp_path,
        env=env,
    )
    assert code == 0, err
    assert not (tmp_path / "relative-cache").exists()
    assert (home / ".cache" / "modelsync" / "state").is_dir()


# --- catalog data ------------------------------------------------------------------------


def test_windows_device_names_are_unsafe_provider_ids(
    tmp_path: Path, settings: Settings, config_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data = sliced(providers=("xai",))
    hostile = ("con", "aux", "nul", "prn", "com1", "lpt9", "nul.backup", "con.x")
    for provider_id in hostile:
        data[provider_id] = json.loads(json.dumps(data["xai"]))
    (tmp_path / "api.json").write_bytes(dumps(data))
    report = sync(settings, str(tmp_path / "api.json"))
    assert {p.name for p in config_dir.iterdir()} == {"xai.yml"}
    assert report.ok
    for provider_id in hostile:
        assert f"skipped provider '{provider_id}': its id is not a safe file name" in caplog.text
    for fine in ("console", "nullable", "com10", "com", "auxiliary"):
        assert safe_provider_id(fine), fine


def _obj(*pairs: tuple[str, str]) -> str:
    """A JSON object from (key, JSON text) pairs, repeated keys allowed."""
    return "{" + ", ".join(f"{json.dumps(k)}: {v}" for k, v in pairs) + "}"


def _provider(raw: dict[str, object], models: str | None = None, **extra: str) -> str:
    fields = [(k, json.dumps(v)) for k, v in raw.items() if k != "models"]
    fields += list(extra.items())
    return _obj(*fields, ("models", models or json.dumps(raw["models"])))


def test_repeated_keys_in_the_catalog_skip_that_model_or_provider(
    tmp_path: Path, settings: Settings, config_dir: Path
) -> None:
    data = sliced(providers=("anthropic", "xai", "groq"))
    (tmp_path / "clean.json").write_bytes(dumps(data))
    sync(settings, str(tmp_path / "clean.json"))
    before = files_snapshot(config_dir)
    anthropic = data["anthropic"]["models"]
    ids = sorted(anthropic)
    priced, listed_twice = ids[0], ids[1]
    price = json.dumps(anthropic[priced]["cost"])
    cheaper = price.replace("{", '{"input": 0.01, ', 1)  # the key comes twice
    models = [(m, json.dumps(v)) for m, v in anthropic.items()]
    models = [(m, text.replace(price, cheaper, 1) if m == priced else text) for m, text in models]
    models.append((listed_twice, json.dumps({**anthropic[listed_twice], "name": "Other"})))
    text = _obj(
        ("anthropic", _provider(data["anthropic"], _obj(*models))),
        ("xai", _provider(data["xai"], name=json.dumps("Again"))),  # provider key twice
        ("groq", json.dumps(data["groq"])),
        ("groq", json.dumps(data["groq"])),  # provider twice
    )
    (tmp_path / "api.json").write_text(text)
    report = sync(settings, str(tmp_path / "api.json"))
    skipped = {m: why for _, m, why in report.skipped_models()}
    assert skipped == {
        priced: "the catalog repeats the key 'input'",
        listed_twice: "the catalog lists this model more than once",
    }
    status = {p.id: (p.status, p.error) for p in report.providers}
    assert status["xai"][0] == "skipped" and "repeats the key 'name'" in str(status["xai"][1])
    assert status["groq"][0] == "skipped" and "more than once" in str(status["groq"][1])
    after = files_snapshot(config_dir)
    assert after["xai.yml"] == before["xai.yml"] and after["groq.yml"] == before["groq.yml"]
    assert after["anthropic.yml"] == before["anthropic.yml"], "kept as they were"


def test_one_oversized_integer_skips_that_model_only(
    tmp_path: Path, settings: Settings, config_dir: Path
) -> None:
    data = sliced(providers=("anthropic", "xai"))
    ids = sorted(data["anthropic"]["models"])
    data["anthropic"]["models"][ids[0]]["limit"]["context"] = 424242
    text = dumps(data).decode().replace("424242", "9" * 5000)
    (tmp_path / "api.json").write_text(text)
    report = sync(settings, str(tmp_path / "api.json"))
    skipped = {m: why for _, m, why in report.skipped_models()}
    assert list(skipped) == [ids[0]]
    assert "integer of 5,000 digits" in skipped[ids[0]] and len(skipped[ids[0]]) < 200
    synced = yaml.safe_load((config_dir / "anthropic.yml").read_text())
    assert set(synced["models"]) == set(ids[1:])
    assert (config_dir / "xai.yml").exists()
