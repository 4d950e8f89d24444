"""What a user sees of a cost, exactly: its lines and total (exact decimals), its JSON
and its text, the one line of each error, and ``estimate_cost`` through files written
here, from a directory of its own (never this repository's ``config/models``)."""

from __future__ import annotations

import logging
import math
import os
import subprocess
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import modelsync
from modelsync.errors import PriceMissing, UsageError
from modelsync.model.catalog import Model, PriceTier, Pricing
from modelsync.model.usage import Usage
from modelsync.use.cost import price_request, quick_total, render, select_tier

# Base 2/8 and cache_read 0.5; above 1,000 prompt tokens input 4, output 12; mode batch:
# input 1.
TIERED = Pricing(
    {"input": 2.0, "output": 8.0, "cache_read": 0.5},
    (PriceTier(1000, {"input": 4.0, "output": 12.0}),),
    {"batch": {"input": 1.0}},
)


def model(pricing: Pricing | None = TIERED, **fields: Any) -> Model:
    return Model("acme", "m1", "M1", pricing=pricing, **fields)


def lines(cost: modelsync.Cost) -> list[tuple[str, int, str, str | None, str | None, str | None]]:
    return [
        (
            x.component.value,
            x.tokens,
            x.price_key,
            None if x.price is None else str(x.price.normalize()),
            None if x.source is None else x.source.value,
            None if x.amount is None else str(x.amount),
        )
        for x in cost.lines
    ]


# --- JSON and text -------------------------------------------------------------------


def test_the_json_of_a_cost_with_a_mode_a_tier_and_a_missing_price() -> None:
    usage = {"input": 1500, "output": 200, "reasoning": 100, "cache_write": 7}
    cost = price_request(model(), usage, mode="batch", allow_missing=True)
    assert cost.to_json() == {
        "provider": "acme",
        "model": "m1",
        "currency": "USD",
        "total": "0.0051",
        "prompt_tokens": 1507,
        "tier": 1000,
        "mode": "batch",
        "missing": ["cache_write"],
        "usage": {"input": 1500, "output": 200, "reasoning": 100, "cache_write": 7},
        "lines": [
            {
                "component": "input",
                "tokens": 1500,
                "price_key": "input",
                "price": "1",
                "source": "mode",
                "amount": "0.0015",
            },
            {
                "component": "output",
                "tokens": 200,
                "price_key": "output",
                "price": "12",
                "source": "tier",
                "amount": "0.0024",
            },
            {
                "component": "reasoning",
                "tokens": 100,
                "price_key": "output",
                "price": "12",
                "source": "tier",
                "amount": "0.0012",
            },
            {
                "component": "cache_write",
                "tokens": 7,
                "price_key": "cache_write",
                "price": None,
                "source": None,
                "amount": None,
            },
        ],
    }
    assert cost.total == Decimal("0.0051") and cost.missing == ("cache_write",)


def test_the_json_of_a_base_cost_has_no_tier_mode_or_missing() -> None:
    doc = price_request(model(), {"input": 10}).to_json()
    assert (doc["tier"], doc["mode"], doc["missing"], doc["total"]) == (None, None, [], "0.00002")
    assert doc["lines"] == [
        {
            "component": "input",
            "tokens": 10,
            "price_key": "input",
            "price": "2",
            "source": "base",
            "amount": "0.00002",
        }
    ]


def test_the_text_of_a_cost_with_a_mode_a_tier_and_a_missing_price() -> None:
    usage = {"input": 1500, "output": 200, "reasoning": 100, "cache_write": 7}
    cost = price_request(model(), usage, mode="batch", allow_missing=True)
    assert render(cost) == (
        "acme/m1 (mode batch prices for input; long-context tier (prompt 1,507 tokens > 1,000)"
        " for output, reasoning)\n"
        "  input               1,500 tokens x $1/M (mode)  = $0.0015\n"
        "  output                200 tokens x $12/M (tier)  = $0.0024\n"
        "  reasoning             100 tokens x $12/M (output price, tier)  = $0.0012\n"
        "  cache_write             7 tokens  no price (not counted)\n"
        "  total  $0.0051 USD\n"
    )


