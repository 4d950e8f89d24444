"""clear-cache forgets this project's state only; ``--all`` every project's; the HTTP
cache of the catalog is shared by all projects."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import modelsync
from modelsync.settings import Settings, make_settings
from modelsync.use.index import index_path

from .conftest import run_cli, sliced, write_catalog
from .test_project_config import ADOPTER_TASKS


def project(tmp_path: Path, name: str, source: str, cache: Path) -> Settings:
    """A config directory synced from ``source``, read once (so it has a catalog index)
    and validated, all in the shared cache directory ``cache``."""
    s = make_settings(config_dir=str(tmp_path / name / "config" / "models"), cache_dir=str(cache))
    assert modelsync.sync_to_configs(settings=s, source=source).ok
    assert len(modelsync.list_models(settings=s)) > 0
    assert modelsync.validate_configs(settings=s).ok
    return s


def remembered(s: Settings) -> dict[str, bool]:
    validated = json.loads((s.cache_path / "validated.json").read_text())["valid"]
    return {
        "last sync": modelsync.last_sync(settings=s) is not None,
        "index": index_path(s.cache_path, s.config_path).exists(),
        "validated": len(validated) > 0,
    }


def test_clear_cache_forgets_this_project_only(tmp_path: Path) -> None:
    source = write_catalog(tmp_path / "api.json", sliced(providers=("xai", "groq")))
    cache = tmp_path / "shared-cache"
    mine = project(tmp_path, "mine", source, cache)
    theirs = project(tmp_path, "theirs", write_catalog(tmp_path / "t.json", sliced()), cache)

    removed = modelsync.clear_cache(settings=mine)

    assert f"sync state of {mine.config_path}" in removed
    assert f"catalog index of {mine.config_path}" in removed
    assert f"validation results of {mine.config_path}" in removed
    assert modelsync.last_sync(settings=mine) is None
    assert not index_path(cache, mine.config_path).exists()
    assert remembered(theirs) == {"last sync": True, "index": True, "validated": True}
    # The other project's files are still known valid: only mine are checked again.
    theirs_valid = modelsync.validate_configs(settings=theirs)
    assert theirs_valid.ok

    everything = modelsync.clear_cache(settings=mine, all_projects=True)
    assert "sync state of 1 config directory" in everything
    assert modelsync.last_sync(settings=theirs) is None
    assert not index_path(cache, theirs.config_path).exists()
    assert not (cache / "validated.json").exists()


@pytest.mark.slow
def test_the_task_forgets_this_repository_and_all_forgets_every_one(tmp_path: Path) -> None:
    source = write_catalog(tmp_path / "api.json", sliced(providers=("xai",)))
    env = {"XDG_CACHE_HOME": str(tmp_path / "xdg")}
    repos = []
    for name in ("one", "two"):
        repo = tmp_path / name
        repo.mkdir()
        (repo / "tasks.py").write_text(ADOPTER_TASKS)
        sync = run_cli("catalog.sync", "--source", source, cwd=repo, env=env)
        assert sync.returncode == 0, sync.stderr
        repos.append(repo)
    state = tmp_path / "xdg" / "modelsync" / "state"
    assert len(list(state.glob("*.json"))) == 2

    result = run_cli("catalog.clear-cache", cwd=repos[0], env=env)

    assert result.returncode == 0, result.stderr
    assert "removed sync state of config/models\n" in result.stdout
    assert "config directories" not in result.stdout
    assert len(list(state.glob("*.json"))) == 1, "the other repository keeps its state"
    everything = run_cli("catalog.clear-cache", "--all", cwd=repos[0], env=env)
    assert "removed sync state of 1 config directory" in everything.stdout
    assert not list(state.glob("*.json"))
