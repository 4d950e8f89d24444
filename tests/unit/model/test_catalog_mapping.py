"""The mapping of one models.dev model to a config entry, field by field, on small inputs."""

from __future__ import annotations

from typing import Any

import pytest

from modelsync.model.catalog import BadData, Model, Pricing, safe_provider_id
from modelsync.model.mapping import model_from_upstream


def mapped(**raw: Any) -> Model:
    return model_from_upstream("acme", "acme-1", {"name": "Acme 1", **raw})


def test_a_bare_model_maps_to_the_always_written_fields() -> None:
    assert mapped().to_config() == {
        "name": "Acme 1",
        "capabilities": [],
        "available": True,
        "deprecated": False,
        "source": "models.dev",
    }
    assert model_from_upstream("acme", "x", {}).name == "x", "the id stands in for a name"


@pytest.mark.parametrize(
    ("raw", "capability"),
    [
        ({"tool_call": True}, "function_calling"),
        ({"tool_call": {"supported": True}}, "function_calling"),
        ({"reasoning": True}, "reasoning"),
        ({"interleaved": True}, "interleaved_reasoning"),
        ({"interleaved": {"field": "reasoning_content"}}, "interleaved_reasoning"),
        ({"structured_output": True}, "json_mode"),
        ({"attachment": True}, "attachments"),
        ({"temperature": True}, "temperature"),
        ({"modalities": {"input": ["text", "image"]}}, "vision"),
        ({"modalities": {"input": ["pdf"]}}, "pdf_input"),
        ({"modalities": {"input": ["audio"]}}, "audio_input"),
        ({"modalities": {"input": ["video"]}}, "video_input"),
        ({"modalities": {"output": ["image"]}}, "image_output"),
        ({"modalities": {"output": ["audio"]}}, "audio_output"),
        ({"modalities": {"output": ["video"]}}, "video_output"),
    ],
)
def test_each_capability_comes_from_its_upstream_field(
    raw: dict[str, Any], capability: str
) -> None:
    assert mapped(**raw).capabilities == (capability,)


@pytest.mark.parametrize(
    "raw",
    [
        {"tool_call": False},
        {"tool_call": {"supported": False}},
        {"reasoning": "yes"},
        {"interleaved": False},
        {"modalities": {"output": ["pdf"]}},
    ],
)
def test_anything_but_a_clear_yes_is_no_capability(raw: dict[str, Any]) -> None:
    assert mapped(**raw).capabilities == ()


def test_capabilities_come_in_the_vocabulary_order() -> None:
    model = mapped(temperature=True, reasoning=True, tool_call=True)
    assert model.capabilities == ("function_calling", "reasoning", "temperature")


def test_limits_and_dates() -> None:
    model = mapped(
        limit={"context": 200_000, "input": 150_000, "output": 8192},
        knowledge="2025-03",
        release_date="2025-05-01",
        last_updated="2025-06-01",
        open_weights=False,
    )
    config = model.to_config()
    assert (config["context_window"], config["max_input_tokens"]) == (200_000, 150_000)
    assert config["max_output_tokens"] == 8192
    assert config["knowledge_cutoff"] == "2025-03"
    assert (config["release_date"], config["last_updated"]) == ("2025-05-01", "2025-06-01")
    assert config["open_weights"] is False
    keys = list(config)
    assert keys.index("context_window") < keys.index("max_output_tokens") < keys.index("source")


@pytest.mark.parametrize(
    ("status", "written", "deprecated"),
    [("alpha", "alpha", False), ("beta", "beta", False), ("deprecated", None, True)],
)
def test_status(status: str, written: str | None, deprecated: bool) -> None:
    config = mapped(status=status).to_config()
    assert config.get("status") == written
    assert config["deprecated"] is deprecated


def test_an_unknown_status_is_not_carried() -> None:
    assert mapped(status="retired").status is None


