"""The price of one request, exactly: ``decimal.Decimal`` over a model's synced prices.

Prices are USD per million tokens (``pricing`` in a provider file). The rules
(``docs/routing.md``, "What a request costs"):

* the request's *prompt tokens* are its input, input audio, cache read and cache write
  tokens; when they exceed a tier's ``above_context``, that tier's prices replace the
  base prices of every component the tier prices, for the whole request (the highest
  threshold exceeded wins);
* a mode (``pricing.modes.<name>``), when asked for, replaces the prices it gives, tier
  or base;
* reasoning tokens cost the ``reasoning`` price when there is one, else the output price;
* a component with tokens and no price is :class:`~modelsync.errors.PriceMissing`
  naming it, never a silent zero, unless ``allow_missing`` (then the cost lists it in
  ``missing`` and counts nothing for it); a price that is not a finite number >= 0
  (``.nan``, ``.inf``, negative) is unusable and counts as missing, so a cost is never
  ``NaN``, infinite or negative.
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, localcontext
from enum import Enum
from typing import TYPE_CHECKING, Any

from ..errors import PriceMissing, UsageError
from ..model.catalog import Model, PriceTier, Pricing
from ..model.usage import Component, Usage
from ..util.suggest import did_you_mean

if TYPE_CHECKING:
    from ..history.timeline import When
    from ..settings import Settings
    from .view import CatalogView


log = logging.getLogger(__name__)


class PriceSource(str, Enum):
    """Where the price of a cost line came from."""

    BASE = "base"
    TIER = "tier"
    MODE = "mode"


@dataclass(frozen=True)
class CostLine:
    """One billed component: ``tokens`` at ``price`` USD per million tokens.

    ``price_key`` is the price used (``output`` for reasoning tokens of a model without a
    reasoning price); ``price`` and ``amount`` are ``None`` for a component without a
    price when missing prices were allowed.
    """

    component: Component
    tokens: int
    price_key: str
    price: Decimal | None
    source: PriceSource | None
    amount: Decimal | None


@dataclass(frozen=True)
class Cost:
    """What one request costs: a line per component with tokens, and the total in USD."""

    provider: str
    model: str
    usage: Usage
    lines: tuple[CostLine, ...]
    total: Decimal
    prompt_tokens: int
    #: ``above_context`` of the tier that applied, or ``None`` for the base prices.
    tier: int | None = None
    mode: str | None = None
    #: Components that had tokens but no price (only with ``allow_missing``).
    missing: tuple[str, ...] = ()
    currency: str = "USD"

    def to_json(self) -> dict[str, Any]:
        """JSON-ready; amounts and prices are exact decimal strings."""
        return {
            "provider": self.provider,
            "model": self.model,
            "currency": self.currency,
            "total": usd(self.total),
            "prompt_tokens": self.prompt_tokens,
            "tier": self.tier,
            "mode": self.mode,
            "missing": list(self.missing),
            "usage": self.usage.to_json(),
            "lines": [
                {
                    "component": line.component.value,
                    "tokens": line.tokens,
                    "price_key": line.price_key,
                    "price": None if line.price is None else usd(line.price),
                    "source": None if line.source is None else line.source.value,
                    "amount": None if line.amount is None else usd(line.amount),
                }
                for line in self.lines
            ],
        }


def usd(amount: Decimal) -> str:
    """An exact amount as plain decimal text: ``0.75``, ``12``, ``0.000015``."""
    text = format(amount.normalize(), "f")
    return "0" if text in ("-0", "") else text


def plain(amount: Decimal) -> Decimal:
    """``amount`` without trailing zeros and without an exponent: ``0.48``, not
    ``0.4800000``; ``100``, not ``1E+2``."""
    out = amount.normalize()
    return out.quantize(Decimal(1)) if out.as_tuple().exponent > 0 else out  # type: ignore[operator]


def usable(price: float) -> bool:
    """Whether a synced price can be priced with: a finite number >= 0."""
    return math.isfinite(price) and price >= 0


@functools.lru_cache(maxsize=4096)
def to_decimal(price: float) -> Decimal:
    """A synced price as the decimal it was written as (``0.075``, not the binary float)."""
    return Decimal(repr(float(price)))


def select_tier(pricing: Pricing, prompt_tokens: int) -> PriceTier | None:
    """The tier with the highest ``above_context`` that ``prompt_tokens`` exceeds."""
    chosen: PriceTier | None = None
    for tier in pricing.tiers:
        if prompt_tokens > tier.above_context and (
            chosen is None or tier.above_context > chosen.above_context
        ):
            chosen = tier
    return chosen


def check_mode(model: Model, mode: str | None) -> Mapping[str, float] | None:
    """The prices of ``mode``; :class:`UsageError` naming the model's modes if it has none
    of that name."""
    if mode is None:
        return None
    modes = model.pricing.modes if model.pricing else {}
    if mode not in modes:
        have = f"its modes are {', '.join(sorted(modes))}" if modes else "it has no modes"
        raise UsageError(
            f"mode {mode!r}: {model.provider}/{model.id} has no such mode; {have}"
            f"{did_you_mean(mode, modes)}"
        )
    return modes[mode]


def _price(
    pricing: Pricing | None,
    key: str,
    tier: PriceTier | None,
    mode: Mapping[str, float] | None,
) -> tuple[float, PriceSource] | None:
    if mode is not None and key in mode:
        return mode[key], PriceSource.MODE
    if tier is not None and key in tier.prices:
        return tier.prices[key], PriceSource.TIER
    if pricing is not None and key in pricing.prices:
        return pricing.prices[key], PriceSource.BASE
    return None


def price_request(
    model: Model,
    usage: Usage | Mapping[str, Any] | None,
    *,
    mode: str | None = None,
    allow_missing: bool = False,
) -> Cost:
    """The cost of a request of ``usage`` tokens to ``model`` (see the module docstring)."""
    usage = Usage.of(usage)
    mode_prices = check_mode(model, mode)
    _warn_if_too_long(model, usage)
    pricing = model.pricing
    tier = select_tier(pricing, usage.prompt_tokens) if pricing is not None else None
    lines = tuple(_line(pricing, c, usage.tokens(c), tier, mode_prices) for c in Component)
    lines = tuple(line for line in lines if line.tokens)
    missing = tuple(line.component.value for line in lines if line.amount is None)
    if missing and not allow_missing:
        raise PriceMissing(_missing_message(model, list(missing), tier, mode_prices))
    with localcontext() as ctx:
        ctx.prec = 60
        total = sum((line.amount for line in lines if line.amount is not None), Decimal(0))
        total = plain(total)
    return Cost(
        provider=model.provider,
        model=model.id,
        usage=usage,
        lines=lines,
        total=total,
        prompt_tokens=usage.prompt_tokens,
        tier=tier.above_context if tier is not None else None,
        mode=mode,
        missing=missing,
    )


def _line(
    pricing: Pricing | None,
    component: Component,
    tokens: int,
    tier: PriceTier | None,
    mode: Mapping[str, float] | None,
) -> CostLine:
    keys = ["reasoning", "output"] if component is Component.REASONING else [component.value]
    for key in keys:
        found = _price(pricing, key, tier, mode)
        if found is not None and not usable(found[0]):
            return CostLine(component, tokens, key, None, None, None)
        if found is not None:
            price = to_decimal(found[0])
            with localcontext() as ctx:
                ctx.prec = 60
                amount = plain((Decimal(tokens) * price).scaleb(-6))
            return CostLine(component, tokens, key, price, found[1], amount)
    return CostLine(component, tokens, component.value, None, None, None)


def _warn_if_too_long(model: Model, usage: Usage) -> None:
    size = usage.prompt_tokens + usage.output + usage.reasoning
    if model.context_window and size > model.context_window:
        log.warning(
            "%s/%s: %s prompt and output tokens exceed its context window of %s tokens",
            model.provider,
            model.id,
            f"{size:,}",
            f"{model.context_window:,}",
        )


def _missing_message(
    model: Model,
    missing: list[str],
    tier: PriceTier | None = None,
    mode: Mapping[str, float] | None = None,
) -> str:
    kinds = ", ".join(missing)
    where = "" if model.pricing is not None else " (the model has no pricing at all)"
    bad = []
    for kind in missing:
        keys = ["reasoning", "output"] if kind == "reasoning" else [kind]
        for key in keys:
            found = _price(model.pricing, key, tier, mode)
            if found is not None and not usable(found[0]):
                bad.append(f"{key}: {found[0]!r} ({found[1].value} price)")
                break
    if bad:
        return (
            f"{model.provider}/{model.id} has no usable price for {kinds} "
            f"({'; '.join(bad)}; a price is a finite number >= 0): the cost cannot be "
            "estimated; fix the provider file (invoke validate names the line)"
        )
    return (
        f"{model.provider}/{model.id} has no price for {kinds}{where}; the request has "
        f"{kinds} tokens (a missing price is never counted as free; allow_missing=True "
        "or --allow-missing prices the rest)"
    )


def quick_total(
    pricing: Pricing | None, usage: Usage, mode: Mapping[str, float] | None = None
) -> Decimal | None:
    """:func:`price_request`'s total, or ``None`` when a component has no price: the
    same rules without the lines, fast enough to rank a whole catalog."""
    parts = usage.parts
    if pricing is None:
        return None if parts else Decimal(0)
    prices = pricing.prices
    tier = select_tier(pricing, usage.prompt_tokens) if pricing.tiers else None
    if tier is not None or mode:
        # The precedence of _price: mode over tier over base.
        prices = {**prices, **(tier.prices if tier is not None else {}), **(mode or {})}
    total = Decimal(0)
    for key, tokens in parts:
        price = prices.get(key)
        if price is None and (key != "reasoning" or (price := prices.get("output")) is None):
            return None
        if not usable(price):
            return None
        total += tokens * to_decimal(price)
    return total.scaleb(-6)


def render(cost: Cost) -> str:
    """The cost as text: one line per component, then the total."""
    head = f"{cost.provider}/{cost.model}"
    applied = _applied(cost)
    out = [head + (f" ({'; '.join(applied)})" if applied else "")]
    width = max((len(line.component.value) for line in cost.lines), default=0)
    for line in cost.lines:
        name = line.component.value.ljust(width)
        if line.price is None or line.amount is None:
            out.append(f"  {name}  {line.tokens:>12,} tokens  no price (not counted)")
            continue
        source = line.source.value if line.source else ""
        via = (
            f"{line.price_key} price, {source}"
            if line.price_key != line.component.value
            else source
        )
        out.append(
            f"  {name}  {line.tokens:>12,} tokens x ${usd(line.price)}/M ({via})"
            f"  = ${usd(line.amount)}"
        )
    out.append(f"  total  ${usd(cost.total)} {cost.currency}")
    return "\n".join(out) + "\n"


def _applied(cost: Cost) -> list[str]:
    """Which prices applied, for the head line: a mode's, a tier's, the base ones."""
    by_source: dict[PriceSource, list[str]] = {}
    for line in cost.lines:
        if line.source is not None:
            by_source.setdefault(line.source, []).append(line.component.value)
    every = len([line for line in cost.lines if line.source is not None])
    prompt = "" if cost.tier is None else f"prompt {cost.prompt_tokens:,} tokens > {cost.tier:,}"

    def which(source: PriceSource) -> str:
        kinds = by_source.get(source, [])
        if not kinds:
            return "no line"
        return "every line" if len(kinds) == every else ", ".join(kinds)

    if not cost.mode:
        return [f"long-context tier: {prompt}"] if cost.tier is not None else []
    out = [f"mode {cost.mode} prices for {which(PriceSource.MODE)}"]
    if cost.tier is not None:
        if PriceSource.TIER in by_source:
            out.append(f"long-context tier ({prompt}) for {which(PriceSource.TIER)}")
        else:
            out.append(f"{prompt}, but the mode has no long-context prices")
    if PriceSource.BASE in by_source:
        out.append(f"base prices for {which(PriceSource.BASE)}")
    return out


def estimate_cost(
    provider: str,
    model: str,
    usage: Usage | Mapping[str, Any] | None,
    *,
    mode: str | None = None,
    allow_missing: bool = False,
    catalog: CatalogView | None = None,
    at: When | None = None,
    author_date: bool = False,
    settings: Settings | None = None,
    **overrides: Any,
) -> Cost:
    """What a request of ``usage`` tokens to ``provider/model`` of the synced files costs
    (:func:`price_request`); settings as keywords (``config_dir=``) or ``settings=``, or
    an already loaded ``catalog``. With ``at`` (``"2026-04-01"``), at the prices the
    provider's file held at that date in git (``docs/history.md``)."""
    from ..settings import settings_for
    from .view import read_catalog

    if at is not None:
        if catalog is not None:
            raise UsageError("estimate_cost: give at= or catalog=, not both")
        return price_request(
            _model_at(provider, model, at, author_date, settings_for(settings, overrides)),
            usage,
            mode=mode,
            allow_missing=allow_missing,
        )
    if catalog is None:
        s = settings_for(settings, overrides)
        catalog = read_catalog(s.config_path, s.cache_path)
    return price_request(
        catalog.get(provider, model), usage, mode=mode, allow_missing=allow_missing
    )


def _model_at(provider: str, model: str, at: When, author_date: bool, s: Settings) -> Model:
    """The model as ``provider``'s file held it at ``at`` in git."""
    from ..history import model_absent
    from .view import read_catalog_at

    catalog = read_catalog_at(s.config_path, at, providers=[provider], author_date=author_date)
    found = catalog.provider(provider).models.get(model)
    if found is None:
        raise model_absent(s.config_path, provider, model, at, author_date=author_date)
    return found
