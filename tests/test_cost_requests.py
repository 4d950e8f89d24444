"""Token counts as typed and as constructed, which prices a cost used, and what the docs
promise about amounts, cached tokens and where learned keys land."""

from __future__ import annotations

import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

import modelsync
from modelsync.entry.flags import parse_count

from .conftest import ROOT, run_cli, sliced, write_catalog
from .routing_fixture import write_fixture


@pytest.fixture(scope="module")
def real_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("repo")
    source = write_catalog(repo / "api.json", sliced(providers=["openai", "anthropic"]))
    modelsync.sync_to_configs(source=source, config_dir=str(repo / "config" / "models"))
    shutil.copy(ROOT / "tasks.py", repo)
    return repo


@pytest.mark.parametrize(
    ("text", "tokens"),
    [("1.003k", 1_003), ("0.1M", 100_000), ("1.000001M", 1_000_001), ("2.5k", 2_500)],
)
def test_k_and_m_forms_are_exact(text: str, tokens: int) -> None:
    assert parse_count("--input", text) == tokens


@pytest.mark.slow
def test_cost_takes_1_003k_as_1003_tokens(tmp_path: Path) -> None:
    write_fixture(tmp_path / "config" / "models")
    shutil.copy(ROOT / "tasks.py", tmp_path)
    result = run_cli(
        "cost", "--provider", "acme", "--model", "acme-mid", "--input", "1.003k", cwd=tmp_path
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "1,003 tokens x $1/M" in result.stdout
    bad = run_cli(
        "cost", "--provider", "acme", "--model", "acme-mid", "--input", "1.0005k", cwd=tmp_path
    )  # fmt: skip
    assert bad.returncode == 2 and "not a whole number of tokens" in bad.stderr


@pytest.mark.parametrize("count", [-300_000, 1.5, True, "10"])
def test_a_usage_is_checked_when_constructed(count: object) -> None:
    with pytest.raises(modelsync.UsageError, match="input must be a whole number of tokens"):
        modelsync.Usage(input=count)  # type: ignore[arg-type]


def test_a_negative_usage_never_gives_a_negative_cost(real_repo: Path) -> None:
    with pytest.raises(modelsync.UsageError):
        modelsync.estimate_cost(
            "anthropic",
            "claude-sonnet-4-5",
            modelsync.Usage(input=-300_000),
            config_dir=str(real_repo / "config" / "models"),
        )


def test_fast_mode_above_a_tier_says_which_prices_applied(real_repo: Path) -> None:
    result = run_cli(
        "cost", "--provider", "openai", "--model", "gpt-5.4", "--input", "280k",
        "--output", "1k", "--mode", "fast", cwd=real_repo,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    head, *lines = result.stdout.splitlines()
    assert "mode fast prices for every line" in head
    assert "but the mode has no long-context prices" in head
    assert "long-context tier:" not in head
    assert all("(mode)" in line for line in lines[:-1])


def test_the_readme_cost_comment_is_what_print_shows(real_repo: Path) -> None:
    readme = (ROOT / "README.md").read_text()
    match = re.search(r"print\(cost\.total\)\s+#\s*(\S+)", readme)
    assert match
    cost = modelsync.estimate_cost(
        "anthropic",
        "claude-sonnet-4-5",
        {"input": 150_000, "output": 2_000},
        config_dir=str(real_repo / "config" / "models"),
    )
    assert str(cost.total) == match.group(1) == "0.48"
    assert cost.total == Decimal("0.48")
    assert all(str(line.amount) in ("0.45", "0.03") for line in cost.lines)


def test_the_readme_says_input_excludes_cached_tokens() -> None:
    text = " ".join((ROOT / "README.md").read_text().split())
    assert "`--input` excludes cached tokens" in text
    help_text = run_cli("--help", "cost", cwd=ROOT).stdout
    assert "not cached" in help_text


def test_learned_keys_land_where_the_docs_say(tmp_path: Path) -> None:
    config = tmp_path / "config" / "models"
    config.mkdir(parents=True)
    path = config / "acme.yml"
    path.write_text(
        "# hand formatted\n"
        "provider: acme\n"
        "models:\n"
        "  m1:\n"
        "    name: M1   # ours\n"
        "    task_complexity_score: {simple: 3.0}\n"
        "    notes: keep\n"
        "  m2:\n"
        "    name: M2   # ours\n"
        "    notes: keep\n"
    )
    outcomes = [
        {"provider": "acme", "model": m, "complexity": "simple", "quality": 4} for m in ("m1", "m2")
    ]
    modelsync.learn_scores(outcomes, config_dir=str(config), cache_dir=str(tmp_path / "c"))
    lines = path.read_text().splitlines()
    first = lines.index("  m1:")
    assert lines[first + 2].startswith("    task_complexity_score:")
    assert lines[first + 3].startswith("    task_complexity_samples:")
    second = lines.index("  m2:")
    assert lines[second + 3].startswith("    task_complexity_score:")  # at the end
    assert lines[second + 4].startswith("    task_complexity_samples:")  # right after
    docs = " ".join((ROOT / "docs" / "routing.md").read_text().split())
    assert "`task_complexity_samples` right after `task_complexity_score`" in docs
    assert "new keys go at the end of the model's entry" not in docs
