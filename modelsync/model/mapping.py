"""The mapping from models.dev to modelsync's fields: validation and conversion.

Everything the sync writes about a model comes from :func:`model_from_upstream`; the
mapping rules are documented in ``docs/format.md``. A provider is checked against the
API schema first (:func:`provider_from_upstream`); what a schema cannot express (NaN,
text that is not UTF-8) raises :class:`~modelsync.model.catalog.BadData` here.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from typing import Any

from .catalog import (
    CAPABILITIES,
    PRICE_KEYS,
    PROVIDER_FIELDS,
    BadData,
    Model,
    PriceTier,
    Pricing,
    Provider,
    is_number,
    non_finite,
    safe_provider_id,
)
from .schemas import API_SCHEMA, checker

log = logging.getLogger(__name__)


def _text(value: str, what: str) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise BadData(f"{what}: not encodable as UTF-8") from None
    return value


def _price(value: Any, what: str) -> float:
    number = float(value)
    if not math.isfinite(number) or number < 0:
        raise BadData(f"{what}: {value!r} is not a finite price >= 0")
    return number


def _prices(cost: Mapping[str, Any], what: str) -> dict[str, float]:
    out = {k: _price(cost[k], f"{what}.{k}") for k in PRICE_KEYS if is_number(cost.get(k))}
    for key in sorted(cost):
        if key not in out and is_number(cost[key]):
            out[_text(key, what)] = _price(cost[key], f"{what}.{key}")
    return out


def _pricing(raw: Mapping[str, Any]) -> Pricing | None:
    cost = raw.get("cost")
    modes_raw = (raw.get("experimental") or {}).get("modes") or {}
    modes = {
        _text(name, "experimental.modes"): _prices(mode["cost"], f"experimental.modes.{name}.cost")
        for name, mode in sorted(modes_raw.items())
        if isinstance(mode, Mapping) and isinstance(mode.get("cost"), Mapping)
    }
    requests = {
        _text(name, "experimental.modes"): _json_text(
            mode["provider"], f"experimental.modes.{name}.provider"
        )
        for name, mode in sorted(modes_raw.items())
        if isinstance(mode, Mapping) and isinstance(mode.get("provider"), Mapping)
    }
    if not isinstance(cost, Mapping):
        return Pricing({}, (), modes, requests) if modes or requests else None
    tiers: list[PriceTier] = []
    for index, tier in enumerate(cost.get("tiers") or ()):
        kind = tier["tier"]["type"]
        if kind != "context":
            log.debug("ignoring a price tier of unknown type %r", kind)
            continue
        tiers.append(PriceTier(int(tier["tier"]["size"]), _prices(tier, f"cost.tiers.{index}")))
    if not cost.get("tiers") and isinstance(cost.get("context_over_200k"), Mapping):
        tiers.append(
            PriceTier(200_000, _prices(cost["context_over_200k"], "cost.context_over_200k"))
        )
    tiers.sort(key=lambda t: t.above_context)
    return Pricing(_prices(cost, "cost"), tuple(tiers), modes, requests)


def _json_text(value: Any, what: str) -> Any:
    """A JSON value carried as given: its strings must be encodable, its numbers finite."""
    if isinstance(value, str):
        return _text(value, what)
    if isinstance(value, float) and not math.isfinite(value):
        raise BadData(f"{what}: {value!r} is not a finite number")
    if isinstance(value, Mapping):
        return {_text(str(k), what): _json_text(v, f"{what}.{k}") for k, v in value.items()}
    if isinstance(value, list):
        return [_json_text(v, what) for v in value]
    return value


def _capabilities(
    raw: Mapping[str, Any], inputs: tuple[str, ...], outputs: tuple[str, ...]
) -> tuple[str, ...]:
    tool_call = raw.get("tool_call")
    have = {
        "function_calling": tool_call is True
        or (isinstance(tool_call, Mapping) and tool_call.get("supported") is True),
        "vision": "image" in inputs,
        "reasoning": raw.get("reasoning") is True,
        "interleaved_reasoning": raw.get("interleaved") is True
        or isinstance(raw.get("interleaved"), Mapping),
        "json_mode": raw.get("structured_output") is True,
        "pdf_input": "pdf" in inputs,
        "audio_input": "audio" in inputs,
        "video_input": "video" in inputs,
        "image_output": "image" in outputs,
        "audio_output": "audio" in outputs,
        "video_output": "video" in outputs,
        "attachments": raw.get("attachment") is True,
        "temperature": raw.get("temperature") is True,
    }
    return tuple(name for name in CAPABILITIES if have[name])


def _modalities(raw: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    modalities_raw = raw.get("modalities") or {}
    return {
        key: tuple(_text(m, f"modalities.{key}") for m in modalities_raw[key])
        for key in ("input", "output")
        if key in modalities_raw
    }


def _endpoint(raw: Mapping[str, Any], provider_api: str | None) -> tuple[str | None, str | None]:
    """The model's own base URL (``None`` when it is the provider's) and API shape."""
    endpoint = raw.get("provider") or {}
    api = endpoint.get("api")
    shape = endpoint.get("shape")
    return (
        _text(api, "provider.api") if api is not None and api != provider_api else None,
        None if shape is None else _text(shape, "provider.shape"),
    )


def model_from_upstream(
    provider_id: str, model_id: str, raw: Mapping[str, Any], provider_api: str | None = None
) -> Model:
    """Map one upstream model (already valid against the API schema) to a :class:`Model`.

    ``provider_api`` is the provider's base URL: a model's own ``provider.api`` is kept
    only when it differs. Raises :class:`BadData` for what a schema cannot express (NaN,
    unencodable text).
    """
    _text(model_id, "model id")
    limit = raw.get("limit") or {}
    modalities = _modalities(raw)
    status = raw.get("status")
    api, shape = _endpoint(raw, provider_api)

    def text(key: str) -> str | None:
        value = raw.get(key)
        return None if value is None else _text(value, key)

    def tokens(key: str) -> int | None:
        value = limit.get(key)
        return None if value is None else int(value)

    return Model(
        provider=provider_id,
        id=model_id,
        name=text("name") or model_id,
        family=text("family"),
        context_window=tokens("context"),
        max_input_tokens=tokens("input"),
        max_output_tokens=tokens("output"),
        pricing=_pricing(raw),
        capabilities=_capabilities(raw, modalities.get("input", ()), modalities.get("output", ())),
        modalities=modalities,
        api=api,
        api_shape=shape,
        knowledge_cutoff=text("knowledge"),
        release_date=text("release_date"),
        last_updated=text("last_updated"),
        open_weights=raw.get("open_weights"),
        status=status if status in ("alpha", "beta", "deprecated") else None,
        deprecated=status == "deprecated",
    )


def _provider_fields(raw: Mapping[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for key in PROVIDER_FIELDS:
        value = raw.get(key)
        if value is not None:
            fields[key] = (
                [_text(v, key) for v in value] if isinstance(value, list) else _text(value, key)
            )
    return fields


def _try_model(provider_id: str, model_id: str, raw: Any, provider_api: str | None) -> Model | str:
    """The model, or why it is skipped (its data breaks the schema or a mapping rule)."""
    for parts, value in non_finite(raw)[:1]:
        return f"{'.'.join(str(p) for p in parts)}: {value!r} is not a finite number"
    problem = checker(API_SCHEMA, "model").first_error(raw)
    if problem is not None:
        return problem
    try:
        return model_from_upstream(provider_id, model_id, raw, provider_api)
    except BadData as exc:
        return str(exc)
    except (TypeError, ValueError, KeyError, OverflowError) as exc:
        return f"unusable value ({exc})"


def provider_from_upstream(provider_id: str, raw: Any) -> Provider:
    """Validate and map one provider; bad models are skipped and listed in ``skipped``.

    Raises :class:`BadData` when the provider itself is unusable.
    """
    if not safe_provider_id(provider_id):
        raise BadData(
            "provider id is not a safe file name (^[a-z0-9][a-z0-9._-]*$, no '..', "
            "not a Windows device name)"
        )
    from .rawjson import flagged

    problem = flagged(raw) or checker(API_SCHEMA, "provider").first_error(raw)
    if problem:
        raise BadData(problem)
    fields = _provider_fields(raw)
    models: dict[str, Model] = {}
    skipped: dict[str, str] = {}
    repeated = False
    for model_id, model_raw in raw["models"].items():
        flag = flagged(model_raw)
        repeated = repeated or flag is not None
        mapped = flag or _try_model(provider_id, model_id, model_raw, fields.get("api"))
        if isinstance(mapped, Model):
            models[model_id] = mapped
        else:
            skipped[model_id] = mapped
    return Provider(provider_id, fields, models, skipped, repeated)
