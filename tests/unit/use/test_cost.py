"""The cost of a request, checked against totals computed by hand from the real
snapshots' prices (USD per million tokens), and through the synced files and `invoke
cost`."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

import modelsync
from modelsync.errors import PriceMissing, UsageError
from modelsync.model.catalog import Model, PriceTier, Pricing
from modelsync.model.mapping import provider_from_upstream
from modelsync.model.usage import Component, Usage
from modelsync.use.cost import PriceSource, price_request, quick_total

from ...conftest import catalog, run_cli, sliced, write_catalog


def real(provider: str, model: str, date: str = "2026-05-21") -> Model:
    return provider_from_upstream(provider, catalog(date)[provider]).models[model]


def line(cost: modelsync.Cost, component: str) -> modelsync.CostLine:
    return next(x for x in cost.lines if x.component is Component(component))


# --- long-context tiers -----------------------------------------------------------------


def test_gemini_below_its_tier_pays_the_base_prices() -> None:
    # gemini-2.5-pro: input 1.25, output 10, cache_read 0.125; above 200k: 2.5, 15, 0.25.
    model = real("google", "gemini-2.5-pro")
    cost = price_request(model, {"input": 150_000, "cache_read": 40_000, "output": 3_000})
    # 150,000 x 1.25 + 40,000 x 0.125 + 3,000 x 10, per million
    assert cost.total == Decimal("0.1875") + Decimal("0.005") + Decimal("0.03")
    assert cost.tier is None and cost.prompt_tokens == 190_000
    assert {x.source for x in cost.lines} == {PriceSource.BASE}


def test_gemini_above_its_tier_pays_the_tier_for_the_whole_request() -> None:
    model = real("google", "gemini-2.5-pro")
    cost = price_request(model, {"input": 150_000, "cache_read": 60_000, "output": 3_000})
    # prompt 210,000 > 200,000: 150,000 x 2.5 + 60,000 x 0.25 + 3,000 x 15 (output too)
    assert cost.total == Decimal("0.435")
    assert cost.tier == 200_000 and cost.prompt_tokens == 210_000
    assert line(cost, "output").price == Decimal("15")
    assert {x.source for x in cost.lines} == {PriceSource.TIER}


def test_a_prompt_exactly_at_the_threshold_is_not_above_it() -> None:
    model = real("google", "gemini-2.5-pro")
    cost = price_request(model, {"input": 200_000})
    assert cost.tier is None and cost.total == Decimal("0.25")
    assert price_request(model, {"input": 200_001}).tier == 200_000


def test_cached_prompt_tokens_count_toward_the_tier() -> None:
    # gpt-5.4 has a tier at 272k: 200k input + 80k cache read are above it.
    model = real("openai", "gpt-5.4")
    cost = price_request(model, {"input": 200_000, "cache_read": 80_000, "output": 1_000})
    # 200,000 x 5 + 80,000 x 0.5 + 1,000 x 22.5
    assert cost.tier == 272_000 and cost.total == Decimal("1.0625")
    # Cache writes too (no real tiered model prices them).
    pricing = Pricing({"input": 1.0, "cache_write": 2.0}, (PriceTier(100, {"cache_write": 4.0}),))
    written = price_request(Model("acme", "m", "M", pricing=pricing), {"cache_write": 101})
    assert written.tier == 100 and written.total == Decimal("0.000404")


def test_the_highest_threshold_exceeded_wins() -> None:
    # doubao-seed-2-0-lite: base 0.08/0.51, input_audio 1.269; >32k: 0.13/0.76/1.902;
    # >128k: 0.25/1.52/3.804.
    model = real("aihubmix", "doubao-seed-2-0-lite-260428")
    high = price_request(model, {"input": 100_000, "input_audio": 30_000, "output": 1_000})
    # prompt 130,000 > 128,000: 100,000 x 0.25 + 30,000 x 3.804 + 1,000 x 1.52
    assert high.tier == 128_000
    assert high.total == Decimal("0.025") + Decimal("0.11412") + Decimal("0.00152")
    assert high.total == Decimal("0.14064")  # exact: float arithmetic gives 0.14064000000000002
    low = price_request(model, {"input": 100_000, "input_audio": 20_000, "output": 1_000})
    assert low.tier == 32_000
    assert low.total == Decimal("0.013") + Decimal("0.03804") + Decimal("0.00076")


def test_the_legacy_context_over_200k_form_is_a_tier() -> None:
    # 2026-03-18 gemini-3-pro-preview: 2/12, context_over_200k 4/18.
    model = real("google", "gemini-3-pro-preview", "2026-03-18")
    cost = price_request(model, {"input": 250_000, "output": 2_000})
    assert cost.total == Decimal("1.0") + Decimal("0.036")


# --- modes, reasoning, cache ------------------------------------------------------------


def test_a_mode_replaces_the_base_prices() -> None:
    # claude-opus-4-6: 5/25, cache 0.5 read, 6.25 write; fast: 30/150, 3, 37.5.
    model = real("anthropic", "claude-opus-4-6")
    usage = {"input": 10_000, "cache_read": 100_000, "cache_write": 20_000, "output": 4_000}
    base = price_request(model, usage)
    assert base.total == Decimal("0.05") + Decimal("0.05") + Decimal("0.125") + Decimal("0.1")
    fast = price_request(model, usage, mode="fast")
    assert fast.total == Decimal("0.3") + Decimal("0.3") + Decimal("0.75") + Decimal("0.6")
    assert fast.mode == "fast" and {x.source for x in fast.lines} == {PriceSource.MODE}


def test_a_mode_beats_the_tier_for_what_it_prices() -> None:
    # gpt-5.4 fast: 5/30, cache_read 0.5; the 272k tier: 5/22.5/0.5.
    model = real("openai", "gpt-5.4")
    cost = price_request(model, {"input": 280_000, "output": 1_000}, mode="fast")
    assert cost.total == Decimal("1.4") + Decimal("0.03")
    assert line(cost, "output").source is PriceSource.MODE


def test_reasoning_uses_its_own_price_when_there_is_one() -> None:
    # 2026-05-21 alibaba qwen-plus: input 0.4, output 1.2, reasoning 4.
    model = real("alibaba", "qwen-plus")
    cost = price_request(model, {"input": 10_000, "output": 1_000, "reasoning": 5_000})
    assert cost.total == Decimal("0.004") + Decimal("0.0012") + Decimal("0.02")
    assert line(cost, "reasoning").price_key == "reasoning"


def test_reasoning_falls_back_to_the_output_price() -> None:
    # gpt-5.4: output 15, no reasoning price; in the tier output 22.5.
    model = real("openai", "gpt-5.4")
    cost = price_request(model, {"input": 100_000, "output": 2_000, "reasoning": 8_000})
    assert cost.total == Decimal("0.25") + Decimal("0.03") + Decimal("0.12")
    assert line(cost, "reasoning").price_key == "output"
    tiered = price_request(model, {"input": 280_000, "reasoning": 1_000})
    assert line(tiered, "reasoning").price == Decimal("22.5")


def test_cache_read_and_reasoning_prices_of_grok() -> None:
    # 2026-03-18 grok-4: input 3, output 15, reasoning 15, cache_read 0.75.
    model = real("xai", "grok-4", "2026-03-18")
    usage = {"input": 10_000, "cache_read": 5_000, "output": 1_000, "reasoning": 2_000}
    assert price_request(model, usage).total == Decimal("0.07875")


# --- missing prices and bad input -------------------------------------------------------


def test_tokens_without_a_price_are_an_error_naming_them() -> None:
    model = real("openai", "gpt-5.4")  # no cache_write price
    with pytest.raises(PriceMissing, match=r"openai/gpt-5.4 has no price for cache_write"):
        price_request(model, {"input": 1_000, "cache_write": 500})
    allowed = price_request(model, {"input": 1_000, "cache_write": 500}, allow_missing=True)
    assert allowed.missing == ("cache_write",) and allowed.total == Decimal("0.0025")
    assert line(allowed, "cache_write").amount is None


def test_a_model_without_pricing_is_never_free() -> None:
    model = Model("acme", "free-lunch", "Free lunch")
    with pytest.raises(PriceMissing, match="no pricing at all"):
        price_request(model, {"input": 1})
    assert price_request(model, {}).total == 0


def test_unknown_modes_and_token_kinds_are_named() -> None:
    model = real("anthropic", "claude-opus-4-6")
    with pytest.raises(UsageError, match=r"mode 'fsat'.*its modes are fast.*did you mean 'fast'"):
        price_request(model, {"input": 1}, mode="fsat")
    with pytest.raises(UsageError, match=r"unknown kind of token 'inptu'.*did you mean 'input'"):
        price_request(model, {"inptu": 1})
    with pytest.raises(UsageError, match="whole number of tokens"):
        price_request(model, {"input": -1})
    with pytest.raises(UsageError, match="whole number of tokens"):
        price_request(model, {"input": 1.5})


def test_the_quick_total_agrees_with_the_lines() -> None:
    pricing = Pricing(
        {"input": 1.0, "output": 2.0, "cache_read": 0.1},
        (PriceTier(10, {"input": 3.0}), PriceTier(100, {"output": 5.0})),
        {"fast": {"input": 7.0}},
    )
    model = Model("acme", "m", "M", pricing=pricing)
    for usage in (
        Usage(input=5, output=5),
        Usage(input=50, output=5, reasoning=3),
        Usage(input=50, cache_read=60, output=5),
    ):
        for mode in (None, "fast"):
            exact = price_request(model, usage, mode=mode).total
            assert quick_total(pricing, usage, pricing.modes.get(mode or "")) == exact
    # Above 100 the higher tier applies alone: its output price, the base input price.
    assert price_request(model, Usage(input=101, output=1)).total == Decimal("0.000106")
    assert quick_total(pricing, Usage(cache_write=1)) is None


# --- through the files and the task -----------------------------------------------------


@pytest.fixture
def synced(tmp_path: Path) -> Path:
    source = write_catalog(tmp_path / "api.json", sliced(providers=["google", "openai"]))
    modelsync.sync_to_configs(source=source, config_dir=str(tmp_path / "cfg"))
    return tmp_path


def test_estimate_cost_reads_the_synced_files(synced: Path) -> None:
    cost = modelsync.estimate_cost(
        "openai",
        "gpt-5.4",
        {"input": 280_000, "output": 1_000},
        mode="fast",
        config_dir=str(synced / "cfg"),
    )
    assert cost.total == Decimal("1.43")
    with pytest.raises(modelsync.ModelNotFound, match=r"did you mean 'gpt-5.4'"):
        modelsync.estimate_cost("openai", "gpt-5.4x", {}, config_dir=str(synced / "cfg"))


@pytest.mark.slow
def test_invoke_cost_prints_the_breakdown(synced: Path) -> None:
    args = ("modelsync", "cost", "--config-dir", "cfg", "--provider", "google")
    result = run_cli(
        *args, "--model", "gemini-2.5-pro", "--input", "150k", "--cache-read", "60k",
        "--output", "3k", cwd=synced,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "long-context tier: prompt 210,000 tokens > 200,000" in result.stdout
    words = " ".join(result.stdout.split())
    assert "output 3,000 tokens x $15/M (tier) = $0.045" in words
    assert result.stdout.rstrip().endswith("total  $0.435 USD")
    as_json = run_cli(*args, "--model", "gemini-2.5-pro", "--input", "1M", "--json", cwd=synced)
    doc = json.loads(as_json.stdout)
    assert doc["ok"] is True and doc["total"] == "2.5" and doc["tier"] == 200_000
    missing = run_cli(*args, "--model", "gemini-2.5-pro", "--cache-write", "5", cwd=synced)
    assert missing.returncode == 1
    assert missing.stderr.strip().splitlines() == [
        "modelsync: error: google/gemini-2.5-pro has no price for cache_write; the request has"
        " cache_write tokens (a missing price is never counted as free; allow_missing=True or"
        " --allow-missing prices the rest)"
    ]
    usage = run_cli(*args, "--model", "gemini-2.5-pro", "--input", "lots", cwd=synced)
    assert usage.returncode == 2 and "--input 'lots'" in usage.stderr
    nomodel = run_cli("modelsync", "cost", "--config-dir", "cfg", "--json", cwd=synced)
    assert nomodel.returncode == 2 and json.loads(nomodel.stdout)["ok"] is False
