"""``invoke live`` and ``modelsync live`` as real subprocesses, in a copy of this
repository, against loopback emulations of the three API families named in its
``invoke.yaml`` (``live_endpoints``, as a team names a gateway)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import ROOT, run_cli
from .livedata import ANTHROPIC_KEY, GEMINI_KEY, KEYS, OPENAI_KEY, Emulators, annotated_configs
from .liveserver import LiveServer

KEY_ENV = {
    "ANTHROPIC_API_KEY": ANTHROPIC_KEY,
    "GEMINI_API_KEY": GEMINI_KEY,
    "OPENAI_API_KEY": OPENAI_KEY,
}


@pytest.fixture(scope="module")
def synced_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return annotated_configs(tmp_path_factory.mktemp("synced"))


@pytest.fixture
def emulators() -> Iterator[Emulators]:
    with LiveServer() as srv:
        yield Emulators(srv)


@pytest.fixture
def repo(synced_dir: Path, tmp_path: Path, emulators: Emulators) -> Path:
    """A copy of this repository whose invoke.yaml points the live check at the emulators."""
    repo = tmp_path / "repo"
    shutil.copytree(synced_dir, repo / "config" / "models")
    shutil.copy(ROOT / "tasks.py", repo)
    endpoints = "".join(f"    {p}: {url}\n" for p, url in emulators.endpoints.items())
    (repo / "invoke.yaml").write_text(
        (ROOT / "invoke.yaml").read_text()
        + f"  live_endpoints:\n{endpoints}  retries: 1\n  retry_after_max: 0.2\n"
    )
    return repo


def _outputs(result: object, *files: Path) -> str:
    texts = [result.stdout, result.stderr]  # type: ignore[attr-defined]
    return "\n".join(texts + [f.read_text() for f in files if f.exists()])


def _assert_no_key(text: str) -> None:
    for key in KEYS:
        for piece in (key, key[:16], key[-16:]):
            assert piece not in text, f"a key ({piece[:6]}...) leaked"


@pytest.mark.slow
def test_invoke_live_reports_the_three_lists_of_each_family(repo: Path) -> None:
    result = run_cli("live", cwd=repo, env=KEY_ENV)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("Live check of config/models: 3 checked, 0 failed, 2 skipped")
    assert "anthropic: 13 served (anthropic, http://127.0.0.1:" in out
    assert "  19 in the catalog and served, 5 in the catalog not served, 1 served not in" in out
    assert "  default model claude-sonnet-4-5: served (as claude-sonnet-4-5-20250929)" in out
    assert "google: 10 served (gemini, " in out and "\n    aqa\n" in out
    assert "openai: 12 served (openai-compatible, " in out
    assert "    ... and 36 more, see --json" in out
    assert "mistral: skipped: MISTRAL_API_KEY not set" in out
    assert "xai: skipped: XAI_API_KEY not set" in out
    assert result.stderr == ""


@pytest.mark.slow
def test_json_is_versioned_and_write_report_saves_it(repo: Path) -> None:
    result = run_cli("live", "--json", "--write-report", "reports/live.json", cwd=repo, env=KEY_ENV)
    assert result.returncode == 2, result.stderr
    assert "flag --write-report: directory reports does not exist" in result.stderr
    (repo / "reports").mkdir()
    result = run_cli("live", "--json", "--write-report", "reports/live.json", cwd=repo, env=KEY_ENV)
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert json.loads((repo / "reports" / "live.json").read_text()) == doc
    assert doc["version"] == 1 and doc["ok"] is True and doc["errors"] == []
    assert doc["counts"] == {"checked": 3, "failed": 0, "skipped": 2}
    checks = {p["provider"]: p for p in doc["providers"]}
    assert [m["id"] for m in checks["anthropic"]["not_served"]] == [
        "acme-claude-support-ft",
        "claude-3-5-sonnet-20240620",
        "claude-3-5-sonnet-20241022",
        "claude-3-opus-20240229",
        "claude-3-sonnet-20240229",
    ]
    assert checks["anthropic"]["not_in_catalog"] == ["claude-mythos-1-20260301"]
    assert checks["google"]["not_in_catalog"] == [
        "aqa",
        "gemini-2.0-flash-001",
        "imagen-4.0-generate-001",
    ]
    assert len(checks["openai"]["served_in_catalog"]) == 6
    assert len(checks["openai"]["not_served"]) == 46
    alias = next(
        m for m in checks["anthropic"]["served_in_catalog"] if m["id"] == "claude-sonnet-4-5"
    )
    assert alias == {
        "id": "claude-sonnet-4-5",
        "served_as": "claude-sonnet-4-5-20250929",
        "match": "alias",
        "available": True,
        "deprecated": False,
    }
    assert checks["mistral"]["status"] == "skipped" and checks["mistral"]["reason"] == "no_key"
    assert checks["anthropic"]["endpoint"].endswith("/gw/anthropic/v1/models")


@pytest.mark.slow
def test_exit_1_names_a_rejected_key_and_an_unserved_default(
    repo: Path, emulators: Emulators
) -> None:
    emulators.openai.key = "another-key"
    emulators.anthropic.ids.remove("claude-sonnet-4-5-20250929")
    for command in (("live",), ("modelsync", "live")):
        result = run_cli(*command, cwd=repo, env=KEY_ENV)
        assert result.returncode == 1, result.stderr
        assert result.stderr.splitlines() == [
            "modelsync: error: anthropic: default model claude-sonnet-4-5 is not served; "
            "openai: key rejected: OPENAI_API_KEY (HTTP 401 invalid_api_key)"
        ]
        assert "openai: FAILED: key rejected: OPENAI_API_KEY" in result.stdout
        assert "  ! default model claude-sonnet-4-5: NOT SERVED" in result.stdout


@pytest.mark.slow
def test_only_the_selected_providers_are_asked(repo: Path, emulators: Emulators) -> None:
    result = run_cli("live", "--provider", "goo*", "--exclude", "openai", cwd=repo, env=KEY_ENV)
    assert result.returncode == 0, result.stderr
    assert emulators.gemini.seen and not emulators.anthropic.seen and not emulators.openai.seen
    assert "Live check of config/models: 1 checked, 0 failed, 0 skipped" in result.stdout


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        (("--provider",), {}, "flag --provider needs a value"),
        (("--provider", "nosuch"), {}, "--provider 'nosuch' matches no provider"),
        (
            (),
            {"INVOKE_MODELSYNC_LIVE_ENDPOINTS": "openai=http://gateway.example/v1"},
            "environment variable INVOKE_MODELSYNC_LIVE_ENDPOINTS (provider 'openai'): plain "
            "http is allowed only to a loopback address",
        ),
        (("--config-dir", "nope"), {}, "nope: config directory does not exist"),
    ],
)
def test_usage_errors_are_one_line(
    repo: Path, args: tuple[str, ...], env: dict[str, str], expected: str
) -> None:
    result = run_cli("modelsync", "live", *args, cwd=repo, env={**KEY_ENV, **env})
    assert result.returncode == 2 and "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("modelsync: error:")]
    assert len(errors) == 1 and expected in errors[0], result.stderr
    as_json = run_cli("modelsync", "live", "--json", *args, cwd=repo, env={**KEY_ENV, **env})
    doc = json.loads(as_json.stdout)
    assert doc["version"] == 1 and doc["ok"] is False and expected in doc["errors"][0]


@pytest.mark.parametrize("form", [("-vv",), ("-vv", "--json")])
def test_no_output_at_any_verbosity_holds_a_key(
    repo: Path, emulators: Emulators, form: tuple[str, ...]
) -> None:
    """Servers that echo the key they got, in error bodies and in their model lists."""
    emulators.openai.echo_key = emulators.anthropic.echo_key = emulators.gemini.echo_key = True
    emulators.openai.key = emulators.anthropic.key = "another-key"
    emulators.gemini.ids += [GEMINI_KEY, f"tuned-{GEMINI_KEY[:20]}"]
    report = repo / "report.json"
    result = run_cli("live", *form, "--write-report", str(report), cwd=repo, env=KEY_ENV)
    assert result.returncode == 1, result.stderr
    assert "modelsync: debug:" in result.stderr and "GET http://127.0.0.1:" in result.stderr
    assert report.exists()
    _assert_no_key(_outputs(result, report))


def test_a_task_without_keys_checks_nothing_and_passes(repo: Path) -> None:
    result = run_cli("live", cwd=repo)
    assert result.returncode == 0, result.stderr
    assert "0 checked, 0 failed, 5 skipped" in result.stdout
    assert "modelsync: warning: no provider checked" in result.stderr
