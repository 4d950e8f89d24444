"""What the mapping writes to a provider file, for the upstream shapes mutation testing
(``python mutation/run.py mapping``) found unchecked: pricing with modes but no
``cost``, a price tier of an unknown type before known ones, prices of zero, keys
outside the known prices, the legacy long-context price beside tiers.

Each test syncs a one-model catalog into a new provider file and reads back what was
written; a model the mapping cannot use must be skipped with its reason in the report.
"""

from __future__ import annotations

import json
import logging
import math
from pathlib import Path
from typing import Any

import pytest

import modelsync

from ...conftest import yaml11
from ...edgecases import HEAD, catalog, setup


def written(tmp_path: Path, raw: dict[str, Any], **provider: Any) -> dict[str, Any]:
    """The entry a sync writes for ``raw`` as model ``m`` of a new file of provider ``p``."""
    data = catalog(m=raw)
    data["p"].update(provider)
    run = setup(tmp_path, HEAD)
    report = run.sync(data)
    assert report.ok, report.failed
    assert not report.to_json()["skipped_models"], report.to_json()["skipped_models"]
    entry: dict[str, Any] = yaml11(run.text)["models"]["m"]
    return entry


def skipped(tmp_path: Path, raw: dict[str, Any]) -> str:
    """Why a sync skips ``raw``; the file gets no entry for it."""
    run = setup(tmp_path, HEAD)
    report: modelsync.SyncReport = run.sync(catalog(m=raw, ok={}))
    assert report.ok, report.failed
    assert list(yaml11(run.text)["models"]) == ["ok"]
    [skip] = report.to_json()["skipped_models"]
    assert (skip["provider"], skip["model"]) == ("p", "m")
    reason: str = skip["reason"]
    return reason


# --- pricing ---------------------------------------------------------------------------------


def test_modes_without_a_cost_are_the_whole_pricing(tmp_path: Path) -> None:
    raw = {"experimental": {"modes": {"fast": {"cost": {"input": 2, "output": 8}}}}}
    assert written(tmp_path, raw)["pricing"] == {"modes": {"fast": {"input": 2.0, "output": 8.0}}}


def test_a_mode_request_without_a_cost_is_the_whole_pricing(tmp_path: Path) -> None:
    raw = {"experimental": {"modes": {"fast": {"provider": {"body": {"speed": "fast"}}}}}}
    assert written(tmp_path, raw)["pricing"] == {
        "modes": {"fast": {"request": {"body": {"speed": "fast"}}}}
    }


def test_a_mode_with_neither_cost_nor_request_writes_no_pricing(tmp_path: Path) -> None:
    assert "pricing" not in written(tmp_path, {"experimental": {"modes": {"fast": {}}}})


def test_modes_are_written_in_name_order_beside_the_cost(tmp_path: Path) -> None:
    raw = {
        "cost": {"input": 1},
        "experimental": {
            "modes": {
                "slow": {"cost": {"input": 0.5}},
                "fast": {"cost": {"input": 2}, "provider": {"headers": {"x-speed": "fast"}}},
            }
        },
    }
    pricing = written(tmp_path, raw)["pricing"]
    assert pricing == {
        "input": 1.0,
        "modes": {
            "fast": {"input": 2.0, "request": {"headers": {"x-speed": "fast"}}},
            "slow": {"input": 0.5},
        },
    }
    assert list(pricing["modes"]) == ["fast", "slow"]


def test_tiers_after_one_of_an_unknown_type_are_kept(tmp_path: Path) -> None:
    raw = {
        "cost": {
            "input": 1,
            "tiers": [
                {"tier": {"type": "time-of-day", "size": 1}, "input": 0.5},
                {"tier": {"type": "context", "size": 300_000}, "input": 4},
                {"tier": {"type": "context", "size": 128_000}, "input": 2},
            ],
        }
    }
    assert written(tmp_path, raw)["pricing"] == {
        "input": 1.0,
        "tiers": [
            {"above_context": 128_000, "input": 2.0},
            {"above_context": 300_000, "input": 4.0},
        ],
    }


def test_the_legacy_long_context_price_gives_way_to_tiers(tmp_path: Path) -> None:
    raw = {
        "cost": {
            "input": 1,
            "context_over_200k": {"input": 9},
            "tiers": [{"tier": {"type": "context", "size": 100_000}, "input": 2}],
        }
    }
    assert written(tmp_path, raw)["pricing"]["tiers"] == [{"above_context": 100_000, "input": 2.0}]


