"""`invoke validate`: every kind of error, with file, line, column and JSON path."""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import modelsync
from modelsync.model.catalog import CAPABILITIES, PINNABLE
from modelsync.model.mapping import provider_from_upstream
from modelsync.model.schemas import API_SCHEMA, CONFIG_SCHEMA, load_schema, validator
from modelsync.settings import Settings

from ...conftest import DATES, ROOT, catalog, dumps, run_cli, sliced, yaml11

GOOD = textwrap.dedent(
    """\
    provider: acme
    name: ACME
    default_model: fast
    models:
      fast:
        name: Fast
        context_window: 128000
        max_output_tokens: 4096
        pricing:
          input: 0.5
          output: 1.5
        capabilities: [function_calling, streaming]
        release_date: '2025-01-01'
        available: true
        deprecated: false
        source: models.dev
        pinned: [pricing]
        task_complexity_score: {simple: 1.0, medium: 2.0, complex: 3.0}
        notes: ours
    """
)


def check(tmp_path: Path, text: str | bytes, name: str = "acme") -> list[str]:
    directory = tmp_path / "cfg"
    directory.mkdir(exist_ok=True)
    path = directory / f"{name}.yml"
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    result = modelsync.validate_configs(config_dir=str(directory), files=[path], use_cache=False)
    return [str(f) for f in result.findings]