def test_the_text_of_a_cost_at_base_prices() -> None:
    cost = price_request(model(), {"input": 500, "output": 200, "cache_read": 300})
    assert render(cost) == (
        "acme/m1\n"
        "  input                500 tokens x $2/M (base)  = $0.001\n"
        "  output               200 tokens x $8/M (base)  = $0.0016\n"
        "  cache_read           300 tokens x $0.5/M (base)  = $0.00015\n"
        "  total  $0.00275 USD\n"
    )


def test_the_text_of_a_cost_above_a_tier() -> None:
    cost = price_request(model(), {"input": 1500, "cache_read": 10})
    assert render(cost) == (
        "acme/m1 (long-context tier: prompt 1,510 tokens > 1,000)\n"
        "  input              1,500 tokens x $4/M (tier)  = $0.006\n"
        "  cache_read            10 tokens x $0.5/M (base)  = $0.000005\n"
        "  total  $0.006005 USD\n"
    )


def test_the_text_says_when_a_mode_has_no_long_context_prices() -> None:
    cost = price_request(model(), {"input": 1500, "cache_read": 10}, mode="batch")
    assert render(cost).splitlines()[0] == (
        "acme/m1 (mode batch prices for input; prompt 1,510 tokens > 1,000, but the mode has"
        " no long-context prices; base prices for cache_read)"
    )
    whole = Pricing(
        {"input": 2.0, "output": 8.0},
        (PriceTier(1000, {"input": 4.0}),),
        {"batch": {"input": 1.0, "output": 3.0}},
    )
    cost = price_request(model(whole), {"input": 1500, "output": 10}, mode="batch")
    assert render(cost) == (
        "acme/m1 (mode batch prices for every line; prompt 1,500 tokens > 1,000, but the mode"
        " has no long-context prices)\n"
        "  input          1,500 tokens x $1/M (mode)  = $0.0015\n"
        "  output            10 tokens x $3/M (mode)  = $0.00003\n"
        "  total  $0.00153 USD\n"
    )


def test_the_text_of_a_mode_below_the_tier_with_base_prices_for_the_rest() -> None:
    cost = price_request(model(), {"input": 100, "output": 10}, mode="batch")
    assert render(cost).splitlines()[0] == (
        "acme/m1 (mode batch prices for input; base prices for output)"
    )
    assert cost.tier is None


def test_the_head_line_of_a_tier_at_0_and_of_a_mode_that_prices_no_line() -> None:
    pricing = Pricing(
        {"input": 1.0, "output": 2.0}, (PriceTier(0, {"input": 3.0}),), {"batch": {"input": 0.5}}
    )
    tiered = price_request(model(pricing), {"input": 5})
    assert render(tiered).splitlines()[0] == "acme/m1 (long-context tier: prompt 5 tokens > 0)"
    moded = price_request(model(pricing), {"output": 5}, mode="batch")
    assert render(moded).splitlines()[0] == (
        "acme/m1 (mode batch prices for no line; base prices for every line)"
    )


def test_a_line_without_a_price_is_followed_by_the_others() -> None:
    cost = price_request(model(), {"input": 5, "output_audio": 3, "cache_write": 2},
                         allow_missing=True)  # fmt: skip
    assert render(cost) == (
        "acme/m1\n"
        "  input                    5 tokens x $2/M (base)  = $0.00001\n"
        "  cache_write              2 tokens  no price (not counted)\n"
        "  output_audio             3 tokens  no price (not counted)\n"
        "  total  $0.00001 USD\n"
    )
    cost = price_request(model(Pricing({"output": 1.0})), {"input": 5, "output": 1},
                         allow_missing=True)  # fmt: skip
    assert render(cost).splitlines()[1:] == [
        "  input              5 tokens  no price (not counted)",
        "  output             1 tokens x $1/M (base)  = $0.000001",
        "  total  $0.000001 USD",
    ]


