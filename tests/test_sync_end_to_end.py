"""`invoke sync` as a user runs it: a subprocess, a loopback server, real snapshots."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import modelsync
from modelsync.settings import Settings
from modelsync.upstream.fetch import bundled_date, read_bundled

from .conftest import ROOT, catalog, dumps, raw_snapshot, run_cli, sliced, yaml11
from .expected import check_entry
from .httpserver import CatalogServer, Reply


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A checkout of this project's tasks.py, without its config/ directory."""
    work = tmp_path / "repo"
    work.mkdir()
    shutil.copy(ROOT / "tasks.py", work / "tasks.py")
    return work


@pytest.mark.slow
def test_full_catalog_over_http_equals_the_snapshot_and_second_run_sends_nothing(
    server: CatalogServer, repo: Path, tmp_path: Path
) -> None:
    url = server.serve("/api.json", Reply(raw_snapshot("2026-05-21")))
    env = {"XDG_CACHE_HOME": str(tmp_path / "xdg")}
    first = run_cli("sync", "--source", url, cwd=repo, env=env)
    assert first.returncode == 0, first.stderr
    assert "132 added" in first.stdout
    upstream = catalog("2026-05-21")
    files = sorted((repo / "config" / "models").glob("*.yml"))
    assert sorted(p.stem for p in files) == sorted(upstream)
    checked = 0
    for path in files:
        doc = yaml11(path.read_text(encoding="utf-8"))  # a YAML 1.1 reader
        assert doc["provider"] == path.stem
        assert set(doc["models"]) == set(upstream[path.stem]["models"])
        for model_id, raw in upstream[path.stem]["models"].items():
            check_entry(
                doc["models"][model_id],
                raw,
                f"{path.stem}/{model_id}",
                upstream[path.stem].get("api"),
            )
            checked += 1
    assert checked == 4803

    second = run_cli("sync", "--source", url, cwd=repo, env=env)
    assert second.returncode == 0, second.stderr
    assert len(server.hits()) == 1, "the second run within the hour made a request"
    assert "0 added, 0 changed, 132 unchanged" in second.stdout


@pytest.mark.slow
def test_sync_with_no_network_writes_the_bundled_catalog_and_says_so(
    repo: Path, tmp_path: Path
) -> None:
    env = {
        "XDG_CACHE_HOME": str(tmp_path / "xdg"),
        "INVOKE_MODELSYNC_API_URL": "https://models.dev.invalid/api.json",
    }
    result = run_cli("sync", cwd=repo, env=env)
    assert result.returncode == 0, result.stderr
    assert f"bundled snapshot of {bundled_date()}" in result.stderr
    written = {p.stem for p in (repo / "config" / "models").glob("*.yml")}
    assert written == set(read_bundled().catalog)
    check = run_cli("validate", cwd=repo, env=env)
    assert check.returncode == 0, check.stdout + check.stderr


def test_one_malformed_model_is_skipped_and_named(
    settings: Settings, config_dir: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data = sliced(providers=["anthropic", "xai"])
    models = data["anthropic"]["models"]
    models["claude-opus-4-1"]["limit"]["context"] = "200k"
    models["claude-3-5-haiku-latest"]["cost"]["input"] = -1
    source = tmp_path / "api.json"
    source.write_bytes(dumps(data))
    report = modelsync.sync_to_configs(settings=settings, source=str(source))
    assert report.ok
    doc = yaml11((config_dir / "anthropic.yml").read_text())
    assert "claude-opus-4-1" not in doc["models"]
    assert "claude-3-5-haiku-latest" not in doc["models"]
    assert len(doc["models"]) == len(models) - 2
    assert (config_dir / "xai.yml").exists()
    skipped = {(p, m): why for p, m, why in report.skipped_models()}
    assert "limit.context" in skipped[("anthropic", "claude-opus-4-1")]
    assert "cost.input" in skipped[("anthropic", "claude-3-5-haiku-latest")]
    assert any("anthropic/claude-opus-4-1" in r.getMessage() for r in caplog.records)


def test_a_model_gone_bad_upstream_keeps_its_entry(
    settings: Settings, config_dir: Path, tmp_path: Path
) -> None:
    data = sliced(providers=["anthropic"])
    source = tmp_path / "api.json"
    source.write_bytes(dumps(data))
    modelsync.sync_to_configs(settings=settings, source=str(source))
    before = yaml11((config_dir / "anthropic.yml").read_text())
    data["anthropic"]["models"]["claude-opus-4-1"]["limit"]["output"] = "lots"
    source.write_bytes(dumps(data))
    modelsync.sync_to_configs(settings=settings, source=str(source))
    after = yaml11((config_dir / "anthropic.yml").read_text())
    assert after["models"]["claude-opus-4-1"] == before["models"]["claude-opus-4-1"]
    assert after["models"]["claude-opus-4-1"]["available"] is True


@pytest.mark.slow
def test_json_report_is_one_document_on_stdout(
    server: CatalogServer, repo: Path, tmp_path: Path
) -> None:
    url = server.serve("/api.json", Reply(dumps(sliced())))
    result = run_cli(
        "sync", "--source", url, "--json", cwd=repo, env={"XDG_CACHE_HOME": str(tmp_path / "xdg")}
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["counts"]["providers"]["added"] == len(sliced())
