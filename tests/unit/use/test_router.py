"""The router on a fixture of annotated configs (tests/routing_fixture.py): the choice
the documented rule gives, its reasons, and every constraint."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

import modelsync
from modelsync.use.choice import Standing

from ...conftest import run_cli
from ...routing_fixture import write_fixture


@pytest.fixture
def cfg(tmp_path: Path) -> Path:
    return write_fixture(tmp_path / "repo" / "config" / "models")


def names(choices: list[modelsync.Choice]) -> list[str]:
    return [f"{c.provider}/{c.model}" for c in choices]


def test_the_fixture_is_valid(cfg: Path) -> None:
    assert modelsync.validate_configs(config_dir=str(cfg)).ok


def test_cheapest_reaching_the_threshold_wins_then_score_then_default(cfg: Path) -> None:
    choices = modelsync.select("complex", min_context=128_000, config_dir=str(cfg))
    assert names(choices) == [
        "beta/beta-twin-b",  # $0.005, score 4.5
        "acme/acme-mid",  # $0.005, score 4.0, acme's default_model
        "beta/beta-twin-a",  # $0.005, score 4.0
        "acme/acme-big",  # $0.025
        "beta/beta-noprice",  # cost unknown: last
    ]
    first, mid, twin, big, noprice = choices
    assert (first.rank, first.score, first.cost, first.standing) == (
        1,
        4.5,
        Decimal("0.005"),
        Standing.REACHES,
    )
    assert first.reasons == (
        "available",
        "context 400,000 >= 128,000",
        "estimated cost $0.005 for 1,000 input + 1,000 output tokens",
        "fits: 2,000 prompt and output tokens <= context 400,000",
        "score 4.5 for complex reaches the threshold 4",
        "2 unscored candidate(s) not ranked (include_unscored, --include-unscored ranks them)",
        "cheapest of the 5 candidate(s) reaching the threshold",
        "the default_model of beta",
    )
    assert "same cost as #1 beta/beta-twin-b, lower score (4 < 4.5)" in mid.reasons
    assert "the default_model of acme" in mid.reasons and mid.is_default
    assert (
        "same cost and score as #2 acme/acme-mid, which is its provider's default_model"
        in twin.reasons
    )
    assert "costs more than #3 beta/beta-twin-a ($0.025 > $0.005)" in big.reasons
    assert noprice.cost is None
    assert "estimated cost unknown (a price is missing) for 1,000 input + 1,000 output tokens" in (
        noprice.reasons
    )


def test_without_constraints_the_cheapest_scored_model_wins(cfg: Path) -> None:
    choices = modelsync.select("complex", config_dir=str(cfg))
    # beta-nocontext's unknown context never holds a request; the model below the
    # threshold comes after every model that reaches it.
    assert names(choices)[0] == "beta/beta-twin-b"
    assert "beta/beta-nocontext" not in names(choices)
    assert names(choices)[-1] == "acme/acme-small"
    assert choices[-1].standing is Standing.BELOW
    assert "acme/acme-gone" not in names(choices), "unavailable models never qualify"
    assert "acme/acme-old" not in names(choices), "deprecated models only when asked"
    assert not any(c.provider == "gamma" for c in choices), "unscored: scored ones exist"


def test_an_unknown_context_never_qualifies(cfg: Path) -> None:
    for least in (0, 1000):
        found = names(modelsync.select("complex", min_context=least, config_dir=str(cfg)))
        assert "beta/beta-nocontext" not in found and "beta/beta-twin-b" in found


def test_capabilities_are_all_required(cfg: Path) -> None:
    choices = modelsync.select("complex", capabilities=["vision", "reasoning"], config_dir=str(cfg))
    assert names(choices) == ["acme/acme-big"]
    assert "has vision, reasoning" in choices[0].reasons
    with_old = modelsync.select(
        "complex",
        capabilities=["vision", "reasoning"],
        include_deprecated=True,
        config_dir=str(cfg),
    )
    assert names(with_old) == ["acme/acme-old", "acme/acme-big"]
    assert with_old[0].reasons[0] == "available, deprecated (included on request)"


def test_max_cost_excludes_dearer_and_unpriced_models(cfg: Path) -> None:
    choices = modelsync.select("complex", max_cost=0.005, min_context=128_000, config_dir=str(cfg))
    assert names(choices) == ["beta/beta-twin-b", "acme/acme-mid", "beta/beta-twin-a"]
    assert all(c.cost is not None and c.cost <= Decimal("0.005") for c in choices)
    assert "estimated cost $0.005 <= max $0.005 for 1,000 input + 1,000 output tokens" in (
        choices[0].reasons
    )
    assert modelsync.select("complex", max_cost=0, min_context=128_000, config_dir=str(cfg)) == []


def test_when_none_reaches_the_threshold_the_highest_score_wins(cfg: Path) -> None:
    choices = modelsync.select(
        "complex",
        capabilities=["vision"],
        min_context=128_000,
        route_thresholds={"complex": 4.9},
        config_dir=str(cfg),
    )
    assert names(choices) == [
        "acme/acme-big",
        "beta/beta-twin-b",
        "acme/acme-mid",
        "beta/beta-twin-a",
    ]
    assert all(c.standing is Standing.BELOW for c in choices)
    assert "score 4.8 for complex is below the threshold 4.9" in choices[0].reasons
    assert "highest score of the 4 scored candidate(s) below the threshold" in choices[0].reasons
    assert "lower score than #1 acme/acme-big (4.5 < 4.8)" in choices[1].reasons


def test_unscored_models_are_listed_only_when_asked_for(cfg: Path) -> None:
    with pytest.raises(modelsync.NotScored) as raised:
        modelsync.select("complex", providers=["gam*"], config_dir=str(cfg))
    message = str(raised.value)
    assert "2 model(s) of" in message and "none has a task_complexity_score for complex" in message
    assert "invoke scores --from outcomes.jsonl" in message and "--include-unscored" in message
    choices = modelsync.select(
        "complex", providers=["gam*"], include_unscored=True, config_dir=str(cfg)
    )
    assert names(choices) == ["gamma/gamma-a", "gamma/gamma-b"]
    assert choices[0].standing is Standing.UNSCORED
    assert (
        "no task_complexity_score for complex; listed because unscored models were asked for"
        in choices[0].reasons
    )
    assert "first of the 2 unscored candidate(s) by capabilities, context, cost" in (
        choices[0].reasons
    )
    assert "costs more than #1 gamma/gamma-a ($0.002 > $0.0002)" in choices[1].reasons


def test_the_usage_decides_the_cost_and_the_tier(cfg: Path) -> None:
    usage = {"input": 300_000, "output": 1_000}
    choices = modelsync.select(
        "complex", capabilities=["reasoning"], usage=usage, config_dir=str(cfg)
    )
    big = choices[0]
    assert big.cost == modelsync.estimate_cost("acme", "acme-big", usage, config_dir=str(cfg)).total
    assert big.cost == Decimal("3.03")  # 300,000 x 10 + 1,000 x 30, above 200k
    assert "estimated cost $3.03 for 300,000 input + 1,000 output tokens" in big.reasons


def test_a_limit_keeps_the_best(cfg: Path) -> None:
    everything = modelsync.select("complex", config_dir=str(cfg))
    assert modelsync.select("complex", limit=2, config_dir=str(cfg)) == everything[:2]


def test_mistakes_are_named(cfg: Path) -> None:
    with pytest.raises(modelsync.UsageError, match=r"complexity 'compelx'.*did you mean 'complex'"):
        modelsync.select("compelx", config_dir=str(cfg))
    with pytest.raises(modelsync.UsageError, match=r"capability 'visoin'.*did you mean 'vision'"):
        modelsync.select("complex", capabilities=["visoin"], config_dir=str(cfg))
    with pytest.raises(modelsync.ProviderNotFound, match=r"did you mean 'gamma'"):
        modelsync.select("complex", providers=["gama"], config_dir=str(cfg))
    with pytest.raises(modelsync.UsageError, match="max_cost"):
        modelsync.select("complex", max_cost=-1, config_dir=str(cfg))
    with pytest.raises(modelsync.UsageError, match=r"'complex' must be a score from 0 to 5"):
        modelsync.select("complex", route_thresholds={"complex": 7}, config_dir=str(cfg))


def test_a_loaded_catalog_routes_without_reading_the_files(cfg: Path) -> None:
    catalog = modelsync.load_catalog(config_dir=str(cfg))
    before = modelsync.select("complex", catalog=catalog)
    (cfg / "beta.yml").unlink()
    assert modelsync.select("complex", catalog=catalog) == before


@pytest.mark.slow
def test_invoke_route_prints_the_choice_and_the_runners_up(cfg: Path) -> None:
    repo = cfg.parent.parent
    result = run_cli(
        "modelsync", "route", "--complexity", "complex", "--capability", "vision",
        "--min-context", "128k", "--max-cost", "0.01", "--limit", "2", cwd=repo,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "complex task: 2 of 3 candidate(s):"
    assert lines[1] == "  1. beta/beta-twin-b  score 4.5  $0.005"
    assert "       - cheapest of the 3 candidate(s) reaching the threshold" in lines
    assert "  2. acme/acme-mid  score 4  $0.005" in lines
    as_json = run_cli(
        "modelsync", "route", "--complexity", "simple", "--input", "2k", "--output", "500",
        "--json", cwd=repo,
    )  # fmt: skip
    doc = json.loads(as_json.stdout)
    assert doc["ok"] is True and doc["candidates"] == 3 and len(doc["choices"]) == 3
    assert doc["choices"][0]["model"] == "acme-small"  # score 3.0 >= 1.0, the cheapest
    assert doc["choices"][0]["cost"] == "0.0004"  # 2,000 x 0.1 + 500 x 0.4
    assert "2,000 input + 500 output tokens" in doc["choices"][0]["reasons"][1]


@pytest.mark.slow
def test_invoke_route_reads_the_thresholds_setting(cfg: Path) -> None:
    repo = cfg.parent.parent
    (repo / "invoke.yaml").write_text("modelsync:\n  route_thresholds: {complex: 4.6}\n")
    args = ("modelsync", "route", "--complexity", "complex", "--min-context", "128k", "--json")
    result = run_cli(*args, cwd=repo)
    first = json.loads(result.stdout)["choices"][0]
    assert first["model"] == "acme-big", "the cheapest of those reaching 4.6"
    env = {"INVOKE_MODELSYNC_ROUTE_THRESHOLDS": "complex=4.0"}
    assert json.loads(run_cli(*args, cwd=repo, env=env).stdout)["choices"][0]["model"] == (
        "beta-twin-b"
    )
    bad = run_cli(*args, cwd=repo, env={"INVOKE_MODELSYNC_ROUTE_THRESHOLDS": "complex"})
    assert bad.returncode == 2
    assert "environment variable INVOKE_MODELSYNC_ROUTE_THRESHOLDS: expected a mapping" in (
        bad.stderr
    )


def test_invoke_route_without_a_candidate_is_one_error_line(cfg: Path) -> None:
    repo = cfg.parent.parent
    result = run_cli(
        "modelsync", "route", "--complexity", "complex", "--min-context", "2M", cwd=repo
    )
    assert result.returncode == 1
    assert result.stderr.startswith("modelsync: error: no model of config/models qualifies")
    missing = run_cli("modelsync", "route", cwd=repo)
    assert missing.returncode == 2 and "--complexity is required" in missing.stderr
