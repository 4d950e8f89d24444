"""The audit's second opinion: LiteLLM's price map and genai-prices' data (real
excerpts) served by a loopback HTTP server, fetched through the catalog's HTTP cache,
matched by explicit rules, and compared; bad, huge and slow sources are skipped with one
warning while the sanity rules still run."""

from __future__ import annotations

import json
import logging
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import modelsync
from modelsync.auditing import AuditReport, Severity
from modelsync.auditing.matching import clause_matches

from .auditdata import GENAI_PRICES, LITELLM, TODAY, synced_configs
from .conftest import ROOT, run_cli
from .httpserver import CatalogServer, Reply


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synced_configs(tmp_path_factory.mktemp("audit-sources"))


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[str, str]]:
    with CatalogServer() as srv:
        yield (
            srv.serve("/litellm.json", Reply(LITELLM.read_bytes())),
            srv.serve("/genai.json", Reply(GENAI_PRICES.read_bytes())),
        )


@pytest.fixture(scope="module")
def report(
    synced: Path, served: tuple[str, str], tmp_path_factory: pytest.TempPathFactory
) -> AuditReport:
    litellm, genai = served
    return modelsync.audit(
        config_dir=str(synced),
        cache_dir=str(tmp_path_factory.mktemp("cache")),
        all_models=True,
        litellm=litellm,
        genai_prices=genai,
        today=TODAY,
    )


def _found(report: AuditReport, source: str, model: str, rule: str) -> dict[str, Any]:
    return {
        str(f.field): (f.value, f.other_value, f.severity.value, f.source_id)
        for f in report.findings
        if (f.source, f.model, f.rule) == (source, model, rule)
    }


def test_both_sources_were_fetched_over_http(report: AuditReport) -> None:
    assert [(s.name, s.origin, s.entries) for s in report.sources] == [
        ("litellm", "network", 24),
        ("genai-prices", "network", 22),
    ]


def test_a_price_that_differs_from_both_sources(report: AuditReport) -> None:
    """The issue's image model: 60 USD output in the catalog, 3 in both sources (which
    price images apart)."""
    model = "gemini-3.1-flash-image-preview"
    assert _found(report, "litellm", model, "price-differs") == {
        "output": (60.0, 3.0, "error", "gemini/gemini-3.1-flash-image-preview")
    }
    assert _found(report, "genai-prices", model, "price-differs") == {
        "output": (60.0, 3.0, "error", "google/gemini-3.1-flash-image-preview")
    }
    # Equal prices are no finding: gpt-4o agrees with both.
    assert not [f for f in report.findings if f.model == "gpt-4o" and f.source]


def test_the_tolerance_decides(synced: Path, served: tuple[str, str], tmp_path: Path) -> None:
    """cerebras/gpt-oss-120b: input 0.25 vs 0.35 (29%), output 0.69 vs 0.75 (8%)."""
    litellm, _ = served

    def fields(tolerance: float) -> set[str]:
        found = modelsync.audit(
            config_dir=str(synced),
            cache_dir=str(tmp_path),
            providers=["cerebras"],
            all_models=True,
            litellm=litellm,
            genai_prices="none",
            audit_tolerance=tolerance,
        )
        return {
            str(f.field)
            for f in found.findings
            if f.model == "gpt-oss-120b" and f.rule == "price-differs"
        }

    assert fields(5) == {"input", "output"}
    assert fields(10) == {"input"}
    assert fields(50) == set()


def test_a_tier_one_source_has_and_the_file_lacks(report: AuditReport) -> None:
    """The issue's claude-sonnet-4-5: 200k context and no long-context tier in the
    catalog; genai-prices carries Anthropic's higher price above 200k input tokens."""
    assert _found(report, "genai-prices", "claude-sonnet-4-5", "tier-missing") == {
        "tiers.200000": ("absent", "present", "warning", "anthropic/claude-sonnet-4-5")
    }
    # ... and the other way round: azure's claude-opus-4-6 has a tier LiteLLM lacks.
    assert _found(report, "litellm", "claude-opus-4-6", "tier-missing") == {
        "tiers.200000": ("present", "absent", "warning", "azure_ai/claude-opus-4-6")
    }