def test_the_text_of_a_request_without_tokens() -> None:
    cost = price_request(model(), {})
    assert cost.lines == () and cost.total == Decimal(0)
    assert render(cost) == "acme/m1\n  total  $0 USD\n"
    assert price_request(model(None), None).to_json()["total"] == "0"


# --- the arithmetic ------------------------------------------------------------------


def test_only_components_with_tokens_are_lines_in_component_order() -> None:
    usage = Usage(cache_read=4000, output=1, input=2)
    cost = price_request(model(), usage)
    assert lines(cost) == [
        ("input", 2, "input", "4", "tier", "0.000008"),
        ("output", 1, "output", "12", "tier", "0.000012"),
        ("cache_read", 4000, "cache_read", "0.5", "base", "0.002"),
    ]
    assert cost.total == Decimal("0.00202") and cost.prompt_tokens == 4002


def test_a_round_total_is_plain_not_an_exponent() -> None:
    cost = price_request(model(Pricing({"input": 100.0})), {"input": 1_000_000})
    assert str(cost.total) == "100" and str(cost.lines[0].amount) == "100"
    assert render(cost).endswith("= $100\n  total  $100 USD\n")
    ten = price_request(model(Pricing({"input": 10.0})), {"input": 1_000_000})
    assert str(ten.total) == "10" and str(ten.lines[0].amount) == "10"


def test_huge_requests_are_priced_exactly() -> None:
    # 35 significant digits: more than the default decimal context keeps (28).
    tokens = 123_456_789_123_456_789
    price = 0.123456789012345
    cost = price_request(model(Pricing({"input": price, "output": price})), Usage(input=tokens))
    # tokens x 123456789012345 / 10**15 (the price) / 10**6 (per million), in integers
    exact = Decimal(f"{tokens * 123456789012345}E-21")
    assert exact == Decimal("15241578766.956173811919595060205")
    assert cost.lines[0].amount == exact and cost.total == exact
    both = price_request(
        model(Pricing({"input": price, "output": price})), Usage(input=tokens, output=tokens + 1)
    )
    assert both.total == Decimal(f"{(2 * tokens + 1) * 123456789012345}E-21")


def test_a_free_price_is_a_price() -> None:
    cost = price_request(model(Pricing({"input": 0.0, "output": 1.0})), {"input": 5, "output": 1})
    assert cost.missing == () and cost.total == Decimal("0.000001")
    assert lines(cost)[0] == ("input", 5, "input", "0", "base", "0")
    assert quick_total(Pricing({"input": 0.0}), Usage(input=5)) == 0


def test_reasoning_prices_fall_back_to_output_only_without_their_own() -> None:
    own = Pricing({"input": 1.0, "output": 2.0, "reasoning": 3.0})
    assert lines(price_request(model(own), {"reasoning": 1_000_000})) == [
        ("reasoning", 1_000_000, "reasoning", "3", "base", "3")
    ]
    assert quick_total(own, Usage(reasoning=1_000_000)) == 3
    fallback = Pricing({"input": 1.0, "output": 2.0})
    assert quick_total(fallback, Usage(reasoning=1_000_000)) == 2
    assert quick_total(Pricing({"input": 1.0}), Usage(reasoning=1)) is None


def test_the_quick_total_of_a_model_without_pricing() -> None:
    assert quick_total(None, Usage()) == 0
    assert quick_total(None, Usage(input=1)) is None


@pytest.mark.parametrize("bad", [math.nan, math.inf, -1.0])
def test_the_quick_total_refuses_unusable_prices(bad: float) -> None:
    assert quick_total(Pricing({"input": bad}), Usage(input=1)) is None
    assert quick_total(Pricing({"input": 1.0, "output": bad}), Usage(reasoning=1)) is None
    assert quick_total(Pricing({"input": 1.0}, (), {"m": {"input": bad}}), Usage(input=1),
                       {"input": bad}) is None  # fmt: skip


