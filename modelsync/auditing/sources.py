"""The independent price sources: LiteLLM's price map and pydantic's genai-prices data,
read through the catalog's own fetcher (HTTP cache, deadline, size bound, offline rules)
and reduced to one shape, :class:`Entry`, in USD per million tokens.

A source that cannot be read, or is not the expected shape, is skipped with one warning
naming it; the audit goes on without it.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..errors import CatalogError, ModelsyncError
from .findings import SourceRead

log = logging.getLogger(__name__)

LITELLM = "litellm"
GENAI_PRICES = "genai-prices"
#: The sources by name, and the key each has in the ``audit_sources`` setting.
SETTING_KEYS = {LITELLM: "litellm", GENAI_PRICES: "genai_prices"}
#: Prices compared, as modelsync names them.
PRICES = ("input", "output", "cache_read", "cache_write")
#: Longest id kept from a source: longer ones are no model id.
MAX_ID = 300


@dataclass(frozen=True)
class Entry:
    """One model of a source, in modelsync's terms."""

    source: str
    id: str
    #: ``input``, ``output``, ``cache_read``, ``cache_write``: USD per million tokens.
    prices: Mapping[str, float]
    #: threshold in prompt tokens -> prices above it
    tiers: Mapping[int, Mapping[str, float]] = field(default_factory=dict)
    #: the largest prompt (LiteLLM's ``max_input_tokens``, genai-prices' context window)
    input_limit: int | None = None
    max_output_tokens: int | None = None
    #: ``chat``, ``embedding``... as the source says; ``None`` when it does not say
    kind: str | None = None
    deprecated: bool = False
    #: the source's own provider name (LiteLLM's ``litellm_provider``, genai-prices' id)
    provider: str | None = None
    link: str | None = None
    #: genai-prices' own matching clause, kept for :mod:`.matching`
    match: Any = None


def _decode(body: bytes, origin: str, what: str) -> Any:
    from ..model.rawjson import loads

    try:
        return loads(body)
    except (UnicodeDecodeError, ValueError) as exc:
        raise CatalogError(f"{origin}: not valid JSON: {exc}") from None
    except RecursionError:
        raise CatalogError(f"{origin}: JSON nested too deeply") from None


def parse_litellm(body: bytes, origin: str) -> dict[str, Any]:
    """LiteLLM's map: an object of model entries, some with per-token prices."""
    data = _decode(body, origin, "LiteLLM")
    if not isinstance(data, dict) or not any(
        isinstance(v, dict) and ("input_cost_per_token" in v or "max_input_tokens" in v)
        for v in data.values()
    ):
        raise CatalogError(f"{origin}: not a LiteLLM price map (no entry with a token price)")
    return data


def parse_genai_prices(body: bytes, origin: str) -> dict[str, Any]:
    """genai-prices' data: a list of providers, each with a list of models."""
    data = _decode(body, origin, "genai-prices")
    if not isinstance(data, list) or not any(
        isinstance(p, dict) and isinstance(p.get("id"), str) and isinstance(p.get("models"), list)
        for p in data
    ):
        raise CatalogError(f"{origin}: not genai-prices data (no provider with models)")
    return {"providers": data}


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    number = float(value)
    return number if math.isfinite(number) and number >= 0 else None


def _tokens(value: Any) -> int | None:
    number = _number(value)
    return int(number) if number is not None and number.is_integer() else None


def _link(value: Any) -> str | None:
    return value if isinstance(value, str) and value.startswith("https://") else None


#: LiteLLM's keys for the prices compared; a tier is the key with ``_above_<N>k_tokens``.
LITELLM_KEYS = {
    "input": "input_cost_per_token",
    "output": "output_cost_per_token",
    "cache_read": "cache_read_input_token_cost",
    "cache_write": "cache_creation_input_token_cost",
}
#: LiteLLM's ``mode`` values that mean a chat model.
LITELLM_CHAT = ("chat", "responses", "completion")


def _litellm_entry(key: str, raw: Mapping[str, Any], today: str) -> Entry:
    prices: dict[str, float] = {}
    tiers: dict[int, dict[str, float]] = {}
    for name, base in LITELLM_KEYS.items():
        value = _number(raw.get(base))
        if value is not None:
            prices[name] = round(value * 1e6, 9)
        for raw_key, raw_value in raw.items():
            if not (raw_key.startswith(base + "_above_") and raw_key.endswith("k_tokens")):
                continue
            size = raw_key[len(base) + len("_above_") : -len("k_tokens")]
            price = _number(raw_value)
            if size.isdigit() and price is not None:
                tiers.setdefault(int(size) * 1000, {})[name] = round(price * 1e6, 9)
    mode = raw.get("mode")
    deprecation = raw.get("deprecation_date")
    provider = raw.get("litellm_provider")
    return Entry(
        LITELLM,
        key,
        prices,
        tiers,
        _tokens(raw.get("max_input_tokens")),
        _tokens(raw.get("max_output_tokens")),
        mode if isinstance(mode, str) else None,
        isinstance(deprecation, str) and deprecation[:10] <= today,
        provider if isinstance(provider, str) else None,
        _link(raw.get("source")),
    )


