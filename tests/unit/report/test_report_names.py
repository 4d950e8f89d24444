"""The report names what changed: new providers, providers that left the catalog, pruned
models, tier and mode changes, and what to do about a shadowed entry."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import modelsync
from modelsync import yamlio
from modelsync.report.summary import render
from modelsync.settings import Settings

from ...conftest import catalog, dumps, sliced

BASE = ("anthropic", "xai", "groq")


def _tier(model: dict[str, Any], input_price: float) -> None:
    model["cost"]["tiers"] = [
        {"input": input_price, "output": 37.5, "tier": {"size": 200000, "type": "context"}}
    ]


@pytest.fixture
def drift(settings: Settings, config_dir: Path, tmp_path: Path) -> dict[str, Any]:
    """Synced from a slice of the catalog, then the catalog moves on: groq leaves, twelve
    providers arrive, two xai models go, a tier price and a mode price change."""
    before = sliced(providers=BASE)
    _tier(before["anthropic"]["models"]["claude-opus-4-6"], 10.0)
    (tmp_path / "before.json").write_bytes(dumps(before))
    modelsync.sync_to_configs(settings=settings, source=str(tmp_path / "before.json"))
    path = config_dir / "anthropic.yml"
    doc = yamlio.load(path.read_bytes())
    del doc["models"]["claude-opus-4-1"]["source"]  # now a hand-written entry
    path.write_text(yamlio.dump(doc))

    after = sliced(providers=BASE)
    del after["groq"]
    full = catalog()
    newcomers = sorted(set(full) - set(BASE))[:12]
    after.update({p: full[p] for p in newcomers})
    xai = after["xai"]["models"]
    gone = sorted(xai, key=lambda m: xai[m]["last_updated"])[:2]  # not the newest ones
    for model_id in gone:
        del xai[model_id]
    opus = after["anthropic"]["models"]["claude-opus-4-6"]
    _tier(opus, 8.0)
    opus["experimental"]["modes"]["fast"]["cost"]["output"] = 120
    (tmp_path / "after.json").write_bytes(dumps(after))
    return {"source": str(tmp_path / "after.json"), "newcomers": newcomers, "gone": gone}


@pytest.mark.slow
def test_the_report_names_new_providers_departures_and_spells_out_prices(
    settings: Settings, drift: dict[str, Any]
) -> None:
    report = modelsync.sync_to_configs(settings=settings, source=drift["source"])
    assert report.ok, report.refused
    text = render(report)
    newcomers = drift["newcomers"]
    assert "New providers (12):" in text
    for provider_id in newcomers[:10]:
        count = len(catalog()[provider_id]["models"])
        assert f"\n  {provider_id} ({count} models)\n" in text
    assert newcomers[10] not in text.split("New providers")[1].split("\n\n")[0].split("...")[0]
    assert "  ... and 2 more, see --json" in text
    assert "Providers that left the catalog (file kept) (1):\n" in text
    assert "  groq: 27 models now unavailable, file updated\n" in text
    assert (
        "anthropic/claude-opus-4-6: tiers above 200000: input 10.0 -> 8.0; "
        "mode fast: output 150.0 -> 120.0"
    ) in text
    assert (
        "  anthropic/claude-opus-4-1: add `source: models.dev` to let the sync manage it, "
        "or rename the entry to keep it yours"
    ) in text

    data = json.loads(json.dumps(report.to_json()))
    assert [p["id"] for p in data["new_providers"]] == newcomers
    assert data["left_catalog"] == [
        {
            "id": "groq",
            "path": str(settings.config_path / "groq.yml"),
            "status": "changed",
            "removed": 27,
            "pruned": 0,
        }
    ]
    modes = next(c for c in data["changes"]["price"] if c["field"] == "modes")
    assert modes["details"] == ["mode fast: output 150.0 -> 120.0"]
    (shadowed,) = data["changes"]["shadowed"]
    assert shadowed["model"] == "claude-opus-4-1" and "source: models.dev" in shadowed["fix"]


def test_the_report_names_pruned_models(settings: Settings, drift: dict[str, Any]) -> None:
    report = modelsync.sync_to_configs(settings=settings, source=drift["source"], prune=True)
    text = render(report, limit=50)
    assert f"Pruned (left the catalog, no user keys) ({2 + 27}):" in text
    for model_id in drift["gone"]:
        assert f"\n  xai/{model_id}\n" in text
    assert "  groq: 27 pruned, file updated\n" in text
    data = report.to_json()
    assert data["left_catalog"][0]["pruned"] == 27
    assert {c["model"] for c in data["changes"]["pruned"] if c["provider"] == "xai"} == set(
        drift["gone"]
    )
