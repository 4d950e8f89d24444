"""The arithmetic of ``invoke cost``: exact decimals and the choice of a price tier."""

from __future__ import annotations

from decimal import Decimal

import pytest

from modelsync.model.catalog import PriceTier, Pricing
from modelsync.use.cost import select_tier, to_decimal, usd


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (Decimal("0.750"), "0.75"),
        (Decimal("12.000"), "12"),
        (Decimal("1.5E-5"), "0.000015"),
        (Decimal("1E+3"), "1000"),
        (Decimal("0"), "0"),
        (Decimal("-0.0"), "0"),
    ],
)
def test_usd_is_plain_decimal_text(amount: Decimal, text: str) -> None:
    assert usd(amount) == text


def test_to_decimal_keeps_the_written_digits() -> None:
    assert to_decimal(0.075) == Decimal("0.075")
    assert to_decimal(3) == Decimal("3.0")
    assert to_decimal(0.1) * 3 == Decimal("0.3")  # not 0.30000000000000004


TIERS = Pricing(
    {"input": 1.0},
    (PriceTier(128_000, {"input": 2.0}), PriceTier(200_000, {"input": 3.0})),
)


@pytest.mark.parametrize(
    ("tokens", "above"),
    [(0, None), (128_000, None), (128_001, 128_000), (200_000, 128_000), (200_001, 200_000)],
)
def test_the_highest_tier_the_prompt_exceeds_applies(tokens: int, above: int | None) -> None:
    tier = select_tier(TIERS, tokens)
    assert (tier and tier.above_context) == above


def test_tier_order_does_not_matter() -> None:
    shuffled = Pricing(TIERS.prices, TIERS.tiers[::-1])
    tier = select_tier(shuffled, 300_000)
    assert tier is not None and tier.above_context == 200_000
    assert select_tier(Pricing({"input": 1.0}), 10**9) is None
