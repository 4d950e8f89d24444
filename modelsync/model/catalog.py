"""modelsync's model of the catalog: the fields it writes, its data types, and the raw
models.dev document.

The mapping from models.dev to these types is :mod:`modelsync.model.mapping`; the rules are
documented in ``docs/format.md``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import CatalogError

SOURCE = "models.dev"

#: Capability vocabulary derived by the sync, in the order it writes them.
CAPABILITIES: dict[str, str] = {
    "function_calling": "tool_call is true (or an object with supported: true)",
    "vision": "image is an input modality",
    "reasoning": "reasoning is true",
    "interleaved_reasoning": "interleaved is true (or an object naming the field)",
    "json_mode": "structured_output is true",
    "pdf_input": "pdf is an input modality",
    "audio_input": "audio is an input modality",
    "video_input": "video is an input modality",
    "image_output": "image is an output modality",
    "audio_output": "audio is an output modality",
    "video_output": "video is an output modality",
    "attachments": "attachment is true",
    "temperature": "temperature is true",
}

#: Prices the sync knows, in the order it writes them; other numeric keys follow, sorted.
PRICE_KEYS = (
    "input",
    "output",
    "reasoning",
    "cache_read",
    "cache_write",
    "input_audio",
    "output_audio",
)

#: Model fields owned by the sync, in the order it writes them.
MODEL_FIELDS = (
    "name",
    "family",
    "context_window",
    "max_input_tokens",
    "max_output_tokens",
    "pricing",
    "capabilities",
    "modalities",
    "api",
    "api_shape",
    "knowledge_cutoff",
    "release_date",
    "last_updated",
    "open_weights",
    "status",
    "available",
    "deprecated",
    "source",
)

#: Synced fields a model may list in ``pinned``.
PINNABLE = tuple(f for f in MODEL_FIELDS if f not in ("available", "source"))

#: Provider fields owned by the sync, written after ``provider``.
PROVIDER_FIELDS = ("name", "env", "api", "doc")

_SAFE_ID = re.compile(r"[a-z0-9][a-z0-9._-]{0,99}")
#: Names Windows reserves for devices, with any extension: ``con.yml`` cannot be created
#: there, and ``nul.yml`` would swallow what is written to it.
_WINDOWS_RESERVED = frozenset(
    {"con", "prn", "aux", "nul"} | {f"{d}{n}" for d in ("com", "lpt") for n in range(1, 10)}
)


def safe_provider_id(provider_id: str) -> bool:
    """Whether a provider id can name a file on every system: ``^[a-z0-9][a-z0-9._-]*$``,
    no ``..``, at most 100 characters, not a Windows device name (``con``, ``nul.x``)."""
    return (
        bool(_SAFE_ID.fullmatch(provider_id))
        and ".." not in provider_id
        and provider_id.split(".")[0] not in _WINDOWS_RESERVED
    )


class BadData(ValueError):
    """Upstream data that breaks a rule; the message names the rule."""


@dataclass(frozen=True)
class PriceTier:
    """Prices that apply once the prompt is longer than ``above_context`` tokens."""

    above_context: int
    prices: Mapping[str, float]


@dataclass(frozen=True)
class Pricing:
    """USD per million tokens: base prices, long-context tiers and alternative modes."""

    prices: Mapping[str, float]
    tiers: tuple[PriceTier, ...] = ()
    modes: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    #: per mode, the request body or headers that turn it on, as models.dev gives them
    mode_requests: Mapping[str, Any] = field(default_factory=dict)

    @property
    def input(self) -> float | None:
        return self.prices.get("input")

    @property
    def output(self) -> float | None:
        return self.prices.get("output")

    def to_config(self) -> dict[str, Any]:
        out: dict[str, Any] = dict(self.prices)
        if self.tiers:
            out["tiers"] = [{"above_context": t.above_context, **t.prices} for t in self.tiers]
        names = [*self.modes, *(m for m in self.mode_requests if m not in self.modes)]
        if names:
            out["modes"] = {}
            for name in sorted(names):
                mode: dict[str, Any] = dict(self.modes.get(name, {}))
                if name in self.mode_requests:
                    mode["request"] = self.mode_requests[name]
                out["modes"][name] = mode
        return out

    @classmethod
    def from_config(cls, value: Mapping[str, Any]) -> Pricing:
        prices = {k: float(v) for k, v in value.items() if is_number(v)}
        tiers = tuple(
            PriceTier(
                int(t["above_context"]),
                {k: float(v) for k, v in t.items() if k != "above_context" and is_number(v)},
            )
            for t in value.get("tiers") or ()
            if isinstance(t, Mapping)
            and is_number(t.get("above_context"))
            and math.isfinite(t["above_context"])
        )
        raw_modes = value.get("modes") or {}
        modes = {
            str(name): {k: float(v) for k, v in prices_.items() if is_number(v)}
            for name, prices_ in raw_modes.items()
            if isinstance(prices_, Mapping)
        }
        requests = {
            str(name): mode["request"]
            for name, mode in raw_modes.items()
            if isinstance(mode, Mapping) and "request" in mode
        }
        return cls(prices, tiers, modes, requests)


@dataclass(frozen=True)
class Model:
    """One model: what models.dev says about it, or what a synced config file holds.

    ``extra`` holds the user-owned keys of a config entry (``notes``,
    ``task_complexity_score``...); it is empty for a model read from the catalog.
    """

    provider: str
    id: str
    name: str
    family: str | None = None
    context_window: int | None = None
    max_input_tokens: int | None = None
    max_output_tokens: int | None = None
    pricing: Pricing | None = None
    capabilities: tuple[str, ...] = ()
    modalities: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: base URL of the model's endpoint, when it is not the provider's ``api``
    api: str | None = None
    #: the API shape the endpoint speaks (``responses``, ``completions``), when given
    api_shape: str | None = None
    knowledge_cutoff: str | None = None
    release_date: str | None = None
    last_updated: str | None = None
    open_weights: bool | None = None
    status: str | None = None
    available: bool = True
    deprecated: bool = False
    source: str | None = SOURCE
    extra: Mapping[str, Any] = field(default_factory=dict)

    def to_config(self) -> dict[str, Any]:
        """The synced fields of this model as a config entry, in canonical order."""
        out: dict[str, Any] = {"name": self.name}
        for key in ("family", "context_window", "max_input_tokens", "max_output_tokens"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        if self.pricing is not None:
            out["pricing"] = self.pricing.to_config()
        out["capabilities"] = list(self.capabilities)
        if self.modalities:
            out["modalities"] = {k: list(v) for k, v in self.modalities.items()}
        for key in (
            "api",
            "api_shape",
            "knowledge_cutoff",
            "release_date",
            "last_updated",
            "open_weights",
        ):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        if self.status in ("alpha", "beta"):
            out["status"] = self.status
        out["available"] = self.available
        out["deprecated"] = self.deprecated
        out["source"] = SOURCE
        return out

    @classmethod
    def from_config(cls, provider: str, model_id: str, entry: Mapping[str, Any]) -> Model:
        """A model from a config entry (read with :func:`modelsync.yamlio.load`)."""

        def get(key: str, kind: type | tuple[type, ...]) -> Any:
            value = entry.get(key)
            if isinstance(value, kind) and not (kind is int and isinstance(value, bool)):
                return value
            return None

        pricing = entry.get("pricing")
        modalities = entry.get("modalities")
        caps = entry.get("capabilities")
        return cls(
            provider=provider,
            id=model_id,
            name=get("name", str) or model_id,
            family=get("family", str),
            context_window=get("context_window", int),
            max_input_tokens=get("max_input_tokens", int),
            max_output_tokens=get("max_output_tokens", int),
            pricing=Pricing.from_config(pricing) if isinstance(pricing, Mapping) else None,
            capabilities=tuple(str(c) for c in caps) if isinstance(caps, list) else (),
            modalities=(
                {
                    str(k): tuple(str(x) for x in v)
                    for k, v in modalities.items()
                    if isinstance(v, list)
                }
                if isinstance(modalities, Mapping)
                else {}
            ),
            api=get("api", str),
            api_shape=get("api_shape", str),
            knowledge_cutoff=get("knowledge_cutoff", str),
            release_date=get("release_date", str),
            last_updated=get("last_updated", str),
            open_weights=get("open_weights", bool),
            status=get("status", str),
            available=entry.get("available") is not False,
            deprecated=entry.get("deprecated") is True,
            source=get("source", str),
            extra={k: v for k, v in entry.items() if k not in MODEL_FIELDS},
        )


@dataclass
class Provider:
    """One provider of the catalog after validation: its synced fields and good models."""

    id: str
    fields: dict[str, Any]
    models: dict[str, Model]
    #: Models skipped because their data breaks a rule: id -> reason.
    skipped: dict[str, str] = field(default_factory=dict)
    #: Some model was skipped for a key the catalog repeats: the provider's digest cannot
    #: tell this catalog from one without the repetition.
    repeated_keys: bool = False


# --- parsing ---------------------------------------------------------------------------


def parse_catalog(body: bytes, origin: str) -> dict[str, Any]:
    """Decode a catalog download; raise :class:`CatalogError` if it is not a catalog."""
    from .rawjson import loads

    try:
        data = loads(body)
    except (UnicodeDecodeError, ValueError) as exc:
        head = body[:60].decode("utf-8", "replace").strip().splitlines()
        hint = f" (starts with {head[0][:40]!r})" if head else " (empty)"
        raise CatalogError(f"{origin}: not valid JSON: {exc}{hint}") from None
    except RecursionError:
        raise CatalogError(f"{origin}: JSON nested too deeply") from None
    if not isinstance(data, dict):
        raise CatalogError(
            f"{origin}: not a models.dev catalog: top level is a {type(data).__name__}, "
            "not an object of providers"
        )
    if not any(isinstance(p, dict) and isinstance(p.get("models"), dict) for p in data.values()):
        raise CatalogError(f"{origin}: not a models.dev catalog: it has no providers with models")
    return data


def newest_update(catalog: Mapping[str, Any]) -> str | None:
    """The newest ``last_updated`` of any model in a raw catalog (a catalog's date).

    Only dates count (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``, as the schema requires): a
    model with another value is skipped by the sync, and must not date the catalog.
    """
    newest: str | None = None
    for provider in catalog.values():
        if not isinstance(provider, dict) or not isinstance(provider.get("models"), dict):
            continue
        for model in provider["models"].values():
            if isinstance(model, dict):
                value = model.get("last_updated")
                if (
                    isinstance(value, str)
                    and _DATE.fullmatch(value)
                    and (newest is None or value > newest)
                ):
                    newest = value
    return newest


_DATE = re.compile(r"[0-9]{4}(-[0-9]{2}){0,2}")


def is_number(value: Any) -> bool:
    """A JSON number (not a boolean)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def non_finite(data: Any) -> list[tuple[list[Any], float]]:
    """Every number inside ``data`` that is NaN or infinite, with its path, in document
    order (a shared value, such as a YAML alias, is walked once). JSON Schema's
    ``number`` admits them; no price, limit or score may be one."""
    import math

    found: list[tuple[list[Any], float]] = []
    seen: set[int] = set()
    todo: list[tuple[list[Any], Any]] = [([], data)]
    while todo:
        parts, value = todo.pop()
        if isinstance(value, float) and not math.isfinite(value):
            found.append((parts, value))
        elif isinstance(value, (dict, list)) and id(value) not in seen:
            seen.add(id(value))
            items = list(value.items() if isinstance(value, dict) else enumerate(value))
            todo.extend(([*parts, key], item) for key, item in reversed(items))
    return found