def test_the_quick_total_takes_mode_over_tier_over_base() -> None:
    assert quick_total(TIERED, Usage(input=2000, cache_read=1000)) == Decimal("0.0085")
    assert quick_total(TIERED, Usage(input=10), {"input": 1.0}) == Decimal("0.00001")
    over = quick_total(TIERED, Usage(input=2000, output=1000), {"input": 1.0})
    assert over == Decimal("0.014")  # 2,000 x 1 (mode) + 1,000 x 12 (tier)


def test_of_two_tiers_at_the_same_threshold_the_first_applies() -> None:
    pricing = Pricing(
        {"input": 1.0}, (PriceTier(10, {"input": 2.0}), PriceTier(10, {"input": 3.0}))
    )
    tier = select_tier(pricing, 11)
    assert tier is not None and tier.prices["input"] == 2.0


# --- errors --------------------------------------------------------------------------

TAIL = "(a missing price is never counted as free; allow_missing=True or --allow-missing"


def error(m: Model, usage: dict[str, int], **kw: Any) -> str:
    with pytest.raises((PriceMissing, UsageError)) as caught:
        price_request(m, usage, **kw)
    return str(caught.value)


def test_missing_prices_are_named_in_one_line() -> None:
    assert error(model(Pricing({"input": 1.0})), {"output": 3, "cache_read": 2}) == (
        "acme/m1 has no price for output, cache_read; the request has output, cache_read "
        f"tokens {TAIL} prices the rest)"
    )
    assert error(model(None), {"output": 3}) == (
        "acme/m1 has no price for output (the model has no pricing at all); the request has "
        f"output tokens {TAIL} prices the rest)"
    )


def test_unusable_prices_are_named_with_where_they_came_from() -> None:
    bad = Pricing({"input": math.nan, "output": -1.0})
    assert error(model(bad), {"input": 1, "reasoning": 2, "output": 1}) == (
        "acme/m1 has no usable price for input, output, reasoning (input: nan (base price); "
        "output: -1.0 (base price); output: -1.0 (base price); a price is a finite number "
        ">= 0): the cost cannot be estimated; fix the provider file (invoke validate names "
        "the line)"
    )
    tier = Pricing({"input": 1.0}, (PriceTier(5, {"input": math.inf}),))
    assert "(input: inf (tier price); a price" in error(model(tier), {"input": 10})
    mode = Pricing({"input": 1.0}, (), {"m": {"input": -2.0}})
    assert "(input: -2.0 (mode price); a price" in error(model(mode), {"input": 10}, mode="m")
    # An unusable reasoning price is the one named, not the output price after it.
    both = Pricing({"input": 1.0, "output": math.nan, "reasoning": -3.0})
    assert "(reasoning: -3.0 (base price); a price" in error(model(both), {"reasoning": 1})
    # With allow_missing an unusable price is a missing line, never a NaN or negative total.
    cost = price_request(model(both), {"input": 1, "reasoning": 1}, allow_missing=True)
    assert cost.missing == ("reasoning",) and cost.total == Decimal("0.000001")
    assert lines(cost)[1] == ("reasoning", 1, "reasoning", None, None, None)


def test_an_unknown_mode_names_the_modes_there_are() -> None:
    assert error(model(None), {"input": 1}, mode="fast") == (
        "mode 'fast': acme/m1 has no such mode; it has no modes"
    )
    modes = Pricing({"input": 1.0}, (), {"flex": {}, "batch": {}})
    assert error(model(modes), {"input": 1}, mode="bach") == (
        "mode 'bach': acme/m1 has no such mode; its modes are batch, flex; did you mean 'batch'?"
    )


