"""The audit's sanity rules over files synced from real catalog excerpts: each rule
finds its real example, says it in every format, and --strict fails only for an error
about a model the team depends on."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import modelsync
from modelsync.auditing.rules import RULES

from .auditdata import synced_configs
from .conftest import ROOT, run_cli


@pytest.fixture(autouse=True)
def _no_sources(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rules alone: the price sources (tests/test_audit_sources.py) are off."""
    monkeypatch.setenv("INVOKE_MODELSYNC_AUDIT_SOURCES", "litellm=none, genai_prices=none")


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synced_configs(tmp_path_factory.mktemp("audit"))


@pytest.fixture
def repo(synced: Path, tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    shutil.copytree(synced, repo / "config" / "models")
    shutil.copy(ROOT / "tasks.py", repo)
    return repo


#: Each rule's real example in the 2026-05-21 catalog: (provider, model, field).
EXAMPLES = {
    "cache-read-above-input": ("openai", "gpt-3.5-turbo", "cache_read"),
    "cache-write-below-read": ("openrouter", "google/gemini-3.5-flash", "cache_write"),
    "output-above-context": ("google", "gemini-2.5-flash-preview-tts", "max_output_tokens"),
    "tier-below-base": ("requesty", "google/gemini-2.5-pro", "tiers.200000.cache_read"),
    "tier-unreachable": ("azure", "claude-opus-4-6", "tiers.200000"),
    "zero-price": ("cerebras", "zai-glm-4.7", "cache_read"),
    "zero-limit": ("openai", "chatgpt-image-latest", "context_window"),
    "release-after-update": (
        "amazon-bedrock",
        "anthropic.claude-opus-4-5-20251101-v1:0",
        "release_date",
    ),
    "knowledge-after-release": ("mistral", "codestral-latest", "knowledge_cutoff"),
    "one-output-price": ("google", "gemini-3.1-flash-image-preview", "output"),
    "unpriced": ("cohere", "c4ai-aya-expanse-32b", "pricing"),
}


def test_every_rule_has_a_real_example_here_and_a_line_in_the_docs() -> None:
    assert set(EXAMPLES) == set(RULES)
    docs = (ROOT / "docs" / "audit.md").read_text()
    for rule in RULES.values():
        line = next((x for x in docs.splitlines() if x.startswith(f"| `{rule.id}` |")), None)
        assert line is not None, rule.id
        assert f"| {rule.severity.value} |" in line, rule.id


@pytest.mark.parametrize("rule", sorted(EXAMPLES))
def test_each_rule_finds_its_real_example(synced: Path, rule: str) -> None:
    provider, model, field = EXAMPLES[rule]
    report = modelsync.audit(config_dir=str(synced), all_models=True)
    found = [f for f in report.findings if (f.provider, f.model, f.rule) == (provider, model, rule)]
    assert [f.field for f in found][:1] == [field]
    assert found[0].severity is RULES[rule].severity


def test_the_issue_examples_have_their_values(synced: Path) -> None:
    report = modelsync.audit(config_dir=str(synced), all_models=True)
    by = {(f.provider, f.model, f.rule, f.field): f for f in report.findings}
    read = by["openai", "gpt-3.5-turbo", "cache-read-above-input", "cache_read"]
    assert (read.value, read.other_value) == (1.25, 0.5)
    zero = by["cerebras", "zai-glm-4.7", "zero-price", "cache_write"]
    assert zero.value == 0.0 and zero.other_value == {"input": 2.25, "output": 2.75}
    image = by["google", "gemini-3.1-flash-image-preview", "one-output-price", "output"]
    assert image.value == 60.0


def test_a_zero_output_price_of_an_embedding_model_is_right(synced: Path) -> None:
    report = modelsync.audit(config_dir=str(synced), all_models=True)
    assert not [f for f in report.findings if f.model in ("mistral-embed",)]
    # ... while a chat model's zero price beside non-zero ones is reported
    assert any(f.model == "glm-4.5" and f.rule == "zero-price" for f in report.findings)


def test_by_default_only_the_models_the_team_depends_on(synced: Path) -> None:
    report = modelsync.audit(config_dir=str(synced))
    assert sorted(report.audited) == [
        ("anthropic", "claude-sonnet-4-5"),
        ("cerebras", "zai-glm-4.7"),
        ("google", "gemini-2.5-pro"),
        ("openai", "gpt-3.5-turbo"),
        ("openai", "gpt-4o"),
    ]
    assert {(f.model, f.rule) for f in report.findings} == {
        ("gpt-3.5-turbo", "cache-read-above-input"),
        ("zai-glm-4.7", "zero-price"),
    }
    assert all(f.depended for f in report.findings)


def test_provider_filters_and_a_pattern_matching_nothing(synced: Path) -> None:
    report = modelsync.audit(config_dir=str(synced), all_models=True, providers=["open*"])
    assert {p for p, _ in report.audited} == {"openai", "openrouter"}
    with pytest.raises(modelsync.ProviderNotFound, match=r"openaj.*did you mean 'openai'"):
        modelsync.audit(config_dir=str(synced), providers=["openaj"])


def test_strict_fails_only_for_an_error_about_a_depended_model(repo: Path) -> None:
    plain = run_cli("audit", cwd=repo)
    assert plain.returncode == 0, plain.stderr
    assert "openai/gpt-3.5-turbo (depended on)" in plain.stdout
    assert "cache-read-above-input: cache_read 1.25 is above the input price 0.5" in plain.stdout
    strict = run_cli("modelsync", "audit", "--strict", cwd=repo)
    assert strict.returncode == 1
    assert strict.stderr.strip().splitlines()[-1] == (
        "modelsync: 1 error finding(s) concern models the team depends on"
    )
    # An error about a model nobody depends on does not fail --strict.
    other = run_cli("audit", "--strict", "--all", "--provider", "google", cwd=repo)
    assert other.returncode == 0, other.stderr
    assert "output-above-context" in other.stdout


def test_the_json_document(repo: Path) -> None:
    out = run_cli("audit", "--json", "--all", cwd=repo)
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["version"] == 1 and doc["scope"] == "all" and doc["ok"] is True
    finding = next(f for f in doc["findings"] if f["rule"] == "cache-read-above-input")
    assert {k: finding[k] for k in ("provider", "model", "severity", "field", "value")} == {
        "provider": "openai",
        "model": "gpt-3.5-turbo",
        "severity": "error",
        "field": "cache_read",
        "value": 1.25,
    }
    assert finding["other_value"] == 0.5 and finding["source"] is None
    assert set(finding) >= {"source_id", "depended"}
    assert doc["counts"]["zero-price"] >= 2 and doc["models"] == 30


def test_a_missing_directory_is_one_line_and_json_still_a_document(tmp_path: Path) -> None:
    out = run_cli("modelsync", "audit", "--json", "--config-dir", "nowhere", cwd=tmp_path)
    assert out.returncode == 2
    assert json.loads(out.stdout)["ok"] is False
    assert out.stderr.count("\n") == 1 and "nowhere" in out.stderr
    bad = run_cli("modelsync", "audit", "--format", "html", cwd=tmp_path)
    assert bad.returncode == 2 and "--format" in bad.stderr


HOSTILE = "evil`|</td><script>x\x1b[2J\nmodelsync: all good"


def _hostile_repo(repo: Path) -> None:
    path = repo / "config" / "models" / "openai.yml"
    text = path.read_text().replace(
        "models:\n",
        "models:\n  " + json.dumps(HOSTILE) + ":\n    notes: hand-written\n    context_window: 0\n",
        1,
    )
    path.write_text(text)


def test_a_hostile_id_never_reaches_the_terminal_or_markdown_unescaped(repo: Path) -> None:
    _hostile_repo(repo)
    text = run_cli("audit", cwd=repo)
    assert text.returncode == 0, text.stderr
    assert "\x1b" not in text.stdout and "\nmodelsync: all good" not in text.stdout
    assert "evil`|</td><script>x\\x1b[2J\\nmodelsync: all good" in text.stdout
    md = run_cli("audit", "--format", "markdown", cwd=repo)
    assert md.returncode == 0, md.stderr
    assert "\x1b" not in md.stdout
    row = next(line for line in md.stdout.splitlines() if "evil" in line)
    # The id sits in one code span whose pipe is escaped: the row keeps its 7 cells.
    assert len(re.findall(r"(?<!\\)\|", row)) == 8
    # Inside a code span "<" is text, not a tag; the control characters are escapes.
    assert "``openai/evil`\\|</td><script>x\\x1b[2J\\nmodelsync: all good``" in row
    assert "\nmodelsync: all good" not in md.stdout


def test_modelsync_audit_is_the_function_whatever_was_imported_first(synced: Path) -> None:
    """``modelsync.audit`` is the function, also after its package was imported."""
    code = (
        "import modelsync.auditing.rules, modelsync, sys\n"
        f"report = modelsync.audit(config_dir={str(synced)!r}, all_models=True)\n"
        "print(report.counts()['cache-read-above-input'])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "1"