def litellm_entries(data: Mapping[str, Any], today: str) -> dict[str, Entry]:
    return {
        key: _litellm_entry(key, raw, today)
        for key, raw in data.items()
        if isinstance(raw, dict) and len(key) <= MAX_ID and key != "sample_spec"
    }


#: genai-prices' keys for the prices compared.
GENAI_KEYS = {
    "input": "input_mtok",
    "output": "output_mtok",
    "cache_read": "cache_read_mtok",
    "cache_write": "cache_write_mtok",
}


def _current(prices: Any, today: str) -> Mapping[str, Any]:
    """The prices in force today: the last dated entry started by today, ignoring those
    that hold only at some hours (``start_time``/``end_time``)."""
    if isinstance(prices, dict):
        return prices
    current: Mapping[str, Any] = {}
    for item in prices if isinstance(prices, list) else ():
        if not isinstance(item, dict) or not isinstance(item.get("prices"), dict):
            continue
        constraint = item.get("constraint")
        constraint = constraint if isinstance(constraint, dict) else {}
        if "start_time" in constraint or "end_time" in constraint:
            continue
        start = constraint.get("start_date")
        if not isinstance(start, str) or start[:10] <= today:
            current = item["prices"]
    return current


def _genai_entry(provider: Mapping[str, Any], raw: Mapping[str, Any], today: str) -> Entry:
    prices: dict[str, float] = {}
    tiers: dict[int, dict[str, float]] = {}
    found = _current(raw.get("prices"), today)
    for name, key in GENAI_KEYS.items():
        value = found.get(key)
        if isinstance(value, dict):
            listed = value.get("tiers")
            for tier in listed if isinstance(listed, list) else ():
                start = _tokens(tier.get("start")) if isinstance(tier, dict) else None
                price = _number(tier.get("price")) if isinstance(tier, dict) else None
                if start is not None and price is not None:
                    tiers.setdefault(start, {})[name] = price
            value = value.get("base")
        number = _number(value)
        if number is not None:
            prices[name] = number
    urls = provider.get("pricing_urls")
    return Entry(
        GENAI_PRICES,
        f"{provider['id']}/{raw['id']}",
        prices,
        tiers,
        _tokens(raw.get("context_window")),
        None,
        None,
        raw.get("deprecated") is True,
        str(provider["id"]),
        _link(urls[0]) if isinstance(urls, list) and urls else None,
        raw.get("match"),
    )


def genai_entries(data: Mapping[str, Any], today: str) -> dict[str, Entry]:
    out: dict[str, Entry] = {}
    for provider in data.get("providers") or ():
        if not isinstance(provider, dict) or not isinstance(provider.get("id"), str):
            continue
        models = provider.get("models")
        for raw in models if isinstance(models, list) else ():
            if isinstance(raw, dict) and isinstance(raw.get("id"), str):
                entry = _genai_entry(provider, raw, today)
                if len(entry.id) <= MAX_ID:
                    out[entry.id] = entry
    return out


_READERS: dict[
    str, tuple[Callable[[bytes, str], dict[str, Any]], Callable[[Any, str], dict[str, Entry]]]
] = {
    LITELLM: (parse_litellm, litellm_entries),
    GENAI_PRICES: (parse_genai_prices, genai_entries),
}


def read_source(
    name: str, location: str, settings: Any, today: str | None = None
) -> tuple[SourceRead, dict[str, Entry]]:
    """One source's entries by id, and what was read from where; a source that cannot be
    used gives no entries and one warning naming it."""
    from ..upstream.fetch import classify, fetch_url, read_file

    if location.strip().lower() == "none":
        return SourceRead(name, "none", "off"), {}
    shown = masked(location)
    parse, entries = _READERS[name]
    day = today or date.today().isoformat()
    try:
        kind, where = classify(location)
        if kind == "file":
            fetched = read_file(where, settings, parse=parse)
        else:
            fetched = fetch_url(where, settings, offline=settings.offline, parse=parse)
        found = entries(fetched.catalog, day)
    except ModelsyncError as exc:
        problem = str(exc).replace(location, shown)
        log.warning("audit source %s skipped: %s", name, problem)
        return SourceRead(name, shown, "failed", problem=problem), {}
    return SourceRead(name, shown, fetched.origin.value, len(found), fetched.sha256), found


def masked(location: str) -> str:
    """A source's URL with any credentials in it masked (``https://***@host/...``)."""
    return re.sub(r"//[^/@]*@", "//***@", location)
