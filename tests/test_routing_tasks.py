"""The tasks `cost`, `route` and `scores` as users run them: listed, documented flag by
flag, one error line for every mistake, and their cache forgotten by `clear-cache`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .conftest import ROOT, run_cli
from .routing_fixture import write_fixture

TASKS = ("cost", "route", "scores")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    write_fixture(repo / "config" / "models")
    shutil.copy(ROOT / "tasks.py", repo)
    (repo / "a-file").write_text("x")
    return repo


def test_the_tasks_are_listed(repo: Path) -> None:
    result = run_cli("--list", cwd=repo)
    assert result.returncode == 0, result.stderr
    for task in TASKS:
        assert f"  {task} " in result.stdout


@pytest.mark.parametrize("task", TASKS)
def test_every_flag_has_help(task: str) -> None:
    result = run_cli("--help", task, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    options = result.stdout.split("Options:")[1]
    flags = [line for line in options.splitlines() if line.strip().startswith("-")]
    assert len(flags) >= 6
    for line in flags:
        _, _, help_text = line.strip().partition("  ")
        assert help_text.strip(), f"flag without help: {line!r}"


MISTAKES = [
    (("cost", "--provider", "acme"), 2, "flags --provider and --model are required"),
    (("cost", "--provider", "acme", "--model", "acme-mid", "--input", "lots"), 2, "--input 'lots'"),
    (("cost", "--provider", "acme", "--model", "acme-mid", "--mode", "fast"), 2, "no modes"),
    (("cost", "--provider", "acme", "--model", "acme-mdi"), 2, "did you mean 'acme-mid'"),
    (("route", "--complexity", "complex", "--capability"), 2, "flag --capability needs a value"),
    (("cost", "--provider", "beta", "--model", "beta-noprice", "--input", "1"), 1, "no price"),
    (("route",), 2, "flag --complexity is required"),
    (("route", "--complexity", "hard"), 2, "complexity 'hard': choose one of simple"),
    (("route", "--complexity", "complex", "--max-cost", "cheap"), 2, "--max-cost 'cheap'"),
    (("route", "--complexity", "complex", "--capability", "visoin"), 2, "'vision'"),
    (("route", "--complexity", "complex", "--config-dir", "a-file"), 2, "is not a directory"),
    (("route", "--complexity", "complex", "--limit", "ten"), 2, "--limit 'ten'"),
    (("scores",), 2, "flag --from is required"),
    (("scores", "--from", "nope.jsonl"), 1, "nope.jsonl: cannot read"),
    (("scores", "--from", "a-file"), 1, "a-file:1: not a JSON object"),
    (("scores", "--from", "a-file", "--prior-weight=-1"), 2, "--prior-weight '-1'"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("args", "code", "expected"), MISTAKES)
def test_every_mistake_is_one_line(
    args: tuple[str, ...], code: int, expected: str, repo: Path
) -> None:
    for command in (("modelsync", *args), args):
        result = run_cli(*command, cwd=repo)
        assert result.returncode == code, (command, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("modelsync: error: "), result.stderr
        assert expected in lines[0], lines[0]


@pytest.mark.parametrize("task", TASKS)
def test_bad_settings_are_one_line_too(task: str, repo: Path) -> None:
    args = {
        "cost": ("--provider", "acme", "--model", "acme-mid"),
        "route": ("--complexity", "complex"),
        "scores": ("--from", "a-file"),
    }[task]
    for env in (
        {"INVOKE_MODELSYNC_LOCK_TIMEOUT": "soon"},
        {"INVOKE_MODELSYNC_ROUTE_THRESHOLDS": "complex=9"},
    ):
        result = run_cli("modelsync", task, *args, cwd=repo, env=env)
        assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
        assert "INVOKE_MODELSYNC_" in result.stderr


@pytest.mark.slow
def test_clear_cache_forgets_the_catalog_index(repo: Path, tmp_path: Path) -> None:
    env = {"XDG_CACHE_HOME": str(tmp_path / "xdg")}
    assert run_cli("route", "--complexity", "simple", cwd=repo, env=env).returncode == 0
    index = tmp_path / "xdg" / "modelsync" / "index"
    assert len(list(index.glob("*.json"))) == 1
    result = run_cli("clear-cache", "--config-dir", "config/models", cwd=repo, env=env)
    assert "removed catalog index of config/models" in result.stdout
    assert not list(index.glob("*.json"))
    assert run_cli("models", cwd=repo, env=env).returncode == 0
    everything = run_cli("clear-cache", "--all", cwd=repo, env=env)
    assert "removed catalog index of 1 config directory" in everything.stdout
    assert not index.exists()


def test_settings_keep_a_path_below_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from modelsync.settings import resolve

    (tmp_path / "tasks.py").write_text("")
    work = tmp_path / "sub" / "work"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    s = resolve(flags={"config_dir": str(work / "cfg")}, root=tmp_path, environ={})
    assert Path(s.config_path).resolve() == work / "cfg"
    assert Path(s.replace().config_path).resolve() == work / "cfg"
    assert Path(s.replace(cache_ttl=5).config_path).resolve() == work / "cfg"
    default = resolve(root=tmp_path, environ={})
    assert Path(default.replace().config_path).resolve() == tmp_path / "config" / "models"
