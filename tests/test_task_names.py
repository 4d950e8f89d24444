"""Interfaces that fit the conventions: task objects named as their tasks (so they chain
with ``pre=``), and messages that name tasks as the running program calls them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from invoke.tasks import Task

import modelsync.tasks

from .conftest import ROOT, run_cli, sliced, write_catalog
from .test_readme import readme_blocks

TASKS = (
    "sync",
    "validate",
    "models",
    "live",
    "cost",
    "route",
    "scores",
    "history",
    "audit",
    "clear_cache",
)


def test_every_task_object_is_named_as_its_task() -> None:
    for name in TASKS:
        task = getattr(modelsync.tasks, name)
        assert isinstance(task, Task), name
        assert modelsync.tasks.ns[name.replace("_", "-")] is task
    assert set(modelsync.tasks.__all__) == {*TASKS, "ns"}
    assert sorted(modelsync.tasks.ns.tasks) == sorted(t.replace("_", "-") for t in TASKS)


def readme_tasks_py() -> str:
    (code,) = [c for s, _, c in readme_blocks() if c.startswith("# tasks.py")]
    return code


def adopter(tmp_path: Path, tasks_py: str) -> Path:
    """A repository whose tasks.py is ``tasks_py``, synced from a small catalog."""
    repo = tmp_path / "adopter"
    repo.mkdir()
    (repo / "tasks.py").write_text(tasks_py)
    write_catalog(repo / "api.json", sliced(providers=("xai", "groq")))
    return repo


def sync_command(repo: Path) -> tuple[str, ...]:
    text = (repo / "tasks.py").read_text()
    return ("catalog.sync",) if 'name="catalog"' in text else ("sync",)


@pytest.mark.slow
def test_the_readme_chains_its_own_task_after_validate(tmp_path: Path) -> None:
    repo = adopter(tmp_path, readme_tasks_py())
    assert run_cli("catalog.sync", "--source", "api.json", "-q", cwd=repo).returncode == 0
    release = run_cli("release", cwd=repo)
    assert release.returncode == 0, release.stderr
    assert re.search(r"^2 files valid\ncatalog valid: releasing$", release.stdout, re.M)
    broken = repo / "config" / "models" / "xai.yml"
    broken.write_text(broken.read_text().replace("provider: xai", "provider: 5", 1))
    stopped = run_cli("release", cwd=repo)
    assert stopped.returncode == 1 and "releasing" not in stopped.stdout


MOUNTED = """\
from invoke import Collection
import modelsync.tasks

ns = Collection()
ns.add_collection(modelsync.tasks.ns, name="catalog")
"""


@pytest.mark.slow
@pytest.mark.parametrize(
    ("command", "tasks_py", "expected"),
    [
        (("catalog.route",), MOUNTED, "invoke catalog.models"),
        (("modelsync", "route"), MOUNTED, "modelsync models"),
        (("route",), (ROOT / "tasks.py").read_text(), "invoke models"),
    ],
)
def test_a_message_names_the_task_as_this_program_calls_it(
    tmp_path: Path, command: tuple[str, ...], tasks_py: str, expected: str
) -> None:
    repo = adopter(tmp_path, tasks_py)
    synced = run_cli(*sync_command(repo), "--source", "api.json", "-q", cwd=repo)
    assert synced.returncode == 0, synced.stderr
    result = run_cli(*command, "--complexity", "simple", "--min-context", "900M", cwd=repo)
    assert result.returncode == 1
    assert f"relax a constraint ({expected} lists the models)" in result.stderr


@pytest.mark.slow
def test_a_refused_file_points_at_the_validate_task_of_this_repository(tmp_path: Path) -> None:
    repo = adopter(tmp_path, MOUNTED)
    assert run_cli("catalog.sync", "--source", "api.json", "-q", cwd=repo).returncode == 0
    path = repo / "config" / "models" / "groq.yml"
    typos = "provider: groq\ndefualt_model: a\ndocs: b\n"
    path.write_text(path.read_text().replace("provider: groq\n", typos, 1))
    result = run_cli("catalog.sync", "--source", "api.json", cwd=repo)
    assert result.returncode == 1
    assert "(and 1 more, see invoke catalog.validate)" in result.stderr, result.stderr