def test_limits_kinds_deprecations_and_missing_prices(report: AuditReport) -> None:
    assert _found(report, "litellm", "deepseek-chat", "limit-differs") == {
        "context_window": (1000000, 131072, "warning", "deepseek/deepseek-chat"),
        "max_output_tokens": (384000, 8192, "warning", "deepseek/deepseek-chat"),
    }
    assert _found(report, "litellm", "mistral/mistral-embed", "kind-differs") == {
        "kind": ("embedding", "chat", "warning", "vercel_ai_gateway/mistral/mistral-embed")
    }
    assert _found(report, "litellm", "gpt-3.5-turbo", "deprecated-elsewhere") == {
        "deprecated": (False, True, "warning", "gpt-3.5-turbo")
    }
    assert _found(report, "litellm", "c4ai-aya-expanse-32b", "price-missing") == {
        "input": (None, 0.5, "info", "c4ai-aya-expanse-32b"),
        "output": (None, 1.5, "info", "c4ai-aya-expanse-32b"),
    }


def test_a_deprecation_date_still_ahead_is_not_a_deprecation(
    synced: Path, served: tuple[str, str], tmp_path: Path
) -> None:
    found = modelsync.audit(
        config_dir=str(synced),
        cache_dir=str(tmp_path),
        providers=["openai"],
        litellm=served[0],
        genai_prices="none",
        today="2026-10-22",
    )
    assert not [f for f in found.findings if f.rule == "deprecated-elsewhere"]


def test_every_match_names_its_entry_and_rule(report: AuditReport) -> None:
    matches = {(m.source, m.provider, m.model): (m.source_id, m.rule) for m in report.matches}
    assert matches["litellm", "google", "gemini-2.5-pro"] == ("gemini/gemini-2.5-pro", "exact")
    assert matches["litellm", "azure", "claude-opus-4-6"] == ("azure_ai/claude-opus-4-6", "exact")
    assert matches["genai-prices", "anthropic", "claude-sonnet-4-5-20250929"] == (
        "anthropic/claude-sonnet-4-5",
        "undated",
    )
    assert matches["genai-prices", "azure", "o3"] == ("azure/o3-2025-04-16", "release-date")
    assert matches["genai-prices", "mistral", "codestral-latest"] == (
        "mistral/codestral",
        "unaliased",
    )
    assert matches["genai-prices", "amazon-bedrock", "anthropic.claude-opus-4-5-20251101-v1:0"] == (
        "aws/regional.anthropic.claude-opus-4-5-v1:0",
        "source-rule",
    )
    # A gateway's model is never matched to its origin's entry: LiteLLM lists no
    # openrouter model, though it has claude-sonnet-4-5.
    assert matches["litellm", "openrouter", "anthropic/claude-sonnet-4.5"] == (None, None)
    assert ("requesty", "google/gemini-2.5-pro") in report.unmatched()
    assert ("openai", "gpt-4o") not in report.unmatched()


def test_a_regex_clause_is_never_run() -> None:
    assert clause_matches({"regex": ".*"}, "gpt-4o") is False
    assert clause_matches({"or": [{"regex": "(a+)+$"}, {"starts_with": "gpt-"}]}, "gpt-4o")
    assert clause_matches({"and": [{"contains": "4o"}, {"ends_with": "mini"}]}, "gpt-4o") is False