def test_the_legacy_long_context_price_alone_is_a_tier_at_200k(tmp_path: Path) -> None:
    raw = {"cost": {"input": 1, "output": 2, "context_over_200k": {"input": 3, "output": 6}}}
    assert written(tmp_path, raw)["pricing"] == {
        "input": 1.0,
        "output": 2.0,
        "tiers": [{"above_context": 200_000, "input": 3.0, "output": 6.0}],
    }


def test_prices_of_zero_are_written(tmp_path: Path) -> None:
    raw = {"cost": {"input": 0, "output": 0, "cache_read": 0}}
    pricing = written(tmp_path, raw)["pricing"]
    assert pricing == {"input": 0.0, "output": 0.0, "cache_read": 0.0}
    assert all(type(v) is float for v in pricing.values())


def test_known_prices_come_first_then_the_others_in_name_order(tmp_path: Path) -> None:
    raw = {"cost": {"zeta": 3, "cache_write": 5, "alpha": 2, "output": 4, "input": 1}}
    pricing = written(tmp_path, raw)["pricing"]
    assert list(pricing.items()) == [
        ("input", 1.0),
        ("output", 4.0),
        ("cache_write", 5.0),
        ("alpha", 2.0),
        ("zeta", 3.0),
    ]


@pytest.mark.parametrize("where", ["cost", "tier", "mode", "legacy"])
def test_a_price_that_is_not_a_number_skips_the_model_and_says_where(
    tmp_path: Path, where: str
) -> None:
    cost: dict[str, Any] = {"input": 1}
    modes: dict[str, Any] = {}
    if where == "cost":
        cost["output"] = math.nan
        at = "cost.output"
    elif where == "tier":
        cost["tiers"] = [{"tier": {"type": "context", "size": 10}, "output": math.nan}]
        at = "cost.tiers.0.output"
    elif where == "mode":
        modes = {"fast": {"cost": {"output": math.nan}}}
        at = "experimental.modes.fast.cost.output"
    else:
        cost["context_over_200k"] = {"output": math.nan}
        at = "cost.context_over_200k.output"
    raw = {"cost": cost, "experimental": {"modes": modes}}
    assert skipped(tmp_path, raw) == f"{at}: nan is not a finite number"


# --- other fields ------------------------------------------------------------------------------


def test_a_model_without_a_name_is_named_by_its_id_and_limits_are_written(
    tmp_path: Path,
) -> None:
    entry = written(tmp_path, {"limit": {"context": 1000, "input": 800, "output": 100}})
    assert list(entry)[:4] == ["name", "context_window", "max_input_tokens", "max_output_tokens"]
    assert (entry["name"], entry["context_window"], entry["max_input_tokens"]) == ("m", 1000, 800)
    assert entry["max_output_tokens"] == 100


@pytest.mark.parametrize(
    ("status", "written_status", "deprecated"),
    [
        ("alpha", "alpha", False),
        ("beta", "beta", False),
        ("deprecated", None, True),
        ("retired", None, False),
    ],
)
def test_a_status_is_written_as_status_or_deprecated(
    tmp_path: Path, status: str, written_status: str | None, deprecated: bool
) -> None:
    entry = written(tmp_path, {"status": status})
    assert entry.get("status") == written_status
    assert entry["deprecated"] is deprecated


def test_an_endpoint_of_its_own_and_a_shape_are_written(tmp_path: Path) -> None:
    raw = {"provider": {"api": "https://own.example/v1", "shape": "responses"}}
    entry = written(tmp_path, raw, api="https://p.example/v1")
    assert (entry["api"], entry["api_shape"]) == ("https://own.example/v1", "responses")
    same = {"provider": {"api": "https://p.example/v1"}}
    assert "api" not in written(tmp_path / "same", same, api="https://p.example/v1")


def test_the_providers_fields_are_written(tmp_path: Path) -> None:
    data = catalog(m={})
    data["p"].update(api="https://p.example/v1", env=["P_KEY", "P_ORG"])
    run = setup(tmp_path, "provider: p\n")
    report = run.sync(data)
    assert report.ok, report.failed
    doc = yaml11(run.text)
    assert [k for k in doc if k != "models"] == ["provider", "name", "env", "api", "doc"]
    assert (doc["env"], doc["api"]) == (["P_KEY", "P_ORG"], "https://p.example/v1")


def test_modalities_and_capabilities_are_written(tmp_path: Path) -> None:
    raw = {
        "modalities": {"input": ["text", "image", "pdf"], "output": ["text", "audio"]},
        "tool_call": {"supported": True},
        "structured_output": True,
    }
    entry = written(tmp_path, raw)
    assert entry["modalities"] == {"input": ["text", "image", "pdf"], "output": ["text", "audio"]}
    assert entry["capabilities"] == [
        "function_calling",
        "vision",
        "json_mode",
        "pdf_input",
        "audio_output",
    ]


