"""An honest report: a refused catalog writes nothing, says so, and its report, its JSON
and the last-sync record say only what was written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import modelsync
from modelsync.settings import Settings
from modelsync.sync.record import record_path

from .conftest import dumps, files_snapshot, run_cli, sliced

PROVIDERS = ("anthropic", "xai", "groq")


@pytest.fixture
def catalogs(tmp_path: Path) -> tuple[str, str]:
    """An older and a newer catalog of the same providers, as files."""
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_bytes(dumps(sliced("2026-03-18", PROVIDERS)))
    new.write_bytes(dumps(sliced("2026-05-21", PROVIDERS)))
    return str(old), str(new)


def test_a_refused_sync_reports_nothing_written(
    settings: Settings, config_dir: Path, catalogs: tuple[str, str]
) -> None:
    old, new = catalogs
    assert modelsync.sync_to_configs(settings=settings, source=new).ok
    before = files_snapshot(config_dir)

    report = modelsync.sync_to_configs(settings=settings, source=old)

    assert report.refused and not report.ok
    assert files_snapshot(config_dir) == before
    assert report.changed_files == []
    counts = report.counts()
    assert counts["providers"]["added"] == counts["providers"]["changed"] == 0
    assert counts["models"]["price_changed"] == 0 and counts["models"]["added"] == 0
    assert report.refusal is not None
    would = sorted(str(config_dir / f"{p}.yml") for p in PROVIDERS)
    assert sorted(report.refusal["would_change"]) == would
    data = report.to_json()
    assert data["changed_files"] == [] and data["new_providers"] == []
    assert data["counts"]["providers"]["changed"] == 0
    assert data["refusal"]["would_change"] == report.refusal["would_change"]
    assert all(not changes for changes in data["changes"].values())


def test_a_refused_sync_is_not_recorded_as_the_last_sync(
    settings: Settings, config_dir: Path, catalogs: tuple[str, str]
) -> None:
    old, new = catalogs
    first = modelsync.sync_if_needed(max_age=86400, settings=settings.replace(source=new))
    assert first is not None and first.ok
    recorded = modelsync.last_sync(settings=settings)
    assert recorded is not None and recorded.changed_files == len(PROVIDERS)
    # A day later, a stale mirror serves an older catalog.
    data = json.loads(record_path(settings).read_text())
    data["at"] -= 2 * 86400
    record_path(settings).write_text(json.dumps(data))

    report = modelsync.sync_if_needed(max_age=86400, settings=settings.replace(source=old))

    assert report is not None and report.refused and report.changed_files == []
    last = modelsync.last_sync(settings=settings)
    assert last is not None and last.ok
    assert last.catalog_sha256 == first.source.sha256, "still the sync that applied"
    assert last.age > 86400, "a refused sync does not make the directory fresh"
    again = modelsync.sync_if_needed(max_age=86400, settings=settings.replace(source=old))
    assert again is not None and again.refused, "tried again, not taken as fresh"


@pytest.mark.slow
def test_the_json_report_of_a_refused_sync_lists_no_changed_file(
    tmp_path: Path, catalogs: tuple[str, str]
) -> None:
    old, new = catalogs
    env = {"XDG_CACHE_HOME": str(tmp_path / "xdg")}
    assert run_cli("modelsync", "sync", "--source", new, cwd=tmp_path, env=env).returncode == 0
    result = run_cli("modelsync", "sync", "--json", "--source", old, cwd=tmp_path, env=env)
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert data["ok"] is False and data["refused"]
    assert data["changed_files"] == [] and data["counts"]["providers"]["changed"] == 0
    assert len(data["refusal"]["would_change"]) == len(PROVIDERS)
    text = run_cli("modelsync", "sync", "--source", old, cwd=tmp_path, env=env)
    assert text.returncode == 1 and "Not applied: " in text.stdout
    assert "would have changed 3 files" in text.stdout