def test_a_request_beyond_the_context_window_is_priced_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    m = model(context_window=1000)
    with caplog.at_level(logging.WARNING, logger="modelsync.use.cost"):
        price_request(m, {"input": 600, "output": 300, "reasoning": 100})
        assert caplog.messages == []
        cost = price_request(m, {"input": 600, "output": 300, "reasoning": 101})
        price_request(model(), {"input": 10**6})  # no context window known: no warning
    assert cost.total == Decimal("0.004408")  # priced all the same
    assert caplog.messages == [
        "acme/m1: 1,001 prompt and output tokens exceed its context window of 1,000 tokens"
    ]


# --- estimate_cost through files -----------------------------------------------------

PROVIDER = """\
provider: acme
models:
  m1:
    name: M1
    context_window: 100000
    pricing:
      input: 2.0
      output: 8.0
      modes:
        batch: {input: 1.0}
"""


@pytest.fixture
def elsewhere(tmp_path: Path) -> Iterator[Path]:
    """An empty working directory, the config in another one."""
    config = tmp_path / "team" / "config" / "models"
    config.mkdir(parents=True)
    (config / "acme.yml").write_text(PROVIDER, encoding="utf-8")
    empty = tmp_path / "empty"
    empty.mkdir()
    cwd = Path.cwd()
    os.chdir(empty)
    try:
        yield config
    finally:
        os.chdir(cwd)


def test_estimate_cost_never_prices_an_unpriced_component_as_free(elsewhere: Path) -> None:
    with pytest.raises(PriceMissing, match=r"^acme/m1 has no price for cache_write;"):
        modelsync.estimate_cost("acme", "m1", {"input": 10, "cache_write": 5},
                                config_dir=str(elsewhere))  # fmt: skip
    cost = modelsync.estimate_cost(
        "acme", "m1", {"input": 10, "cache_write": 5}, allow_missing=True,
        config_dir=str(elsewhere),
    )  # fmt: skip
    assert cost.missing == ("cache_write",) and cost.total == Decimal("0.00002")


def test_estimate_cost_with_a_mode_and_a_loaded_catalog(elsewhere: Path) -> None:
    cost = modelsync.estimate_cost(
        "acme", "m1", {"input": 1000, "output": 10}, mode="batch", config_dir=str(elsewhere)
    )
    assert cost.total == Decimal("0.00108") and cost.mode == "batch"
    catalog = modelsync.load_catalog(config_dir=str(elsewhere))
    again = modelsync.estimate_cost("acme", "m1", {"output": 1000}, catalog=catalog)
    assert again.total == Decimal("0.008")
    with pytest.raises(PriceMissing):
        modelsync.estimate_cost("acme", "m1", {"cache_read": 1}, catalog=catalog)
    settings = modelsync.Settings(config_dir=str(elsewhere))
    by_settings = modelsync.estimate_cost("acme", "m1", {"output": 10}, settings=settings)
    assert by_settings.total == Decimal("0.00008")
    with pytest.raises(UsageError, match=r"^estimate_cost: give at= or catalog=, not both$"):
        modelsync.estimate_cost("acme", "m1", {}, catalog=catalog, at="2026-01-01")


