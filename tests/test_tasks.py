"""The Invoke plugin as users run it: real `invoke` subprocesses in temporary repos."""

from __future__ import annotations

import importlib.metadata
import shutil
import textwrap
from pathlib import Path

import pytest

from .conftest import ROOT, dumps, run_cli, sliced

# (PyYAML is not here: Invoke itself imports it to read invoke.yaml.)
HEAVY = ("requests", "requests_cache", "ruamel", "jsonschema", "urllib3")


@pytest.fixture
def source(tmp_path: Path) -> str:
    path = tmp_path / "api.json"
    path.write_bytes(dumps(sliced(providers=["anthropic", "xai", "groq"])))
    return str(path)


@pytest.fixture
def user_repo(tmp_path: Path) -> Path:
    """A repository that mounts modelsync's collection next to its own tasks."""
    repo = tmp_path / "user-repo"
    repo.mkdir()
    (repo / "tasks.py").write_text(
        textwrap.dedent(
            """
            from invoke import Collection, task
            import modelsync.tasks

            @task
            def hello(c):
                print("hello from the repo")

            @task(pre=[modelsync.tasks.sync])
            def release(c):
                print("release after sync")

            ns = Collection(hello, release)
            ns.add_collection(modelsync.tasks.ns, name="models")
            """
        )
    )
    return repo


def test_listing_tasks_imports_nothing_heavy_and_touches_no_network(tmp_path: Path) -> None:
    repo = tmp_path / "r"
    repo.mkdir()
    shutil.copy(ROOT / "tasks.py", repo)
    result = run_cli("--list", cwd=repo, env={"PYTHONPROFILEIMPORTTIME": "1"})
    assert result.returncode == 0, result.stderr
    for task in ("sync", "validate", "clear-cache", "models", "live"):
        assert task in result.stdout
    imported = {
        line.split("|")[-1].strip().split(".")[0]
        for line in result.stderr.splitlines()
        if line.startswith("import time:")
    }
    assert "modelsync" in imported
    assert not imported & set(HEAVY), imported & set(HEAVY)


@pytest.mark.parametrize("task", ["sync", "validate", "clear-cache", "models", "live"])
def test_every_flag_has_help(task: str) -> None:
    result = run_cli("--help", task, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    options = result.stdout.split("Options:")[1]
    flags = [line for line in options.splitlines() if line.strip().startswith("-")]
    assert flags
    for line in flags:
        # "  -c STRING, --config-dir=STRING   the help": the help follows two spaces
        _, _, help_text = line.strip().partition("  ")
        assert help_text.strip(), f"flag without help: {line!r}"
    assert "--config-dir" in options


@pytest.mark.slow
def test_mounted_collection_config_file_and_environment(
    user_repo: Path, source: str, tmp_path: Path
) -> None:
    (user_repo / "invoke.yaml").write_text("modelsync:\n  config_dir: catalog\n")
    result = run_cli("models.sync", "--source", source, cwd=user_repo)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (user_repo / "catalog").iterdir()) == [
        "anthropic.yml",
        "groq.yml",
        "xai.yml",
    ]
    # The environment beats invoke.yaml; a flag beats both.
    result = run_cli(
        "models.sync",
        "--source",
        source,
        cwd=user_repo,
        env={"INVOKE_MODELSYNC_CONFIG_DIR": "from-env"},
    )
    assert result.returncode == 0, result.stderr
    assert (user_repo / "from-env" / "xai.yml").exists()
    result = run_cli(
        "models.sync",
        "--source",
        source,
        "--config-dir",
        "from-flag",
        cwd=user_repo,
        env={"INVOKE_MODELSYNC_CONFIG_DIR": "from-env"},
    )
    assert (user_repo / "from-flag" / "xai.yml").exists()


@pytest.mark.slow
def test_tasks_chain_and_run_as_pre_tasks(user_repo: Path, source: str) -> None:
    env = {"INVOKE_MODELSYNC_SOURCE": source}
    result = run_cli("models.sync", "models.validate", "hello", cwd=user_repo, env=env)
    assert result.returncode == 0, result.stderr
    assert "3 files valid" in result.stdout
    assert result.stdout.rstrip().endswith("hello from the repo")
    result = run_cli("release", cwd=user_repo, env=env)
    assert result.returncode == 0, result.stderr
    assert "unchanged" in result.stdout and "release after sync" in result.stdout


def test_this_repos_tasks_run_at_top_level(source: str, tmp_path: Path) -> None:
    repo = tmp_path / "r"
    repo.mkdir()
    shutil.copy(ROOT / "tasks.py", repo)
    result = run_cli("sync", "--source", source, "validate", cwd=repo)
    assert result.returncode == 0, result.stderr
    assert (repo / "config" / "models" / "anthropic.yml").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--source", "ftp://example.com/api.json"], "unsupported scheme 'ftp'"),
        (["--source", "/does/not/exist.json"], "cannot read /does/not/exist.json"),
        (["--provider", "antropic"], "did you mean 'anthropic'"),
    ],
)
def test_expected_failures_are_one_line_without_traceback(
    args: list[str], message: str, tmp_path: Path, source: str
) -> None:
    repo = tmp_path / "r"
    repo.mkdir()
    shutil.copy(ROOT / "tasks.py", repo)
    if "--source" not in args:
        args = ["--source", source, *args]
    result = run_cli("sync", *args, cwd=repo)
    assert result.returncode == (2 if "did you mean" in message else 1), "a name is a usage error"
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if "error" in line]
    assert len(errors) == 1 and message in errors[0], result.stderr


def test_modelsync_command_runs_the_same_tasks(source: str, tmp_path: Path) -> None:
    result = run_cli("modelsync", "sync", "--source", source, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "config" / "models" / "groq.yml").exists()
    out = run_cli("modelsync", "--version", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f"modelsync {importlib.metadata.version('modelsync')}"


@pytest.mark.slow
def test_clear_cache_says_what_it_removed(source: str, tmp_path: Path) -> None:
    repo = tmp_path / "r"
    repo.mkdir()
    shutil.copy(ROOT / "tasks.py", repo)
    assert run_cli("sync", "--source", source, cwd=repo).returncode == 0
    result = run_cli("clear-cache", cwd=repo)
    assert result.returncode == 0, result.stderr
    assert "removed sync state of config/models" in result.stdout
    again = run_cli("clear-cache", cwd=repo)
    assert "nothing to remove" in again.stdout
    assert run_cli("sync", "--source", source, cwd=repo).returncode == 0
    assert run_cli("sync", "--source", source, "--config-dir", "other", cwd=repo).returncode == 0
    one = run_cli("clear-cache", "--config-dir", "other", cwd=repo)
    assert "removed sync state of other" in one.stdout
    rest = run_cli("clear-cache", "--all", cwd=repo)
    assert "removed sync state of 1 config directory" in rest.stdout


def test_unknown_settings_are_named(user_repo: Path, source: str) -> None:
    (user_repo / "invoke.yaml").write_text("modelsync:\n  cache_tll: 60\n")
    result = run_cli("models.sync", "--source", source, cwd=user_repo)
    assert result.returncode == 0, result.stderr
    assert "ignoring unknown setting(s) modelsync.cache_tll" in result.stderr
    import modelsync

    with pytest.raises(TypeError, match="did you mean 'config_dir'"):
        modelsync.sync_to_configs(confg_dir="x")