def test_a_model_of_a_provider_flagged_for_repeated_keys_is_skipped(tmp_path: Path) -> None:
    run = setup(tmp_path, HEAD)
    body = (
        '{"p": {"id": "p", "name": "P", "env": ["P_KEY"], "doc": "https://p.example", '
        '"models": {"m": {"name": "a", "name": "b"}, "ok": {}}}}'
    )
    run.source.write_text(body)
    report = run.sync()
    assert report.ok, report.failed
    assert list(yaml11(run.text)["models"]) == ["ok"]
    [skip] = report.to_json()["skipped_models"]
    assert skip["model"] == "m" and "name" in skip["reason"]


# --- what the typed API returns, and why a model or provider is skipped ---------------------


def api_source(tmp_path: Path, data: dict[str, Any] | str) -> dict[str, Any]:
    path = tmp_path / "api.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return {"source": str(path), "cache_dir": str(tmp_path / "cache")}


def test_get_model_names_the_provider_status_and_empty_tiers(tmp_path: Path) -> None:
    raw = {"status": "deprecated", "experimental": {"modes": {"fast": {"cost": {"input": 2}}}}}
    found = modelsync.get_model("p", "m", **api_source(tmp_path, catalog(m=raw)))
    assert (found.provider, found.id, found.status, found.deprecated) == (
        "p",
        "m",
        "deprecated",
        True,
    )
    assert found.pricing is not None
    assert found.pricing.tiers == () and found.pricing.prices == {}
    assert found.pricing.modes == {"fast": {"input": 2.0}}


def test_fetch_all_names_each_models_provider(tmp_path: Path) -> None:
    data = catalog(m={}, n={})
    models = modelsync.fetch_all(**api_source(tmp_path, data))
    assert [(m.provider, m.id) for m in models["p"]] == [("p", "m"), ("p", "n")]


def test_a_schema_problem_is_the_reason_a_model_is_skipped(tmp_path: Path) -> None:
    with pytest.raises(modelsync.ModelNotFound) as err:
        modelsync.get_model(
            "p", "m", **api_source(tmp_path, catalog(m={"limit": {"context": "a lot"}}))
        )
    assert (
        str(err.value)
        == "model p/m has unusable data: limit.context: 'a lot' is not of type 'integer'"
    )


def test_a_provider_breaking_the_schema_is_unusable(tmp_path: Path) -> None:
    data = catalog(m={})
    data["p"]["env"] = "P_KEY"
    with pytest.raises(modelsync.ProviderNotFound) as err:
        modelsync.get_model("p", "m", **api_source(tmp_path, data))
    assert str(err.value) == "provider 'p' has unusable data: env: 'P_KEY' is not of type 'array'"


def test_an_unsafe_provider_id_is_unusable(tmp_path: Path) -> None:
    data = {"Bad..id": catalog(m={})["p"]}
    with pytest.raises(modelsync.ProviderNotFound) as err:
        modelsync.get_model("Bad..id", "m", **api_source(tmp_path, data))
    assert str(err.value) == (
        "provider 'Bad..id' has unusable data: provider id is not a safe file name "
        "(^[a-z0-9][a-z0-9._-]*$, no '..', not a Windows device name)"
    )