def test_a_good_file_passes(tmp_path: Path) -> None:
    assert check(tmp_path, GOOD) == []


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "input: 0.5",
            "input: -1",
            "acme.yml:10:14: models.fast.pricing.input: -1 is less than the minimum of 0",
        ),
        (
            "context_window: 128000",
            "context_window: 128k",
            "acme.yml:7:21: models.fast.context_window: '128k' is not of type 'integer'",
        ),
        (
            "default_model: fast",
            "default_model: slow",
            "acme.yml:3:16: warning: default_model: 'slow' is not a model of this file",
        ),
        (
            "pinned: [pricing]",
            "pinned: [price]",
            "acme.yml:17:14: models.fast.pinned.0: 'price' is not one of",
        ),
        (
            "available: true",
            "available: maybe",
            "acme.yml:14:16: models.fast.available: 'maybe' is not of type 'boolean'",
        ),
        (
            "release_date: '2025-01-01'",
            "release_date: 2025/01/01",
            "acme.yml:13:19: models.fast.release_date: '2025/01/01' does not match",
        ),
        (
            "{simple: 1.0,",
            "{simple: high,",
            "acme.yml:18:37: models.fast.task_complexity_score.simple: 'high' is not of type",
        ),
    ],
)
def test_each_error_names_file_line_column_and_path(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    (finding,) = check(tmp_path, GOOD.replace(old, new))
    assert finding.startswith(str(tmp_path / "cfg")), finding
    assert expected in finding, finding


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("input: 0.5", "input: .nan", "acme.yml:10:14: models.fast.pricing.input: .nan is not"),
        ("output: 1.5", "output: .inf", "acme.yml:11:15: models.fast.pricing.output: .inf is not"),
        (
            "context_window: 128000",
            "context_window: .inf",
            "acme.yml:7:21: models.fast.context_window: .inf is not a finite number",
        ),
        (
            "{simple: 1.0,",
            "{simple: .NaN,",
            "acme.yml:18:37: models.fast.task_complexity_score.simple: .nan is not",
        ),
        (
            "notes: ours",
            "notes: ours\n    task_complexity_samples: {simple: -.inf}",
            "acme.yml:20:39: models.fast.task_complexity_samples.simple: -.inf is not",
        ),
        (
            "output: 1.5",
            "output: 1.5\n      tiers: [{above_context: 200000, input: .Inf}]",
            "acme.yml:12:46: models.fast.pricing.tiers.0.input: .inf is not a finite number",
        ),
    ],
)
def test_a_number_that_is_not_finite_is_an_error_at_its_line(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    (finding,) = check(tmp_path, GOOD.replace(old, new, 1))
    assert finding.startswith(str(tmp_path / "cfg")), finding
    assert expected in finding, finding


def test_a_catalog_model_with_a_number_that_is_not_finite_is_skipped() -> None:
    """``json`` reads NaN, Infinity and 1e999 (infinite): each model that holds one is
    skipped, with the field named, and only that model."""
    data = sliced(providers=["anthropic"])["anthropic"]
    models = data["models"]
    ids = list(models)[:5]
    models[ids[0]]["limit"]["context"] = float("inf")
    models[ids[1]]["cost"]["output"] = float("nan")
    models[ids[2]]["cost"]["cache_read"] = float("-inf")
    models[ids[3]]["cost"]["context_over_200k"] = {"input": float("inf"), "output": 1.0}
    models[ids[4]]["experimental"] = {"modes": {"fast": {"cost": {"input": float("nan")}}}}
    provider = provider_from_upstream("anthropic", json.loads(json.dumps(data)))
    assert provider.skipped == {
        ids[0]: "limit.context: inf is not a finite number",
        ids[1]: "cost.output: nan is not a finite number",
        ids[2]: "cost.cache_read: -inf is not a finite number",
        ids[3]: "cost.context_over_200k.input: inf is not a finite number",
        ids[4]: "experimental.modes.fast.cost.input: nan is not a finite number",
    }
    assert len(provider.models) == len(models) - 5


def test_provider_must_match_the_file_name(tmp_path: Path) -> None:
    (finding,) = check(tmp_path, GOOD, name="other")
    assert finding.endswith(
        "other.yml:1:11: provider: 'acme' does not match the file name (other.yml)"
    )


def test_wrong_top_level_type(tmp_path: Path) -> None:
    (finding,) = check(tmp_path, "- provider: acme\n")
    assert finding.endswith("acme.yml:1:1: [{'provider': 'acme'}] is not of type 'object'")


def test_duplicate_key_and_syntax_errors_are_findings(tmp_path: Path) -> None:
    dup = GOOD.replace("    notes: ours\n", "    notes: ours\n    name: again\n")
    (finding,) = check(tmp_path, dup)
    assert finding.endswith(
        "acme.yml:20:5: while constructing a mapping found duplicate key 'name'"
    )
    (finding,) = check(tmp_path, GOOD.replace("name: Fast", "name: [Fast"))
    assert ":6:" in finding or ":7:" in finding
    (finding,) = check(tmp_path, GOOD.encode().replace(b"ours", b"\xff\xfe"))
    assert "acme.yml:19:12: not valid UTF-8" in finding


def test_schema_vocabularies_match_the_code() -> None:
    schema = load_schema(CONFIG_SCHEMA)
    model = schema["$defs"]["model"]["properties"]
    assert model["capabilities"]["items"]["anyOf"][0]["enum"] == list(CAPABILITIES)
    assert schema["$defs"]["pinned"]["items"]["enum"] == list(PINNABLE)
    for s in (schema, load_schema(API_SCHEMA)):
        assert s["$id"] and s["title"] and s["description"]


@pytest.mark.slow
@pytest.mark.parametrize("date", DATES)
def test_every_real_snapshot_passes_the_upstream_schema(date: str) -> None:
    model_validator = validator(API_SCHEMA, "model")
    data = catalog(date)
    assert validator(API_SCHEMA).is_valid(data)
    bad = [
        (p, m)
        for p, prov in data.items()
        for m, raw in prov["models"].items()
        if not model_validator.is_valid(raw)
    ]
    assert bad == []


def test_a_string_context_window_loses_only_that_model() -> None:
    data = sliced(providers=["anthropic"])["anthropic"]
    data["models"]["claude-opus-4-1"]["limit"]["context"] = "200000"
    provider = provider_from_upstream("anthropic", data)
    assert set(provider.skipped) == {"claude-opus-4-1"}
    assert "limit.context: '200000' is not of type 'integer'" in provider.skipped["claude-opus-4-1"]
    assert len(provider.models) == len(data["models"]) - 1


def test_cli_output_count_exit_status_and_json(settings: Settings, tmp_path: Path) -> None:
    repo = tmp_path / "r"
    (repo / "config" / "models").mkdir(parents=True)
    shutil.copy(ROOT / "tasks.py", repo)
    (repo / "config" / "models" / "acme.yml").write_text(GOOD)
    (repo / "config" / "models" / "bad.yml").write_text(
        GOOD.replace("provider: acme", "provider: bad").replace("input: 0.5", "input: -1")
    )
    result = run_cli("validate", cwd=repo)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "config/models/bad.yml:10:14: models.fast.pricing.input: -1 is less than the minimum of 0"
    )
    assert lines[-1] == "1 error in 1 of 2 files"
    result = run_cli("validate", "--format", "json", "--file", "config/models/acme.yml", cwd=repo)
    assert result.returncode == 0
    assert json.loads(result.stdout) == {
        "ok": True,
        "files": ["config/models/acme.yml"],
        "errors": [],
        "warnings": [],
    }


def test_validate_never_writes_and_caches_only_passing_content(tmp_path: Path) -> None:
    directory = tmp_path / "cfg"
    directory.mkdir()
    (directory / "acme.yml").write_text(GOOD)
    cache = tmp_path / "cache"
    first = modelsync.validate_configs(config_dir=str(directory), cache_dir=str(cache))
    second = modelsync.validate_configs(config_dir=str(directory), cache_dir=str(cache))
    assert first.ok and first.cached == 0 and second.cached == 1
    (directory / "acme.yml").write_text(GOOD.replace("input: 0.5", "input: -1"))
    third = modelsync.validate_configs(config_dir=str(directory), cache_dir=str(cache))
    assert not third.ok and third.cached == 0, "changed content is always re-checked"
    assert sorted(p.name for p in directory.iterdir()) == ["acme.yml"]


def test_a_changed_schema_invalidates_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from modelsync.checks import validate as validate_mod

    directory = tmp_path / "cfg"
    directory.mkdir()
    (directory / "acme.yml").write_text(GOOD)
    cache = tmp_path / "cache"
    modelsync.validate_configs(config_dir=str(directory), cache_dir=str(cache))
    monkeypatch.setattr(validate_mod, "schema_digest", lambda name: "another-schema")
    again = modelsync.validate_configs(config_dir=str(directory), cache_dir=str(cache))
    assert again.ok and again.cached == 0