def test_the_endpoint_is_kept_only_when_it_differs_from_the_providers() -> None:
    same = model_from_upstream("acme", "m", {"provider": {"api": "https://a/v1"}}, "https://a/v1")
    own = model_from_upstream("acme", "m", {"provider": {"api": "https://b/v1"}}, "https://a/v1")
    assert same.api is None
    assert own.api == "https://b/v1"
    shaped = model_from_upstream("acme", "m", {"provider": {"shape": "responses"}})
    assert (shaped.api, shaped.api_shape) == (None, "responses")


def test_prices_tiers_and_modes() -> None:
    model = mapped(
        cost={
            "input": 1.25,
            "output": 10,
            "cache_read": 0.125,
            "tiers": [
                {"tier": {"type": "context", "size": 272_000}, "input": 5, "output": 20},
                {"tier": {"type": "context", "size": 200_000}, "input": 2.5, "output": 15},
                {"tier": {"type": "time-of-day", "size": 1}, "input": 0.5},
            ],
        },
        experimental={
            "modes": {"fast": {"cost": {"input": 2.5}, "provider": {"body": {"speed": "fast"}}}}
        },
    )
    assert model.to_config()["pricing"] == {
        "input": 1.25,
        "output": 10.0,
        "cache_read": 0.125,
        "tiers": [
            {"above_context": 200_000, "input": 2.5, "output": 15.0},
            {"above_context": 272_000, "input": 5.0, "output": 20.0},
        ],
        "modes": {"fast": {"input": 2.5, "request": {"body": {"speed": "fast"}}}},
    }


def test_the_legacy_long_context_price_is_a_tier_at_200k() -> None:
    model = mapped(cost={"input": 3, "context_over_200k": {"input": 6}})
    assert model.pricing is not None
    assert [(t.above_context, dict(t.prices)) for t in model.pricing.tiers] == [
        (200_000, {"input": 6.0})
    ]


def test_a_model_without_cost_has_no_pricing() -> None:
    assert mapped().pricing is None
    assert "pricing" not in mapped().to_config()


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"cost": {"input": float("nan")}}, "cost.input: nan is not a finite price >= 0"),
        ({"cost": {"input": -1}}, "cost.input: -1 is not a finite price >= 0"),
        ({"name": "bad \udc80"}, "name: not encodable as UTF-8"),
    ],
)
def test_what_a_schema_cannot_catch_is_bad_data(raw: dict[str, Any], message: str) -> None:
    with pytest.raises(BadData, match=message):
        mapped(**raw)


def test_a_config_entry_reads_back_as_the_same_model() -> None:
    model = mapped(
        limit={"context": 1000, "output": 100},
        cost={"input": 1, "output": 2, "context_over_200k": {"input": 3}},
        tool_call=True,
        modalities={"input": ["text", "image"], "output": ["text"]},
        status="beta",
    )
    entry = {**model.to_config(), "notes": "ours"}
    back = Model.from_config("acme", "acme-1", entry)
    assert back.to_config() == model.to_config()
    assert back.extra == {"notes": "ours"}


def test_a_hand_written_entry_with_wrong_types_reads_as_missing_fields() -> None:
    back = Model.from_config(
        "acme", "m", {"context_window": True, "capabilities": "vision", "available": "no"}
    )
    assert (back.name, back.context_window, back.capabilities) == ("m", None, ())
    assert back.available is True, "only an explicit false makes a model unavailable"
    assert Pricing.from_config({"input": "1", "tiers": [{"input": 2}]}).to_config() == {}


@pytest.mark.parametrize(
    ("provider_id", "safe"),
    [
        ("openai", True),
        ("wafer.ai", True),
        ("google-vertex_anthropic", True),
        ("", False),
        ("OpenAI", False),
        ("-x", False),
        ("a..b", False),
        ("a/b", False),
        ("con", False),
        ("nul.ai", False),
        ("com1", False),
        ("console", True),
        ("x" * 100, True),
        ("x" * 101, False),
    ],
)
def test_safe_provider_ids(provider_id: str, safe: bool) -> None:
    assert safe_provider_id(provider_id) is safe
