"""The sanity rules: what a synced model's own values say about each other, no network.

Each rule has a stable id (used in JSON, ``docs/audit.md`` and ``--strict``) and a
severity. A provider *bills* when any model of its file has a non-zero input or output
price; only then is a price of exactly 0 beside non-zero ones suspect.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

from ..model.catalog import Model
from .findings import Finding, Severity


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    #: What the rule finds, in one line (the table of ``docs/audit.md``).
    summary: str


RULES: dict[str, Rule] = {
    r.id: r
    for r in (
        Rule("cache-read-above-input", Severity.ERROR, "a cache-read price above the input price"),
        Rule(
            "cache-write-below-read",
            Severity.WARNING,
            "a cache-write price below the cache-read price",
        ),
        Rule(
            "output-above-context",
            Severity.ERROR,
            "an output limit above the context window",
        ),
        Rule("tier-below-base", Severity.ERROR, "a long-context tier priced below the base"),
        Rule(
            "tier-unreachable",
            Severity.WARNING,
            "a tier whose threshold is at or above the context window (or input limit)",
        ),
        Rule(
            "zero-price",
            Severity.WARNING,
            "a price of exactly 0 beside non-zero ones, on a provider that bills",
        ),
        Rule("zero-limit", Severity.WARNING, "a context window or output limit of 0"),
        Rule("release-after-update", Severity.WARNING, "release_date after last_updated"),
        Rule(
            "knowledge-after-release",
            Severity.INFO,
            "knowledge_cutoff after release_date",
        ),
        Rule(
            "one-output-price",
            Severity.INFO,
            "text and image output under one output price (no image price)",
        ),
        Rule("unpriced", Severity.INFO, "no price at all: cost and route cannot use it"),
    )
}

#: Words in an id or family that make a model an embedding or rerank model, whose
#: output price of 0 is right (it bills no output tokens).
NO_OUTPUT_WORDS = ("embed", "rerank")


def _finding(
    rule: str, m: Model, field: str | None, value: object, other: object, message: str
) -> Finding:
    return Finding(
        m.provider, m.id, rule, RULES[rule].severity, field, value, other, message=message
    )


def _cache(m: Model, prices: Mapping[str, float]) -> Iterator[Finding]:
    i, cr, cw = prices.get("input"), prices.get("cache_read"), prices.get("cache_write")
    if cr is not None and i is not None and cr > i:
        yield _finding(
            "cache-read-above-input",
            m,
            "cache_read",
            cr,
            i,
            f"cache_read {cr:g} is above the input price {i:g}",
        )
    if cr is not None and cw is not None and cw < cr:
        yield _finding(
            "cache-write-below-read",
            m,
            "cache_write",
            cw,
            cr,
            f"cache_write {cw:g} is below cache_read {cr:g}",
        )


def _limits(m: Model, _: Mapping[str, float]) -> Iterator[Finding]:
    ctx, out = m.context_window, m.max_output_tokens
    if ctx and out and out > ctx:
        yield _finding(
            "output-above-context",
            m,
            "max_output_tokens",
            out,
            ctx,
            f"max_output_tokens {out} is above the context window {ctx}",
        )
    for key, value in (("context_window", ctx), ("max_output_tokens", out)):
        if value == 0:
            yield _finding("zero-limit", m, key, 0, None, f"{key} is 0")


def _tiers(m: Model, prices: Mapping[str, float]) -> Iterator[Finding]:
    tiers = m.pricing.tiers if m.pricing else ()
    limit = m.max_input_tokens or m.context_window
    for tier in tiers:
        where = f"tiers.{tier.above_context}"
        for key, value in tier.prices.items():
            base = prices.get(key)
            if base is not None and value < base:
                yield _finding(
                    "tier-below-base",
                    m,
                    f"{where}.{key}",
                    value,
                    base,
                    f"{key} above {tier.above_context} tokens is {value:g}, below the "
                    f"base {base:g}",
                )
        if limit and tier.above_context >= limit:
            yield _finding(
                "tier-unreachable",
                m,
                where,
                tier.above_context,
                limit,
                f"a tier above {tier.above_context} tokens cannot apply: the model takes "
                f"at most {limit}",
            )


def _zero(m: Model, prices: Mapping[str, float], bills: bool) -> Iterator[Finding]:
    if not bills or not any(prices.values()):
        return
    quiet = any(w in f"{m.id} {m.family or ''}".lower() for w in NO_OUTPUT_WORDS)
    for key, value in prices.items():
        if value == 0 and not (key == "output" and quiet):
            others = {k: v for k, v in prices.items() if v}
            yield _finding(
                "zero-price",
                m,
                key,
                0.0,
                others,
                f"{key} is 0 beside {', '.join(f'{k} {v:g}' for k, v in others.items())}",
            )


def _dates(m: Model, _: Mapping[str, float]) -> Iterator[Finding]:
    released, updated, known = m.release_date, m.last_updated, m.knowledge_cutoff
    if released and updated and _after(released, updated):
        yield _finding(
            "release-after-update",
            m,
            "release_date",
            released,
            updated,
            f"released {released}, after its last_updated {updated}",
        )
    if known and released and _after(known, released):
        yield _finding(
            "knowledge-after-release",
            m,
            "knowledge_cutoff",
            known,
            released,
            f"knowledge cutoff {known} is after its release {released}",
        )


def _after(a: str, b: str) -> bool:
    """``a`` is later than ``b``, compared at the precision both have (``2024-04`` is
    not after ``2024-04-03``)."""
    n = min(len(a), len(b))
    return a[:n] > b[:n]


def _output(m: Model, prices: Mapping[str, float]) -> Iterator[Finding]:
    kinds = m.modalities.get("output", ())
    out = prices.get("output")
    if "image" in kinds and "text" in kinds and out and not any("image" in k for k in prices):
        yield _finding(
            "one-output-price",
            m,
            "output",
            out,
            None,
            f"one output price {out:g} for text and image output",
        )
    if not prices and m.available:
        yield _finding("unpriced", m, "pricing", None, None, "no price")


_PER_MODEL: tuple[Callable[[Model, Mapping[str, float]], Iterable[Finding]], ...] = (
    _cache,
    _limits,
    _tiers,
    _dates,
    _output,
)


def bills(models: Iterable[Model]) -> bool:
    """Whether a provider bills: some model has a non-zero input or output price."""
    return any(m.pricing and (m.pricing.input or m.pricing.output) for m in models)


def check(model: Model, provider_bills: bool) -> list[Finding]:
    """Every rule ``model`` breaks, in the order of :data:`RULES`."""
    prices = dict(model.pricing.prices) if model.pricing else {}
    found = [f for rule in _PER_MODEL for f in rule(model, prices)]
    found += _zero(model, prices, provider_bills)
    order = list(RULES)
    return sorted(found, key=lambda f: order.index(f.rule))
