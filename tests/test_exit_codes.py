"""The README's exit-code table holds for every task: a name that matches nothing is a
usage error (2) with "did you mean", whichever task and flag it is given to."""

from __future__ import annotations

from pathlib import Path

import pytest

import modelsync

from .conftest import ROOT, files_snapshot, run_cli, sliced, write_catalog

#: (task and flags, the close name the error must suggest).
MISTYPED = [
    (("sync", "--source", "api.json", "--provider", "anthropc"), "anthropic"),
    (("models", "--provider", "anthropc"), "anthropic"),
    (("models", "--capability", "visoin"), "vision"),
    (("models", "--sort", "inpt_price"), "input_price"),
    (("live", "--provider", "anthropc"), "anthropic"),
    (("cost", "--provider", "anthropc", "--model", "claude-sonnet-4-5"), "anthropic"),
    (("cost", "--provider", "anthropic", "--model", "claude-sonet-4-5"), "claude-sonnet-4-5"),
    (("route", "--complexity", "simple", "--provider", "anthropc"), "anthropic"),
    (("route", "--complexity", "simpel"), "simple"),
    (("route", "--complexity", "simple", "--capability", "visoin"), "vision"),
    (("sync", "--source", "api.json", "--config-dir", "config/model"), "config/models"),
    (("validate", "--config-dir", "config/model"), "config/models"),
    (("scores", "--from", "outcomes.jsonl", "--config-dir", "config/model"), "config/models"),
]


def test_the_readme_states_the_codes_for_every_task() -> None:
    text = (ROOT / "README.md").read_text()
    assert "Every task exits with the same codes:" in text
    assert "| 2 | a usage error:" in text and "a name that matches nothing" in text


@pytest.mark.slow
def test_a_name_that_matches_nothing_exits_2_with_did_you_mean(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    write_catalog(repo / "api.json", sliced(providers=("anthropic", "xai", "groq")))
    (repo / "outcomes.jsonl").write_text(
        '{"provider": "xai", "model": "grok-4", "complexity": "simple", "quality": 4}\n'
    )
    env = {"XDG_CACHE_HOME": str(tmp_path / "xdg")}
    synced = run_cli("modelsync", "sync", "--source", "api.json", "-q", cwd=repo, env=env)
    assert synced.returncode == 0, synced.stderr
    wrong = []
    for args, close in MISTYPED:
        result = run_cli("modelsync", *args, cwd=repo, env=env)
        errors = [line for line in result.stderr.splitlines() if "error:" in line]
        if (
            result.returncode != 2
            or "Traceback" in result.stderr
            or len(errors) != 1
            or f"did you mean '{close}'" not in errors[0]
        ):
            wrong.append((args, result.returncode, result.stderr))
    assert wrong == []
    assert not (repo / "config" / "model").exists(), "a mistyped directory is not created"


def test_a_mistyped_config_dir_beside_the_real_one_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = write_catalog(tmp_path / "api.json", sliced(providers=("xai",)))
    monkeypatch.chdir(tmp_path)
    assert modelsync.sync_to_configs(config_dir="config/models", source=source).ok
    before = files_snapshot(tmp_path / "config")

    with pytest.raises(modelsync.UsageError) as refused:
        modelsync.sync_to_configs(config_dir="config/model", source=source)
    assert str(refused.value) == (
        "config/model: config directory does not exist; did you mean 'config/models'? "
        "(--config-dir, modelsync.config_dir)"
    )
    with pytest.raises(modelsync.UsageError, match="did you mean 'config/models'"):
        modelsync.sync_to_configs(config_dir="config/model", source=source, dry_run=True)
    assert files_snapshot(tmp_path / "config") == before

    # A new directory with no close sibling holding provider files is created as before.
    (tmp_path / "config" / "extras").mkdir()  # close, but empty
    report = modelsync.sync_to_configs(config_dir="config/extra", source=source)
    assert report.ok and report.created_config_dir
    assert modelsync.sync_to_configs(config_dir="catalog", source=source).created_config_dir
    # Directories named by date or version differ on purpose.
    assert modelsync.sync_to_configs(config_dir="2026-03-18", source=source).ok
    assert modelsync.sync_to_configs(config_dir="2026-03-19", source=source).created_config_dir


@pytest.mark.slow
def test_sync_with_a_mistyped_config_dir_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    write_catalog(tmp_path / "api.json", sliced(providers=("xai",)))
    env = {"XDG_CACHE_HOME": str(tmp_path / "xdg")}
    assert (
        run_cli("modelsync", "sync", "--source", "api.json", cwd=tmp_path, env=env).returncode == 0
    )
    result = run_cli(
        "modelsync",
        "sync",
        "--source",
        "api.json",
        "--config-dir",
        "config/model",
        cwd=tmp_path,
        env=env,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "modelsync: error: config/model: config directory does not exist; did you mean "
        "'config/models'? (--config-dir, modelsync.config_dir)"
    )
    assert not (tmp_path / "config" / "model").exists()
