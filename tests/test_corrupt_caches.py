"""Corrupt cache files never give a traceback or a wrong answer: the validation cache, the
last-sync record and the sync state are checked value by value on read, and one of the
wrong shape is treated as missing, with exactly one warning."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

import pytest

import modelsync
from modelsync.settings import Settings
from modelsync.sync import state as state_mod
from modelsync.sync.record import record_path

from .conftest import dumps, run_cli, sliced
from .httpserver import CatalogServer, Reply

PROVIDERS = ("anthropic", "groq")


def _warnings(caplog: pytest.LogCaptureFixture, what: str) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelno == logging.WARNING and what in r.getMessage()
    ]


def _edit(path: Path, change: dict[str, Any] | None, whole: Any = None) -> None:
    """Apply ``change`` to the JSON file (NaN and Infinity written as JSON allows them
    in Python's reader), or replace it by ``whole``."""
    data = json.loads(path.read_text()) if change is not None else whole
    if change is not None:
        data.update(change)
    path.write_text(json.dumps(data))


# --- the validation cache ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "whole"),
    [({"valid": 5}, None), ({"valid": None}, None), ({"valid": [[1]]}, None), (None, [[1]])],
    ids=["valid-5", "valid-null", "valid-nested", "a-list"],
)
def test_a_corrupt_validation_cache_is_missing_with_one_warning(
    settings: Settings,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    change: dict[str, Any] | None,
    whole: Any,
) -> None:
    source = tmp_path / "api.json"
    source.write_bytes(dumps(sliced(providers=PROVIDERS)))
    assert modelsync.sync_to_configs(settings=settings, source=str(source)).ok
    assert modelsync.validate_configs(settings=settings).ok
    _edit(settings.cache_path / "validated.json", change, whole)
    groq = Path(settings.config_dir) / "groq.yml"
    groq.write_text(groq.read_text().replace("provider: groq", "provider: [groq]"))
    caplog.set_level(logging.WARNING)
    result = modelsync.validate_configs(settings=settings)
    assert not result.ok and len(result.errors) == 1, "the broken file is found"
    assert len(_warnings(caplog, "validation cache")) == 1, caplog.text
    assert modelsync.validate_configs(settings=settings).errors == result.errors
    assert len(_warnings(caplog, "validation cache")) == 1, "rewritten whole: no more warning"


@pytest.mark.slow
def test_validate_on_a_corrupt_cache_prints_no_traceback(tmp_path: Path) -> None:
    (tmp_path / "api.json").write_bytes(dumps(sliced(providers=PROVIDERS)))
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    assert run_cli("modelsync", "sync", "--source", "api.json", "-q", cwd=tmp_path, env=env)
    assert run_cli("modelsync", "validate", cwd=tmp_path, env=env).returncode == 0
    (cache,) = (tmp_path / "cache").rglob("validated.json")
    _edit(cache, {"valid": 5})
    out = run_cli("modelsync", "validate", cwd=tmp_path, env=env)
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr and out.stderr.count("corrupt validation cache") == 1


# --- the last-sync record ---------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        {"at": float("nan")},
        {"at": float("inf")},
        {"at": time.time() + 86400},
        {"ok": "false"},
        {"ok": None},
        {"changed_files": [[1]]},
        {"providers": 5},
    ],
    ids=["nan", "infinity", "future", "ok-string", "ok-null", "nested", "providers-5"],
)
def test_a_corrupt_last_sync_record_means_a_sync(
    settings: Settings,
    server: CatalogServer,
    caplog: pytest.LogCaptureFixture,
    change: dict[str, Any],
) -> None:
    url = server.serve("/api.json", Reply(dumps(sliced(providers=PROVIDERS))))
    s = settings.replace(api_url=url, cache_ttl=0)
    assert modelsync.sync_if_needed(max_age=3600, settings=s) is not None
    _edit(record_path(s), change)
    caplog.set_level(logging.WARNING)
    assert modelsync.last_sync(settings=s) is None, "treated as missing"
    report = modelsync.sync_if_needed(max_age=3600, settings=s)
    assert report is not None and report.ok, "a corrupt record is not a fresh one"
    assert len(_warnings(caplog, "last-sync record")) == 1, caplog.text
    last = modelsync.last_sync(settings=s)
    assert last is not None and last.ok and last.age < 60, "recorded anew"
    assert modelsync.sync_if_needed(max_age=3600, settings=s) is None


def test_a_whole_record_of_the_wrong_shape_is_warned_about_once(
    settings: Settings, server: CatalogServer, caplog: pytest.LogCaptureFixture
) -> None:
    url = server.serve("/api.json", Reply(dumps(sliced(providers=PROVIDERS))))
    s = settings.replace(api_url=url, cache_ttl=0)
    assert modelsync.sync_if_needed(max_age=3600, settings=s) is not None
    _edit(record_path(s), None, [[1]])
    caplog.set_level(logging.WARNING)
    assert modelsync.sync_if_needed(max_age=3600, settings=s) is not None
    assert len(_warnings(caplog, "last-sync record")) == 1, caplog.text


# --- the sync state ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "source_change",
    [
        {"expires_at": "tomorrow"},
        {"expires_at": [[1]]},
        {"expires_at": float("inf")},
        {"fetched_at": float("nan")},
        {"fetched_at": time.time() + 86400},
        {"sha256": 5},
    ],
    ids=["expires-string", "expires-nested", "expires-inf", "fetched-nan", "fetched-future", "sha"],
)
def test_a_corrupt_sync_state_is_missing_with_one_warning(
    settings: Settings,
    server: CatalogServer,
    caplog: pytest.LogCaptureFixture,
    source_change: dict[str, Any],
) -> None:
    data = sliced(providers=PROVIDERS)
    url = server.serve("/api.json", Reply(dumps(data)))
    s = settings.replace(api_url=url, cache_ttl=3600)
    assert modelsync.sync_to_configs(settings=s).ok
    path = state_mod.state_path(s)
    state = json.loads(path.read_text())
    state["source"].update(source_change)
    path.write_text(json.dumps(state))
    caplog.set_level(logging.WARNING)
    report = modelsync.sync_to_configs(settings=s)
    assert report.ok and report.changed_files == [], "the full path: nothing to change"
    assert report.source.age_seconds is None or 0 <= report.source.age_seconds < 3600
    assert len(_warnings(caplog, "sync state")) == 1, caplog.text


@pytest.mark.parametrize(
    "provider_change",
    [{"canonical": "yes"}, {"skipped": {"m": [1]}}, {"notes": [[[1], "pinned", None, 1, 2]]}],
    ids=["canonical-string", "skipped-nested", "notes-nested"],
)
def test_a_state_with_a_provider_of_the_wrong_shape_is_missing(
    settings: Settings,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    provider_change: dict[str, Any],
) -> None:
    source = tmp_path / "api.json"
    source.write_bytes(dumps(sliced(providers=PROVIDERS)))
    assert modelsync.sync_to_configs(settings=settings, source=str(source)).ok
    path = state_mod.state_path(settings)
    state = json.loads(path.read_text())
    state["providers"]["groq"].update(provider_change)
    path.write_text(json.dumps(state))
    groq = Path(settings.config_dir) / "groq.yml"
    groq.write_text("provider: groq\nmodels: {}\n")
    caplog.set_level(logging.WARNING)
    report = modelsync.sync_to_configs(settings=settings, source=str(source))
    assert report.ok and report.changed_files == [str(groq)], "the emptied file is repaired"
    assert len(_warnings(caplog, "sync state")) == 1, caplog.text