@pytest.fixture
def repo(synced: Path, tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    shutil.copytree(synced, repo / "config" / "models")
    shutil.copy(ROOT / "tasks.py", repo)
    return repo


def _json(out: Any) -> dict[str, Any]:
    assert out.returncode == 0, out.stderr
    doc: dict[str, Any] = json.loads(out.stdout)
    return doc


def test_the_cli_through_the_http_cache_then_offline(repo: Path) -> None:
    env = {"XDG_CACHE_HOME": str(repo / "xdg")}
    with CatalogServer() as srv:
        litellm = srv.serve("/l.json", Reply(LITELLM.read_bytes()))
        genai = srv.serve("/g.json", Reply(GENAI_PRICES.read_bytes()))
        flags = ("--litellm", litellm, "--genai-prices", genai, "--json", "--all")
        first = _json(run_cli("audit", *flags, cwd=repo, env=env))
        assert [s["origin"] for s in first["sources"]] == ["network", "network"]
        assert len(srv.hits("/l.json")) == 1
    # The server is gone: offline, the cached copies answer, with the same findings.
    second = _json(run_cli("modelsync", "audit", *flags, "--offline", cwd=repo, env=env))
    assert [s["origin"] for s in second["sources"]] == ["cache", "cache"]
    assert second["findings"] == first["findings"] and second["matches"] == first["matches"]
    finding = next(f for f in first["findings"] if f["rule"] == "price-differs")
    assert set(finding) >= {
        "provider",
        "model",
        "rule",
        "severity",
        "field",
        "value",
        "other_value",
        "source",
        "source_id",
    }


def test_offline_without_a_cached_copy_is_one_warning_per_source(repo: Path) -> None:
    out = run_cli(
        "audit",
        "--offline",
        "--litellm",
        "https://example.invalid/l.json",
        "--genai-prices",
        "none",
        cwd=repo,
        env={"XDG_CACHE_HOME": str(repo / "xdg")},
    )
    assert out.returncode == 0, out.stderr
    warnings = out.stderr.strip().splitlines()
    assert len(warnings) == 1 and warnings[0].startswith(
        "modelsync: warning: audit source litellm skipped: offline"
    )
    assert "cache-read-above-input" in out.stdout  # the sanity rules still ran


def _read(url: str, tmp_path: Path, **settings: Any) -> AuditReport:
    return modelsync.audit(
        config_dir=str(tmp_path / "config" / "models"),
        cache_dir=str(tmp_path / "c"),
        litellm=url,
        genai_prices="none",
        retries=0,
        **settings,
    )


@pytest.fixture
def small(tmp_path: Path) -> Path:
    config = tmp_path / "config" / "models"
    config.mkdir(parents=True)
    (config / "openai.yml").write_text(
        "provider: openai\ndefault_model: gpt-4o\nmodels:\n  gpt-4o:\n    notes: ours\n"
        "    pricing: {input: 2.5, output: 10.0, cache_read: 3.0}\n"
    )
    return tmp_path


def test_a_source_of_another_shape_is_skipped_with_one_warning(
    small: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with CatalogServer() as srv:
        url = srv.serve("/l.json", Reply(GENAI_PRICES.read_bytes()))  # a list, not a map
        with caplog.at_level(logging.WARNING, logger="modelsync"):
            found = _read(url, small)
    read, off = found.sources
    assert off.origin == "off"
    assert read.origin == "failed" and "not a LiteLLM price map" in (read.problem or "")
    assert [r.getMessage()[:30] for r in caplog.records] == ["audit source litellm skipped: "]
    assert [f.rule for f in found.findings] == ["cache-read-above-input"]


def test_a_huge_source_is_cut_at_max_response_bytes(small: Path) -> None:
    with CatalogServer() as srv:
        url = srv.serve("/l.json", Reply(stream_bytes=50 * 1024 * 1024))
        started = time.monotonic()
        found = _read(url, small, max_response_bytes=1024 * 1024)
        assert time.monotonic() - started < 20
        sent = srv.wait_for_streamed()
    assert "max_response_bytes" in (found.sources[0].problem or "")
    assert sent and sent[0] < 10 * 1024 * 1024


def test_a_slow_source_ends_at_fetch_deadline(small: Path) -> None:
    with CatalogServer() as srv:
        url = srv.serve("/l.json", Reply(LITELLM.read_bytes(), trickle=0.2))
        started = time.monotonic()
        found = _read(url, small, fetch_deadline=1.5, read_timeout=1)
        took = time.monotonic() - started
    assert took < 6, took
    assert "fetch_deadline" in (found.sources[0].problem or "")
    assert [f.rule for f in found.findings] == ["cache-read-above-input"]


def test_sources_from_the_settings_and_none_per_run(repo: Path) -> None:
    (repo / "sources").mkdir()
    shutil.copy(LITELLM, repo / "sources" / "litellm.json")
    shutil.copy(GENAI_PRICES, repo / "sources" / "genai.json")
    (repo / "invoke.yaml").write_text(
        "modelsync:\n  audit_sources:\n    litellm: sources/litellm.json\n"
        "    genai_prices: sources/genai.json\n"
    )
    both = _json(run_cli("audit", "--json", cwd=repo / "config"))
    assert [(s["name"], s["origin"]) for s in both["sources"]] == [
        ("litellm", "file"),
        ("genai-prices", "file"),
    ]
    one = _json(run_cli("audit", "--json", "--litellm", "none", cwd=repo))
    assert [s["origin"] for s in one["sources"]] == ["off", "file"]
    assert {f["source"] for f in one["findings"]} <= {None, "genai-prices"}
    bad = run_cli("audit", cwd=repo, env={"INVOKE_MODELSYNC_AUDIT_SOURCES": "litelm=x"})
    assert bad.returncode == 2
    assert "INVOKE_MODELSYNC_AUDIT_SOURCES: unknown source 'litelm'" in bad.stderr


HOSTILE_ID = "evil`|\x1b]0;owned\x07\nmodelsync: all good"


def test_a_hostile_entry_never_reaches_the_terminal_or_markdown_unescaped(repo: Path) -> None:
    data = json.loads(GENAI_PRICES.read_text())
    openai = next(p for p in data if p["id"] == "openai")
    openai["pricing_urls"] = ["https://evil.example/x)[click](javascript:alert(1))"]
    openai["models"].append(
        {"id": HOSTILE_ID, "match": {"equals": "chatgpt-image-latest"}, "prices": {"input_mtok": 9}}
    )
    hostile = repo / "hostile.json"
    hostile.write_text(json.dumps(data))
    flags = ("--all", "--provider", "openai", "--litellm", "none", "--genai-prices", str(hostile))
    text = run_cli("audit", *flags, cwd=repo)
    assert text.returncode == 0, text.stderr
    assert "\x1b" not in text.stdout and "\x07" not in text.stdout
    assert "\nmodelsync: all good" not in text.stdout
    assert "openai/evil`|\\x1b]0;owned\\x07\\nmodelsync: all good" in text.stdout
    assert "javascript" not in text.stdout
    md = run_cli("audit", *flags, "--format", "markdown", cwd=repo)
    assert md.returncode == 0, md.stderr
    assert "\x1b" not in md.stdout and "javascript" not in md.stdout
    row = next(line for line in md.stdout.splitlines() if "price-missing" in line)
    assert "``openai/evil`\\|\\x1b]0;owned\\x07\\nmodelsync: all good``" in row


def test_markdown_links_the_source_entry(repo: Path) -> None:
    out = run_cli(
        "audit",
        "--format",
        "markdown",
        "--provider",
        "google",
        "--all",
        "--genai-prices",
        "none",
        "--litellm",
        str(LITELLM),
        cwd=repo,
    )
    assert out.returncode == 0, out.stderr
    row = next(line for line in out.stdout.splitlines() if "price-differs" in line)
    assert "[litellm](https://ai.google.dev/gemini-api/docs/pricing)" in row
    assert "`gemini/gemini-3.1-flash-image-preview`" in row
    assert Severity.ERROR.value in row


def test_genai_prices_dated_prices_and_deprecation_from_the_real_data() -> None:
    from modelsync.auditing.sources import genai_entries, parse_genai_prices

    data = parse_genai_prices(GENAI_PRICES.read_bytes(), "excerpt")
    entries = genai_entries(data, TODAY)
    assert entries["google/gemini-2.5-flash-preview"].deprecated is True
    assert entries["google/gemini-2.5-pro"].deprecated is False
    # claude-sonnet-4-5: base 3, and 6 above 200000 prompt tokens.
    sonnet = entries["anthropic/claude-sonnet-4-5"]
    assert sonnet.prices["input"] == 3 and sonnet.tiers[200000]["input"] == 6
    assert sonnet.link == "https://www.anthropic.com/pricing#api"


def test_a_source_of_wrong_types_inside_gives_what_it_can(small: Path) -> None:
    """Every field of the real shapes given a wrong type: no entry breaks the audit."""
    genai = json.loads(GENAI_PRICES.read_text())
    genai.append({"id": "x", "models": 5})
    genai.append({"id": "y", "models": {"a": 1}})
    genai[0]["models"][0]["prices"] = {"input_mtok": {"base": "1", "tiers": 7}}
    genai[0]["models"][1]["prices"] = [{"constraint": 3, "prices": {"input_mtok": float("nan")}}]
    genai[0]["models"][2]["match"] = {"or": [{"or": [{"or": [{"equals": 5}]}]}] * 200}
    litellm = json.loads(LITELLM.read_text())
    litellm["gpt-4o"] = {
        **litellm["gpt-4o"],
        "input_cost_per_token": -1,
        "mode": ["chat"],
        "max_input_tokens": 1e400,
        "deprecation_date": 20260101,
    }
    litellm["huge"] = "not an entry"
    (small / "g.json").write_text(json.dumps(genai))
    (small / "l.json").write_text(json.dumps(litellm).replace("1e400", "Infinity"))
    found = modelsync.audit(
        config_dir=str(small / "config" / "models"),
        cache_dir=str(small / "c"),
        litellm=str(small / "l.json"),
        genai_prices=str(small / "g.json"),
        today=TODAY,
    )
    assert [s.origin for s in found.sources] == ["file", "file"]
    assert {(f.source, f.rule, f.field) for f in found.findings} == {
        (None, "cache-read-above-input", "cache_read"),
        ("litellm", "price-differs", "cache_read"),  # its bad input price left out
        ("genai-prices", "price-differs", "cache_read"),
    }


def test_credentials_in_a_source_url_never_reach_the_output(
    small: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with CatalogServer() as srv:
        srv.serve("/l.json", Reply(b"{}", status=404))
        url = srv.url("/l.json").replace("http://", "http://user:s3cret@")
        with caplog.at_level(logging.WARNING, logger="modelsync"):
            found = _read(url, small)
    text = json.dumps(found.to_json()) + caplog.text
    assert "s3cret" not in text and "//***@127.0.0.1" in found.sources[0].location
    assert "HTTP 404" in (found.sources[0].problem or "")
