"""The fields a router needs to call a model: the model's own endpoint and API shape,
the capabilities behind ``attachment``, ``temperature`` and ``interleaved``, and the
request that turns a mode on. Checked on the real snapshot, through both writers."""

from __future__ import annotations

from pathlib import Path

import pytest

from modelsync import yamlio
from modelsync.model.mapping import provider_from_upstream

from ...conftest import catalog, sliced, yaml11
from ...edgecases import HEAD, setup
from ...edgecases import catalog as tiny
from ...edgecases import model as tiny_model


def test_a_models_own_endpoint_and_shape_are_synced_when_they_differ() -> None:
    data = catalog("2026-05-21")
    zenmux = provider_from_upstream("zenmux", data["zenmux"])
    assert zenmux.fields["api"] == "https://zenmux.ai/api/v1"
    haiku = zenmux.models["anthropic/claude-3.5-haiku"].to_config()
    assert haiku["api"] == "https://zenmux.ai/api/anthropic/v1"
    assert "api" not in zenmux.models["openai/gpt-5"].to_config(), "same as the provider's"
    azure = provider_from_upstream("azure", data["azure"]).models["kimi-k2.5"].to_config()
    assert azure["api"] == "https://${AZURE_RESOURCE_NAME}.services.ai.azure.com/models"
    assert azure["api_shape"] == "completions"
    keys = list(azure)
    assert keys.index("modalities") < keys.index("api") < keys.index("api_shape")
    written = given = 0
    for provider_id, raw in data.items():
        provider = provider_from_upstream(provider_id, raw)
        for model_id, model_raw in raw["models"].items():
            own = (model_raw.get("provider") or {}).get("api")
            if own is not None and model_id in provider.models:
                given += 1
                written += provider.models[model_id].api is not None
    assert (written, given) == (40, 55)


def test_capabilities_from_attachment_temperature_and_interleaved() -> None:
    raw = tiny_model(attachment=True, temperature=True, interleaved={"field": "x"})
    caps = provider_from_upstream("p", tiny(m=raw)["p"]).models["m"].capabilities
    assert caps == ("interleaved_reasoning", "attachments", "temperature")
    raw = tiny_model(attachment=False, temperature=False, interleaved=True, reasoning=True)
    caps = provider_from_upstream("p", tiny(m=raw)["p"]).models["m"].capabilities
    assert caps == ("reasoning", "interleaved_reasoning")


def test_the_request_that_turns_a_mode_on_is_synced_as_given(tmp_path: Path) -> None:
    upstream = catalog("2026-05-21")["anthropic"]["models"]["claude-opus-4-6"]
    provider = sliced("2026-05-21", ["anthropic"])["anthropic"]
    provider["models"] = {"claude-opus-4-6": upstream}
    run = setup(tmp_path, HEAD.replace("provider: p", "provider: anthropic"), name="anthropic")
    report = run.sync({"anthropic": provider})
    assert report.ok, report.failed
    fast = yaml11(run.text)["models"]["claude-opus-4-6"]["pricing"]["modes"]["fast"]
    assert fast == {
        "input": 30.0,
        "output": 150.0,
        "cache_read": 3.0,
        "cache_write": 37.5,
        "request": {
            "body": {"speed": "fast"},
            "headers": {"anthropic-beta": "fast-mode-2026-02-01"},
        },
    }
    assert "          request:\n            body:\n              speed: fast\n" in run.text
    assert run.findings() == []


@pytest.mark.slow
def test_both_writers_write_the_new_fields_alike() -> None:
    rt = yamlio.RoundTrip()
    data = sliced("2026-05-21", ["anthropic", "azure", "zenmux", "aihubmix"])
    seen: set[str] = set()
    for provider_id, raw in data.items():
        raw["models"] = {  # the models with an endpoint or a mode, and a few others
            k: v
            for i, (k, v) in enumerate(raw["models"].items())
            if "provider" in v or "experimental" in v or i < 5
        }
        provider = provider_from_upstream(provider_id, raw)
        doc = {
            "provider": provider_id,
            **provider.fields,
            "models": {m: provider.models[m].to_config() for m in sorted(provider.models)},
        }
        text = yamlio.dump(doc)
        assert rt.dump_plain(doc) == text, provider_id
        assert rt.load(text).dump() == text, provider_id
        assert yaml11(text) == doc and yamlio.load(text) == doc
        seen.update(
            k
            for line in text.splitlines()
            for k in ("api", "api_shape", "request")
            if line.strip().startswith(f"{k}:")
        )
    assert seen == {"api", "api_shape", "request"}