def test_a_later_estimate_reads_the_index_not_the_provider_files(
    elsewhere: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``cost`` answers from the index kept in the cache directory (what makes it as
    cheap as a no-op sync): once the index is written, a new process parses no file."""
    from modelsync import yamlio
    from modelsync.use import view

    cache = str(tmp_path / "cache")
    first = modelsync.estimate_cost(
        "acme", "m1", {"output": 10}, config_dir=str(elsewhere), cache_dir=cache
    )
    view._MEMO.clear()  # what a new process starts with
    parsed: list[int] = []
    real_load = yamlio.load
    monkeypatch.setattr(yamlio, "load", lambda data: parsed.append(len(data)) or real_load(data))
    again = modelsync.estimate_cost(
        "acme", "m1", {"output": 10}, config_dir=str(elsewhere), cache_dir=cache
    )
    assert again.total == first.total == Decimal("0.00008")
    assert parsed == [], "the provider file was parsed again instead of read from the index"


def _git(repo: Path, *args: str, committed: str, authored: str) -> None:
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(repo.parent)}
    env["GIT_COMMITTER_DATE"] = f"{committed}T12:00:00Z"
    env["GIT_AUTHOR_DATE"] = f"{authored}T12:00:00Z"
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=repo, env=env, capture_output=True, check=True, timeout=60,
    )  # fmt: skip


def test_estimate_cost_at_a_date_of_the_files_history(elsewhere: Path) -> None:
    repo = elsewhere.parent.parent
    config = str(elsewhere)
    (elsewhere / "acme.yml").unlink()
    (elsewhere / "beta.yml").write_text(
        "provider: beta\nmodels:\n  b:\n    name: B\n    pricing: {input: 9.0}\n",
        encoding="utf-8",
    )
    zero = {"committed": "2025-12-01", "authored": "2025-12-01"}
    _git(repo, "init", "-q", **zero)
    _git(repo, "add", ".", **zero)
    _git(repo, "commit", "-qm", "beta", **zero)
    (elsewhere / "acme.yml").write_text(
        "provider: acme\nmodels:\n  m0:\n    name: M0\n    pricing: {input: 9.0}\n",
        encoding="utf-8",
    )
    first = {"committed": "2026-01-01", "authored": "2026-01-01"}
    _git(repo, "add", ".", **first)
    _git(repo, "commit", "-qm", "acme", **first)
    (elsewhere / "acme.yml").write_text(PROVIDER, encoding="utf-8")
    # Written on February 1st, committed on March 1st.
    second = {"committed": "2026-03-01", "authored": "2026-02-01"}
    _git(repo, "commit", "-qam", "m1", **second)
    usage = {"input": 1000, "cache_write": 1}
    with pytest.raises(PriceMissing, match="no price for cache_write"):
        modelsync.estimate_cost("acme", "m1", usage, at="2026-03-02", config_dir=config)
    cost = modelsync.estimate_cost(
        "acme", "m1", usage, at="2026-03-02", mode="batch", allow_missing=True,
        config_dir=config,
    )  # fmt: skip
    assert (cost.total, cost.mode, cost.missing) == (Decimal("0.001"), "batch", ("cache_write",))
    with pytest.raises(modelsync.ModelNotFound) as absent:
        modelsync.estimate_cost("acme", "m1", {}, at="2026-02-15", config_dir=config)
    assert str(absent.value).startswith(f"acme/m1 was not in {config} at 2026-02-15; it first")
    assert "it first appears on 2026-03-01" in str(absent.value)
    # By the date it was written (author date) the model was there.
    early = modelsync.estimate_cost(
        "acme", "m1", {"input": 1}, at="2026-02-15", author_date=True, config_dir=config
    )
    assert early.total == Decimal("0.000002")
    settings = modelsync.Settings(config_dir=config)
    later = modelsync.estimate_cost("acme", "m1", {"input": 1}, at="2026-03-02", settings=settings)
    assert later.total == Decimal("0.000002")
    with pytest.raises(modelsync.ModelNotFound) as before:
        modelsync.estimate_cost(
            "acme", "m1", {}, at="2026-01-15", author_date=True, config_dir=config
        )
    assert "it first appears on 2026-02-01" in str(before.value)
    with pytest.raises(modelsync.ProviderNotFound) as no_acme:
        modelsync.estimate_cost("acme", "m1", {}, at="2025-12-15", config_dir=config)
    assert str(no_acme.value).startswith(
        f"no provider 'acme' in {config} at 2025-12-15; the first was committed on 2026-01-01"
    )
    with pytest.raises(modelsync.ModelNotFound, match=r"^no model 'm2' in any version of acme"):
        modelsync.estimate_cost("acme", "m2", {}, at="2026-03-02", config_dir=config)