def test_a_provider_with_repeated_keys_is_unusable(tmp_path: Path) -> None:
    body = '{"p": {"id": "p", "name": "P", "name": "Q", "env": [], "models": {}}}'
    with pytest.raises(modelsync.ProviderNotFound) as err:
        modelsync.get_model("p", "m", **api_source(tmp_path, body))
    assert str(err.value) == "provider 'p' has unusable data: the catalog repeats the key 'name'"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ({"cost": {"x\udc80": 1}}, "cost: not encodable as UTF-8"),
        (
            {"cost": {"tiers": [{"tier": {"type": "context", "size": 9}, "x\udc80": 1}]}},
            "cost.tiers.0: not encodable as UTF-8",
        ),
        (
            {"experimental": {"modes": {"f\udc80": {"cost": {}}}}},
            "experimental.modes: not encodable as UTF-8",
        ),
        (
            {"experimental": {"modes": {"f\udc80": {"provider": {}}}}},
            "experimental.modes: not encodable as UTF-8",
        ),
        (
            {"experimental": {"modes": {"fast": {"provider": {"body": {"k\udc80": 1}}}}}},
            "experimental.modes.fast.provider.body: not encodable as UTF-8",
        ),
        (
            {"experimental": {"modes": {"fast": {"provider": {"body": {"k": "v\udc80"}}}}}},
            "experimental.modes.fast.provider.body.k: not encodable as UTF-8",
        ),
        (
            {"experimental": {"modes": {"fast": {"provider": {"stop": ["\udc80"]}}}}},
            "experimental.modes.fast.provider.stop: not encodable as UTF-8",
        ),
        ({"cost": {"zeta": math.nan}}, "cost.zeta: nan is not a finite number"),
        ({"modalities": {"input": ["te\udc80xt"]}}, "modalities.input: not encodable as UTF-8"),
        ({"provider": {"api": "https://\udc80"}}, "provider.api: not encodable as UTF-8"),
        ({"provider": {"shape": "resp\udc80"}}, "provider.shape: not encodable as UTF-8"),
        ({"family": "f\udc80"}, "family: not encodable as UTF-8"),
        (
            {"experimental": {"modes": {"fast": {"provider": {"t": math.inf}}}}},
            "experimental.modes.fast.provider.t: inf is not a finite number",
        ),
    ],
)
def test_what_a_schema_cannot_catch_skips_the_model_and_says_where(
    tmp_path: Path, raw: dict[str, Any], reason: str
) -> None:
    with pytest.raises(modelsync.ModelNotFound) as err:
        modelsync.get_model("p", "m", **api_source(tmp_path, catalog(m=raw)))
    assert str(err.value) == f"model p/m has unusable data: {reason}"


def test_an_unencodable_provider_field_makes_the_provider_unusable(tmp_path: Path) -> None:
    data = catalog(m={})
    data["p"]["env"] = ["P\udc80"]
    data["p"]["doc"] = "https://p.example/\udc80"
    with pytest.raises(modelsync.ProviderNotFound) as err:
        modelsync.get_model("p", "m", **api_source(tmp_path, data))
    assert str(err.value) == "provider 'p' has unusable data: env: not encodable as UTF-8"
    data["p"]["env"] = ["P_KEY"]
    with pytest.raises(modelsync.ProviderNotFound) as err:
        modelsync.get_model("p", "m", **api_source(tmp_path, data))
    assert str(err.value) == "provider 'p' has unusable data: doc: not encodable as UTF-8"


def test_a_mode_request_keeps_numbers_and_lists(tmp_path: Path) -> None:
    request = {"body": {"temperature": 0.5, "stop": ["a", "b"], "n": 2, "stream": True}}
    raw = {"experimental": {"modes": {"fast": {"provider": request}}}}
    assert written(tmp_path, raw)["pricing"]["modes"]["fast"]["request"] == request


def test_a_tier_of_an_unknown_type_is_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    raw = {"cost": {"input": 1, "tiers": [{"tier": {"type": "time-of-day", "size": 1}}]}}
    with caplog.at_level(logging.DEBUG, logger="modelsync.model.mapping"):
        written(tmp_path, raw)
    assert "ignoring a price tier of unknown type 'time-of-day'" in caplog.messages


def test_an_unencodable_model_id_skips_the_model(tmp_path: Path) -> None:
    data = catalog()
    data["p"]["models"] = {"m\udc80": {}}
    with pytest.raises(modelsync.ModelNotFound) as err:
        modelsync.get_model("p", "m\udc80", **api_source(tmp_path, data))
    assert str(err.value) == "model p/m\udc80 has unusable data: model id: not encodable as UTF-8"


def test_the_family_is_written(tmp_path: Path) -> None:
    entry = written(tmp_path, {"family": "claude", "name": "M"})
    assert list(entry)[:2] == ["name", "family"]
    assert (entry["name"], entry["family"]) == ("M", "claude")


def test_a_model_whose_repeated_key_is_fixed_upstream_is_added_next_time(tmp_path: Path) -> None:
    # Parsed, both catalogs are the same data ("name": "b" wins): only the repeat tells
    # them apart, so the first sync must not be remembered as done.
    run = setup(tmp_path, HEAD)
    head = '{"p": {"id": "p", "name": "P", "env": ["P_KEY"], "doc": "https://p.example", '
    run.source.write_text(head + '"models": {"m": {"name": "a", "name": "b"}, "ok": {}}}}')
    first = run.sync()
    assert first.ok and [s["model"] for s in first.to_json()["skipped_models"]] == ["m"]
    run.source.write_text(head + '"models": {"m": {"name": "b"}, "ok": {}}}}')
    second = run.sync()
    assert second.ok, second.failed
    assert second.to_json()["skipped_models"] == []
    assert second.to_json()["changes"]["added"] == [{"provider": "p", "model": "m"}]
    assert list(yaml11(run.text)["models"]) == ["m", "ok"]