def test_hook_file_pattern_matches_config_files_only() -> None:
    import re

    (hook,) = yaml11((ROOT / ".pre-commit-hooks.yaml").read_text())
    pattern = re.compile(hook["files"])
    assert pattern.search("config/models/openai.yml")
    assert pattern.search("config/models/wafer.ai.yml")
    assert pattern.search("config/models/openai.yaml")
    assert not pattern.search("docs/format.md")
    assert hook["entry"].split()[0] == "modelsync" and hook["pass_filenames"] is False


@pytest.mark.slow
def test_pre_commit_runs_the_hook_in_a_git_repository(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "config" / "models").mkdir(parents=True)
    readme = (ROOT / "README.md").read_text()
    (repo / "tasks.py").write_text(readme.split("```python\n# tasks.py\n")[1].split("```")[0])
    (repo / "config" / "models" / "acme.yml").write_text(GOOD)
    (repo / ".pre-commit-config.yaml").write_text(
        (ROOT / "README.md")
        .read_text()
        .split("```yaml\n# .pre-commit-config.yaml\n")[1]
        .split("```")[0]
    )
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["PRE_COMMIT_HOME"] = str(tmp_path / "pre-commit-home")
    env["XDG_CACHE_HOME"] = str(tmp_path / "xdg")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]

    def run(*cmd: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(cmd, cwd=repo, env=env, capture_output=True, text=True, timeout=120)

    assert run(*git, "init", "-q").returncode == 0
    assert run(*git, "add", ".").returncode == 0
    good = run(sys.executable, "-m", "pre_commit", "run", "--all-files")
    assert good.returncode == 0, good.stdout + good.stderr
    assert "Passed" in good.stdout
    (repo / "config" / "models" / "acme.yml").write_text(GOOD.replace("input: 0.5", "input: -1"))
    run(*git, "add", ".")
    bad = run(sys.executable, "-m", "pre_commit", "run", "--all-files")
    assert bad.returncode == 1
    assert "Failed" in bad.stdout
    assert "acme.yml:10:14: models.fast.pricing.input: -1 is less than the minimum" in bad.stdout


def test_synced_output_of_every_snapshot_validates(settings: Settings, tmp_path: Path) -> None:
    for date in DATES:
        source = tmp_path / f"{date}.json"
        source.write_bytes(dumps(sliced(date)))
        s = settings.replace(config_dir=str(tmp_path / date))
        assert modelsync.sync_to_configs(settings=s, source=str(source)).ok
        result = modelsync.validate_configs(settings=s, use_cache=False)
        assert result.ok and result.files, (date, result.findings[:2])


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 10**6)
    | st.floats(allow_nan=False)
    | st.sampled_from(["", "2024-01-01", "2024-13", "text", "alpha", "image", "context"]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "input",
                    "output",
                    "tier",
                    "size",
                    "type",
                    "cost",
                    "supported",
                    "x",
                    "above_context",
                    "modes",
                    "fast",
                ]
            ),
            inner,
            max_size=3,
        )
    ),
    max_leaves=8,
)
MODEL_FIELDS_UP = [
    "name",
    "family",
    "tool_call",
    "reasoning",
    "limit",
    "cost",
    "modalities",
    "knowledge",
    "release_date",
    "status",
    "open_weights",
    "experimental",
]
CONFIG_FIELDS = [
    "name",
    "context_window",
    "pricing",
    "capabilities",
    "modalities",
    "pinned",
    "task_complexity_score",
    "status",
    "available",
    "release_date",
]


def _agree(name: str, definition: str | None, instance: object) -> None:
    from modelsync.model.schemas import checker

    fast = checker(name, definition)._fast
    try:
        fast(instance)
        fast_ok = True
    except Exception:
        fast_ok = False
    assert fast_ok == validator(name, definition).is_valid(instance), instance


@pytest.mark.slow
@settings(max_examples=400, deadline=None)
@given(field=st.sampled_from(MODEL_FIELDS_UP), value=json_values)
def test_compiled_and_reference_validators_agree_on_models(field: str, value: object) -> None:
    model = copy.deepcopy(_TEMPLATE)
    model[field] = value
    _agree(API_SCHEMA, "model", model)


@pytest.mark.slow
@settings(max_examples=400, deadline=None)
@given(field=st.sampled_from(CONFIG_FIELDS), value=json_values)
def test_compiled_and_reference_validators_agree_on_config_files(field: str, value: object) -> None:
    doc = yaml11(GOOD)
    doc["models"]["fast"][field] = value
    _agree(CONFIG_SCHEMA, None, doc)


@pytest.mark.slow
def test_compiled_and_reference_validators_agree_on_every_real_model() -> None:
    for date in DATES:
        for provider in catalog(date).values():
            _agree(API_SCHEMA, "provider", provider)
            for model in provider["models"].values():
                _agree(API_SCHEMA, "model", model)


_TEMPLATE = next(iter(sliced(providers=["anthropic"])["anthropic"]["models"].values()))
