"""What a synced model entry must hold, computed straight from the raw catalog.

Written independently of ``modelsync.model.catalog`` (no shared code) so that tests compare the
tool's output with a second reading of the mapping rules in docs/format.md.
"""

from __future__ import annotations

from typing import Any


def expected_pricing(raw: dict[str, Any]) -> dict[str, Any] | None:
    cost = raw.get("cost")
    modes = {
        name: {
            **{k: float(v) for k, v in mode.get("cost", {}).items()},
            **({"request": mode["provider"]} if "provider" in mode else {}),
        }
        for name, mode in (raw.get("experimental", {}).get("modes") or {}).items()
        if "cost" in mode or "provider" in mode
    }
    if cost is None:
        return {"modes": modes} if modes else None
    out: dict[str, Any] = {k: float(v) for k, v in cost.items() if isinstance(v, (int, float))}
    if cost.get("tiers"):
        tiers = [
            {
                "above_context": t["tier"]["size"],
                **{k: float(v) for k, v in t.items() if k != "tier"},
            }
            for t in cost["tiers"]
        ]
        out["tiers"] = sorted(tiers, key=lambda t: t["above_context"])
    elif "context_over_200k" in cost:
        out["tiers"] = [
            {"above_context": 200000, **{k: float(v) for k, v in cost["context_over_200k"].items()}}
        ]
    if modes:
        out["modes"] = modes
    return out


def expected_capabilities(raw: dict[str, Any]) -> set[str]:
    inputs = raw.get("modalities", {}).get("input", [])
    outputs = raw.get("modalities", {}).get("output", [])
    tool = raw.get("tool_call")
    caps = set()
    if tool is True or (isinstance(tool, dict) and tool.get("supported") is True):
        caps.add("function_calling")
    if "image" in inputs:
        caps.add("vision")
    if raw.get("reasoning") is True:
        caps.add("reasoning")
    if raw.get("interleaved") is True or isinstance(raw.get("interleaved"), dict):
        caps.add("interleaved_reasoning")
    if raw.get("attachment") is True:
        caps.add("attachments")
    if raw.get("temperature") is True:
        caps.add("temperature")
    if raw.get("structured_output") is True:
        caps.add("json_mode")
    for m in ("pdf", "audio", "video"):
        if m in inputs:
            caps.add(f"{m}_input")
    for m in ("image", "audio", "video"):
        if m in outputs:
            caps.add(f"{m}_output")
    return caps


def check_entry(
    entry: dict[str, Any], raw: dict[str, Any], where: str, provider_api: str | None = None
) -> None:
    """Assert that a synced entry (read by a YAML reader) equals the catalog's model
    (``provider_api``: the provider's base URL, which a model's own is compared with)."""
    limit = raw.get("limit", {})
    endpoint = raw.get("provider", {})
    own_api = endpoint.get("api")
    assert entry.get("api") == (own_api if own_api != provider_api else None), where
    assert entry.get("api_shape") == endpoint.get("shape"), where
    assert entry["name"] == raw.get("name", entry["name"]), where
    assert entry.get("family") == raw.get("family"), where
    assert entry.get("context_window") == limit.get("context"), where
    assert entry.get("max_input_tokens") == limit.get("input"), where
    assert entry.get("max_output_tokens") == limit.get("output"), where
    assert entry.get("pricing") == expected_pricing(raw), where
    for price in _all_prices(entry.get("pricing")):
        assert type(price) is float, f"{where}: prices are floats"
    assert set(entry["capabilities"]) >= expected_capabilities(raw), where
    assert entry.get("knowledge_cutoff") == raw.get("knowledge"), where
    assert entry.get("release_date") == raw.get("release_date"), where
    assert entry.get("last_updated") == raw.get("last_updated"), where
    assert entry.get("open_weights") == raw.get("open_weights"), where
    assert entry["deprecated"] is (raw.get("status") == "deprecated"), where
    status = raw.get("status")
    assert entry.get("status") == (status if status in ("alpha", "beta") else None), where
    assert entry["source"] == "models.dev", where


def _all_prices(pricing: Any) -> list[Any]:
    if not isinstance(pricing, dict):
        return []
    out = []
    for k, v in pricing.items():
        if k == "tiers":
            for t in v:
                out.extend(x for key, x in t.items() if key != "above_context")
        elif k == "modes":
            for mode in v.values():
                out.extend(x for key, x in mode.items() if key != "request")
        else:
            out.append(v)
    return out
