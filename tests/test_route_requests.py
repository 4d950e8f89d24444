"""What `route` and `cost` say about a request: unusable prices rank as unknown and are
never printed as a cost, the reasons read right for unscored ties and unknown costs,
`--max-cost -1` and `limit=0` mean one thing, and a one-sided estimate says so."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import modelsync

from .conftest import ROOT, run_cli
from .routing_fixture import write_fixture

ODD_PRICES = """\
provider: odd
default_model: odd-twin-b
models:
  odd-nan:
    name: Odd NaN
    context_window: 128000
    pricing: {input: .nan, output: 1.0}
    capabilities: [vision]
    task_complexity_score: {complex: 4.9}
  odd-inf:
    name: Odd Inf
    context_window: 128000
    pricing: {input: .inf, output: 1.0}
    capabilities: [vision]
    task_complexity_score: {complex: 4.9}
  odd-negative:
    name: Odd Negative
    context_window: 128000
    pricing: {input: -1.0, output: 1.0}
    capabilities: [vision]
    task_complexity_score: {complex: 4.9}
  odd-fine:
    name: Odd Fine
    context_window: 128000
    pricing: {input: 1.0, output: 1.0}
    capabilities: [vision]
    task_complexity_score: {complex: 4.9}
  odd-twin-a:
    name: Odd Twin A
    context_window: 64000
    pricing: {input: 1.0, output: 1.0}
    capabilities: [vision]
  odd-twin-b:
    name: Odd Twin B
    context_window: 64000
    pricing: {input: 1.0, output: 1.0}
    capabilities: [vision]
  odd-unpriced:
    name: Odd Unpriced
    context_window: 64000
    capabilities: [vision]
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    write_fixture(repo / "config" / "models")
    (repo / "config" / "models" / "odd.yml").write_text(ODD_PRICES)
    shutil.copy(ROOT / "tasks.py", repo)
    return repo


def cfg(repo: Path) -> str:
    return str(repo / "config" / "models")


def test_unusable_prices_rank_as_unknown_last(repo: Path) -> None:
    choices = modelsync.select("complex", providers=["odd"], config_dir=cfg(repo))
    names = [c.model for c in choices]
    assert names[0] == "odd-fine"
    assert set(names[1:]) == {"odd-inf", "odd-nan", "odd-negative"}
    assert all(c.cost is None for c in choices[1:])
    # The reason for an unknown cost never reads as a comparison of numbers.
    for choice in choices[1:]:
        text = " ".join(choice.reasons)
        assert "costs more than" not in text and "unknown >" not in text
    assert any("cost unknown, ranks after #1 odd/odd-fine" in r for r in choices[1].reasons)


def test_max_cost_with_unusable_prices_never_crashes(repo: Path) -> None:
    result = run_cli("route", "--complexity", "complex", "--max-cost", "0.01", cwd=repo)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "InvalidOperation" not in result.stderr
    assert "odd-nan" not in result.stdout and "NaN" not in result.stdout


@pytest.mark.parametrize("model", ["odd-nan", "odd-inf", "odd-negative"])
def test_cost_never_prints_an_unusable_price(repo: Path, model: str) -> None:
    result = run_cli(
        "cost", "--provider", "odd", "--model", model, "--input", "1000", cwd=repo
    )  # fmt: skip
    assert result.returncode == 1
    assert "$NaN" not in result.stdout and "Infinity" not in result.stdout
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr
    assert f"odd/{model} has no usable price for input" in result.stderr
    with pytest.raises(modelsync.PriceMissing, match="no usable price for input"):
        modelsync.estimate_cost("odd", model, {"input": 1000}, config_dir=cfg(repo))


def test_unscored_ties_do_not_claim_a_score(repo: Path) -> None:
    choices = modelsync.select(
        "complex", providers=["odd"], include_unscored=True, config_dir=cfg(repo)
    )
    twins = [c for c in choices if c.model.startswith("odd-twin")]
    assert [c.model for c in twins] == ["odd-twin-b", "odd-twin-a"]  # the default first
    reasons = " ".join(twins[1].reasons)
    assert "same cost and score as" not in reasons
    assert "same capabilities, context and cost as #" in reasons
    unpriced = next(c for c in choices if c.model == "odd-unpriced")
    assert not any("costs more than" in r for r in unpriced.reasons)


def test_a_negative_max_cost_is_named(repo: Path) -> None:
    result = run_cli("route", "--complexity", "complex", "--max-cost", "-1", cwd=repo)
    assert result.returncode == 2
    assert "needs a value" not in result.stderr
    assert "--max-cost '-1': expected a finite number >= 0" in result.stderr


@pytest.mark.slow
def test_limit_zero_means_all_in_the_api_and_the_command(repo: Path) -> None:
    everything = modelsync.select("complex", config_dir=cfg(repo))
    assert len(everything) > 5
    assert modelsync.select("complex", limit=0, config_dir=cfg(repo)) == everything
    result = run_cli("route", "--complexity", "complex", "--limit", "0", "--json", cwd=repo)
    assert len(json.loads(result.stdout)["choices"]) == len(everything)
    with pytest.raises(modelsync.UsageError, match="limit -1"):
        modelsync.select("complex", limit=-1, config_dir=cfg(repo))


@pytest.mark.slow
def test_input_alone_says_the_output_is_assumed_zero(repo: Path) -> None:
    result = run_cli("route", "--complexity", "complex", "--input", "20k", cwd=repo)
    assert result.returncode == 0, result.stderr
    head = result.stdout.splitlines()[0]
    assert "--output not given: the estimates assume 0 output tokens" in head
    as_json = run_cli(
        "route", "--complexity", "complex", "--input", "20k", "--json", cwd=repo
    )  # fmt: skip
    assert "assume 0 output tokens" in json.loads(as_json.stdout)["note"]
    both = run_cli(
        "route", "--complexity", "complex", "--input", "20k", "--output", "1k", cwd=repo
    )  # fmt: skip
    assert "not given" not in both.stdout


@pytest.mark.slow
def test_no_scored_model_says_how_to_score(repo: Path) -> None:
    result = run_cli("route", "--complexity", "complex", "--provider", "gamma", cwd=repo)
    assert result.returncode == 1
    assert result.stdout == ""
    line = result.stderr.strip()
    assert "\n" not in line
    assert "none has a task_complexity_score for complex" in line
    assert "invoke scores --from" in line and "--include-unscored" in line
    listed = run_cli(
        "route", "--complexity", "complex", "--provider", "gamma", "--include-unscored",
        cwd=repo,
    )  # fmt: skip
    assert listed.returncode == 0, listed.stderr
    assert "gamma/gamma-a" in listed.stdout
