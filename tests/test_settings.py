"""One settings path and one error path: every entry point reads the same settings, and
every mistake a user can make ends in one line, never a traceback or a silent pass.

Real ``invoke`` and ``modelsync`` subprocesses in temporary projects, against a
loopback catalog.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from modelsync.errors import UsageError
from modelsync.settings import resolve

from .conftest import ROOT, dumps, run_cli, sliced
from .httpserver import CatalogServer, Reply

PROVIDERS = ["anthropic", "xai", "groq"]


def _project(tmp_path: Path, invoke_yaml: str = "") -> Path:
    """A project whose tasks.py mounts modelsync as ``catalog``, with a local catalog."""
    repo = tmp_path / "project"
    repo.mkdir()
    (repo / "tasks.py").write_text(
        textwrap.dedent(
            """
            from invoke import Collection
            import modelsync.tasks

            ns = Collection()
            ns.add_collection(modelsync.tasks.ns, name="catalog")
            """
        )
    )
    if invoke_yaml:
        (repo / "invoke.yaml").write_text(textwrap.dedent(invoke_yaml))
    (repo / "api.json").write_bytes(dumps(sliced(providers=PROVIDERS)))
    return repo


def _no_traceback(result: object) -> str:
    stderr: str = result.stderr  # type: ignore[attr-defined]
    assert "Traceback" not in stderr, stderr
    errors = [line for line in stderr.splitlines() if line.startswith("modelsync: error: ")]
    assert len(errors) == 1, stderr
    return errors[0]


# --- the modelsync command reads the project's invoke.yaml ----------------------------


@pytest.mark.slow
def test_modelsync_validate_checks_the_directory_invoke_yaml_names(tmp_path: Path) -> None:
    repo = _project(tmp_path, "modelsync:\n  config_dir: catalog\n")
    (repo / "catalog").mkdir()
    (repo / "catalog" / "bad.yml").write_text("provider: bad\nmodels: [\n")
    for command in (("modelsync", "validate"), ("catalog.validate",)):
        result = run_cli(*command, cwd=repo)
        assert result.returncode == 1, (command, result.stdout, result.stderr)
        assert "catalog/bad.yml:" in result.stdout + result.stderr, command


@pytest.fixture
def server() -> object:
    with CatalogServer() as srv:
        srv.serve("/api.json", Reply(dumps(sliced(providers=PROVIDERS))))
        yield srv


@pytest.mark.slow
@pytest.mark.parametrize("command", [("modelsync", "sync"), ("catalog.sync",)])
def test_both_commands_read_config_dir_providers_and_cache_ttl(
    command: tuple[str, ...], tmp_path: Path, server: CatalogServer
) -> None:
    repo = _project(
        tmp_path,
        f"""
        modelsync:
          api_url: {server.url()}
          config_dir: catalog
          providers: [groq, xai]
          cache_ttl: 0
        """,
    )
    first = run_cli(*command, "-q", cwd=repo)
    assert first.returncode == 0, first.stderr
    assert sorted(p.name for p in (repo / "catalog").iterdir()) == ["groq.yml", "xai.yml"]
    assert not (repo / "config").exists()
    hits = len(server.hits())
    again = run_cli(*command, "-q", cwd=repo)
    assert again.returncode == 0, again.stderr
    assert len(server.hits()) == hits + 1, "cache_ttl: 0 revalidates on every run"


# --- environment variables ------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("command", [("modelsync", "sync"), ("catalog.sync",)])
def test_offline_false_in_the_environment_uses_the_network(
    command: tuple[str, ...], tmp_path: Path, server: CatalogServer
) -> None:
    repo = _project(tmp_path)
    env = {"INVOKE_MODELSYNC_API_URL": server.url(), "INVOKE_MODELSYNC_OFFLINE": "false"}
    result = run_cli(*command, "-q", cwd=repo, env=env)
    assert result.returncode == 0, result.stderr
    assert len(server.hits()) == 1
    offline = run_cli(
        *command,
        "-q",
        "--config-dir",
        "other",
        cwd=repo,
        env={**env, "INVOKE_MODELSYNC_OFFLINE": "on"},
    )
    assert offline.returncode == 0, offline.stderr
    assert len(server.hits()) == 1, "offline: on makes no request"


@pytest.mark.slow
@pytest.mark.parametrize("command", [("modelsync", "sync"), ("catalog.sync",)])
def test_every_type_of_setting_reads_from_the_environment(
    command: tuple[str, ...], tmp_path: Path, server: CatalogServer
) -> None:
    repo = _project(tmp_path)
    env = {
        "INVOKE_MODELSYNC_API_URL": server.url(),  # a string
        "INVOKE_MODELSYNC_PROVIDERS": "groq, xai",  # a list
        "INVOKE_MODELSYNC_CACHE_TTL": "0",  # a whole number
        "INVOKE_MODELSYNC_READ_TIMEOUT": "2.5",  # a number
        "INVOKE_MODELSYNC_PRUNE": "yes",  # a boolean
        "INVOKE_MODELSYNC_CONFIG_DIR": "from-env",
    }
    for _ in range(2):
        result = run_cli(*command, "-q", cwd=repo, env=env)
        assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (repo / "from-env").iterdir()) == ["groq.yml", "xai.yml"]
    assert len(server.hits()) == 2, "cache_ttl 0 from the environment"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("var", "value", "expected"),
    [
        ("OFFLINE", "maybe", "expected a boolean (1/0, true/false, yes/no, on/off)"),
        ("CACHE_TTL", "abc", "expected a whole number, got 'abc'"),
        ("READ_TIMEOUT", "nan", "expected a number, got 'nan'"),
        ("CONNECT_TIMEOUT", "0", "must be > 0"),
        ("FETCH_DEADLINE", "inf", "expected a number"),
        ("RETRIES", "-1", "must be >= 0"),
        ("CACHE_TTL", "99999999999999999999", "must be >= 0 and <= "),
    ],
)
def test_a_bad_environment_value_names_the_variable(
    var: str, value: str, expected: str, tmp_path: Path
) -> None:
    repo = _project(tmp_path)
    for command in (("modelsync", "sync"), ("catalog.sync",)):
        result = run_cli(*command, cwd=repo, env={f"INVOKE_MODELSYNC_{var}": value})
        assert result.returncode == 2, (command, result.stderr)
        line = _no_traceback(result)
        assert f"environment variable INVOKE_MODELSYNC_{var}" in line and expected in line, line
    assert not (repo / "config").exists()


def test_an_unknown_environment_variable_is_named(tmp_path: Path) -> None:
    repo = _project(tmp_path)
    result = run_cli(
        "modelsync",
        "sync",
        "--source",
        "api.json",
        cwd=repo,
        env={"INVOKE_MODELSYNC_CACHE_TLL": "5"},
    )
    assert result.returncode == 0, result.stderr
    assert "ignoring unknown setting(s) INVOKE_MODELSYNC_CACHE_TLL" in result.stderr


def test_settings_layers_flags_beat_environment_beat_file() -> None:
    env = {"INVOKE_MODELSYNC_CACHE_TTL": "60", "INVOKE_MODELSYNC_PROVIDERS": "a,b"}
    s = resolve({"cache_ttl": 1800, "providers": ["x"]}, environ=env, root="/p")
    assert (s.cache_ttl, s.providers) == (60, ("a", "b"))
    s = resolve({"cache_ttl": 1800}, environ=env, flags={"cache_ttl": 5}, root="/p")
    assert s.cache_ttl == 5
    s = resolve({"cache_ttl": "1800"}, environ={}, root="/p")
    assert s.cache_ttl == 1800
    with pytest.raises(UsageError, match=r"setting modelsync.offline: expected a boolean"):
        resolve({"offline": "perhaps"}, environ={})
    with pytest.raises(UsageError, match=r"flag --provider: expected a list"):
        resolve(flags={"providers": 3}, flag_names={"providers": "--provider"}, environ={})


# --- paths are relative to the project -------------------------------------------------


@pytest.mark.slow
def test_a_task_run_from_a_subdirectory_writes_to_the_project(tmp_path: Path) -> None:
    repo = _project(tmp_path)
    sub = repo / "src" / "deep"
    sub.mkdir(parents=True)
    for command in (("catalog.sync",), ("modelsync", "sync")):
        result = run_cli(*command, "--source", "api.json", cwd=sub)
        assert result.returncode == 0, result.stderr
        first = result.stdout.splitlines()[0]
        assert first.startswith(f"Config directory: {repo / 'config' / 'models'}"), first
    assert sorted(p.name for p in (repo / "config" / "models").iterdir()) == [
        f"{p}.yml" for p in sorted(PROVIDERS)
    ]
    assert [p.name for p in sub.iterdir()] == [], "nothing written in the subdirectory"
    assert not (repo / "src" / "config").exists()


def test_the_api_resolves_against_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    s = resolve(keywords={"config_dir": "cfg", "source": "api.json"}, environ={})
    assert Path(s.config_dir).resolve() == tmp_path / "cfg"
    assert Path(str(s.source)).resolve() == tmp_path / "api.json"
    assert resolve(keywords={"source": "https://x.test/a.json"}, environ={}).source == (
        "https://x.test/a.json"
    )


# --- no silent passes -----------------------------------------------------------------


@pytest.mark.slow
def test_validate_fails_on_a_missing_file_or_empty_config_directory(tmp_path: Path) -> None:
    repo = _project(tmp_path)
    (repo / "a-file").write_text("x")
    (repo / "empty").mkdir()
    for command in (("modelsync", "validate"), ("catalog.validate",)):
        missing = run_cli(*command, "--config-dir", "nope", cwd=repo)
        assert missing.returncode == 2 and "0 files valid" not in missing.stdout
        assert "nope: config directory does not exist" in _no_traceback(missing)
        not_dir = run_cli(*command, "--config-dir", "a-file", cwd=repo)
        assert not_dir.returncode == 2
        assert "a-file: config directory is not a directory" in _no_traceback(not_dir)
        empty = run_cli(*command, "--config-dir", "empty", cwd=repo)
        assert empty.returncode == 1
        assert "no provider files" in _no_traceback(empty)
        allowed = run_cli(*command, "--config-dir", "empty", "--allow-empty", cwd=repo)
        assert allowed.returncode == 0 and "0 files valid" in allowed.stdout


@pytest.mark.slow
def test_sync_says_it_created_the_config_directory(tmp_path: Path) -> None:
    repo = _project(tmp_path)
    first = run_cli("catalog.sync", "--source", "api.json", cwd=repo)
    assert "(created)" in first.stdout.splitlines()[0]
    again = run_cli("catalog.sync", "--source", "api.json", "--json", cwd=repo)
    assert json.loads(again.stdout)["created_config_dir"] is False
    assert "(created)" not in run_cli("catalog.sync", "--source", "api.json", cwd=repo).stdout


# --- .yaml provider files ---------------------------------------------------------------


@pytest.mark.slow
def test_a_yaml_file_is_the_providers_file(tmp_path: Path) -> None:
    repo = _project(tmp_path)
    assert run_cli("catalog.sync", "--source", "api.json", cwd=repo).returncode == 0
    models = repo / "config" / "models"
    (models / "xai.yml").rename(models / "xai.yaml")
    check = run_cli("catalog.sync", "--source", "api.json", "--check", cwd=repo)
    assert check.returncode == 0, check.stdout + check.stderr
    text = (models / "xai.yaml").read_text().replace("\nmodels:", "\n# ours\nmodels:", 1)
    (models / "xai.yaml").write_text(text)
    synced = run_cli("catalog.sync", "--source", "api.json", cwd=repo)
    assert synced.returncode == 0, synced.stderr
    assert not (models / "xai.yml").exists() and "# ours" in (models / "xai.yaml").read_text()
    valid = run_cli("catalog.validate", cwd=repo)
    assert valid.returncode == 0 and "3 files valid" in valid.stdout
    listed = json.loads(run_cli("catalog.models", "--provider", "xai", "--json", cwd=repo).stdout)
    assert listed and all(m["provider"] == "xai" for m in listed)
    (models / "xai.yml").write_text((models / "xai.yaml").read_text())
    for command in ("catalog.sync", "catalog.validate"):
        both = (
            run_cli(command, "--source", "api.json", cwd=repo)
            if command.endswith("sync")
            else run_cli(command, cwd=repo)
        )
        assert both.returncode == 1, both.stderr
        line = _no_traceback(both)
        assert "provider 'xai' has two files, xai.yaml and xai.yml" in line, line


# --- one error funnel -------------------------------------------------------------------


def _unusable_cache(repo: Path) -> dict[str, str]:
    (repo / "not-a-dir").write_text("")
    return {"XDG_CACHE_HOME": str(repo / "not-a-dir" / "cache")}


@pytest.mark.slow
def test_an_unusable_cache_directory_is_a_warning(tmp_path: Path, server: CatalogServer) -> None:
    repo = _project(tmp_path)
    env = {**_unusable_cache(repo), "INVOKE_MODELSYNC_API_URL": server.url()}
    for command in (("catalog.sync",), ("modelsync", "sync")):
        result = run_cli(*command, cwd=repo, env=env)
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
        warnings = [line for line in result.stderr.splitlines() if "cache directory" in line]
        assert len(warnings) == 1 and "unusable" in warnings[0], result.stderr
    assert (repo / "config" / "models" / "groq.yml").exists()
    assert len(server.hits()) == 2, "no cache: each run asks the server"
    assert run_cli("catalog.validate", cwd=repo, env=env).returncode == 0


def test_clear_cache_that_cannot_remove_is_one_line(tmp_path: Path) -> None:
    repo = _project(tmp_path)
    cache = tmp_path / "xdg"
    (cache / "modelsync" / "validated.json").mkdir(parents=True)  # cannot be unlinked
    result = run_cli("catalog.clear-cache", cwd=repo, env={"XDG_CACHE_HOME": str(cache)})
    assert result.returncode == 1
    assert "validated.json: cannot remove" in _no_traceback(result)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "code", "expected"),
    [
        (("models", "--limit", "ten"), 2, "--limit 'ten': expected a whole number"),
        (("models", "--min-context", "lots"), 2, "--min-context 'lots': expected a whole number"),
        (("models", "--max-input-price", "cheap"), 2, "--max-input-price 'cheap'"),
        (("models", "--capability", "visoin"), 2, "did you mean 'vision'"),
        (("models", "--config-dir", "a-file"), 2, "is not a directory"),
        (("validate", "--config-dir", "a-file"), 2, "is not a directory"),
        (("validate", "--format", "xml"), 2, "--format: expected text or json"),
        (("sync", "--provider"), 2, "flag --provider needs a value"),
        (("sync", "--exclude", "--offline"), 2, "flag --exclude needs a value"),
        (("sync", "--config-dir", "a-file", "--offline"), 2, "is not a directory"),
        (("sync", "--source", "nope.json"), 1, "nope.json"),
    ],
)
def test_every_mistake_is_one_line(
    args: tuple[str, ...], code: int, expected: str, tmp_path: Path
) -> None:
    repo = _project(tmp_path)
    (repo / "a-file").write_text("x")
    assert run_cli("catalog.sync", "--source", "api.json", "-q", cwd=repo).returncode == 0
    for command in (("modelsync", *args), (f"catalog.{args[0]}", *args[1:])):
        result = run_cli(*command, cwd=repo)
        assert result.returncode == code, (command, result.stderr)
        assert expected in _no_traceback(result), result.stderr


@pytest.mark.slow
def test_flags_take_the_forms_users_type(tmp_path: Path) -> None:
    repo = _project(tmp_path)
    assert run_cli("catalog.sync", "--source", "api.json", "-q", cwd=repo).returncode == 0

    def listed(*args: str) -> list[str]:
        result = run_cli("catalog.models", "--json", *args, cwd=repo)
        assert result.returncode == 0, result.stderr
        return [f"{m['provider']}/{m['id']}" for m in json.loads(result.stdout)]

    plain = listed("--min-context", "200000")
    assert plain and listed("--min-context", "200k") == plain
    assert listed("--min-context", "1M") == listed("--min-context", "1000000")
    assert len(listed("--min-context", "1M")) < len(plain)
    assert len(listed("--limit", "2")) == 2


def test_exclude_matching_nothing_is_a_warning(tmp_path: Path) -> None:
    repo = _project(tmp_path)
    result = run_cli("catalog.sync", "--source", "api.json", "--exclude", "nosuch", cwd=repo)
    assert result.returncode == 0, result.stderr
    assert "modelsync: warning: --exclude 'nosuch' matches no provider" in result.stderr


@pytest.mark.parametrize(
    ("args", "check"),
    [
        (("catalog.sync", "--source", "nope.json", "--json"), "errors"),
        (("catalog.sync", "--provider", "nosuch", "--offline", "--json"), "errors"),
        (("catalog.validate", "--config-dir", "nope", "--format", "json"), "errors"),
        (("catalog.models", "--capability", "visoin", "--json"), "errors"),
    ],
)
def test_json_always_answers(args: tuple[str, ...], check: str, tmp_path: Path) -> None:
    repo = _project(tmp_path)
    (repo / "config" / "models").mkdir(parents=True)
    (repo / "config" / "models" / "x.yml").write_text("provider: x\nmodels: {}\n")
    result = run_cli(*args, cwd=repo)
    assert result.returncode in (1, 2)
    doc = json.loads(result.stdout)
    assert doc["ok"] is False and doc[check], doc
    line = _no_traceback(result)
    text = json.dumps(doc[check])
    assert line.removeprefix("modelsync: error: ")[:40] in text


@pytest.mark.slow
def test_verbose_help_and_counting_agree(tmp_path: Path) -> None:
    repo = _project(tmp_path)
    help_text = run_cli("--help", "catalog.sync", cwd=repo).stdout
    line = next(x for x in help_text.splitlines() if "--verbose" in x)
    assert "-v, --verbose" in line and "INT" not in line, line
    assert run_cli("catalog.sync", "--source", "api.json", cwd=repo).returncode == 0
    debug = run_cli("catalog.sync", "--source", "api.json", "--provider", "groq", "-vv", cwd=repo)
    assert debug.returncode == 0 and "modelsync: debug:" in debug.stderr
    info = run_cli(
        "catalog.sync", "--source", "api.json", "--provider", "groq", "--verbose", cwd=repo
    )
    assert info.returncode == 0 and "modelsync: debug:" not in info.stderr
    assert "modelsync: info:" in info.stderr
    wrong = run_cli("modelsync", "sync", "--verbose=2", cwd=repo)
    assert wrong.returncode == 2 and "Traceback" not in wrong.stderr


# --- packaging --------------------------------------------------------------------------


def test_the_package_says_how_it_is_licensed_and_built() -> None:
    license_text = (ROOT / "LICENSE").read_text()
    assert license_text.startswith("MIT License")
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert 'license = "MIT"' in pyproject
    assert 'requires = ["setuptools>=77"]' in pyproject
    readme = (ROOT / "README.md").read_text()
    assert "## Install in your repository" in readme and "not on PyPI" in readme


def test_the_hook_matches_yaml_and_yml_files() -> None:
    import re

    import yaml

    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    pattern = re.compile(hooks[0]["files"])
    assert pattern.search("config/models/openai.yml")
    assert pattern.search("config/models/xai.yaml")
    assert not pattern.search("config/models/notes.txt")


BAD_INPUTS = {
    "bad boolean": ({"INVOKE_MODELSYNC_OFFLINE": "maybe"}, ()),
    "bad list in invoke.yaml": ({"YAML": "modelsync:\n  providers: {a: 1}\n"}, ()),
    "bad invoke.yaml": ({"YAML": "modelsync: [\n"}, ()),
    "bad number": ({"INVOKE_MODELSYNC_READ_TIMEOUT": "-3"}, ()),
    "bad whole number": ({"INVOKE_MODELSYNC_MAX_RESPONSE_BYTES": "1e99"}, ()),
    "file as config dir": ({}, ("--config-dir", "a-file")),
    "unwritable cache": ({"XDG_CACHE_HOME": "a-file/cache"}, ()),
    "unknown flag": ({}, ("--colour",)),
}


@pytest.mark.slow
@pytest.mark.parametrize("task", ["sync", "validate", "models", "clear-cache", "live"])
def test_a_sweep_of_bad_input_finds_no_traceback(task: str, tmp_path: Path) -> None:
    repo = _project(tmp_path)
    (repo / "a-file").write_text("x")
    assert run_cli("catalog.sync", "--source", "api.json", "-q", cwd=repo).returncode == 0
    for name, (env, flags) in BAD_INPUTS.items():
        if "XDG_CACHE_HOME" in env:
            env = {"XDG_CACHE_HOME": str(repo / env["XDG_CACHE_HOME"])}
        (repo / "invoke.yaml").write_text(env.get("YAML", ""))
        env = {k: v for k, v in env.items() if k != "YAML"}
        extra = ("--source", "api.json") if task == "sync" else ()
        # Invoke itself parses invoke.yaml before any task runs: only modelsync's
        # command can turn a broken file into one line.
        invoke = () if name == "bad invoke.yaml" else ((f"catalog.{task}",),)
        for command in (("modelsync", task), *invoke):
            result = run_cli(*command, *extra, *flags, cwd=repo, env=env)
            assert "Traceback" not in result.stderr, (name, command, result.stderr)
            # clear-cache forgets a directory's fingerprints whatever the path is now.
            harmless = name == "unwritable cache" or (task, name) == (
                "clear-cache",
                "file as config dir",
            )
            if not harmless:
                assert result.returncode in (1, 2), (name, command, result.stderr)
                assert result.stderr.strip(), (name, command)
