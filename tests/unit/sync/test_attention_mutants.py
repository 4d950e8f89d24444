"""Needs attention, item by item: what a sync reports about the models a team depends
on, on a small hand-made catalog (one provider, a few models), read from the report's
JSON entries as a user (or a CI job) reads them."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import modelsync
from modelsync.settings import Settings

MODELS = ("a", "b", "c", "d", "e", "f", "g", "h", "i", "j")


def _model(model_id: str) -> dict[str, Any]:
    return {
        "id": model_id,
        "name": model_id.upper(),
        "cost": {"input": 1.0, "output": 2.0, "cache_read": 0.1, "cache_write": 1.5},
        "limit": {"context": 100000, "output": 8000},
        "release_date": "2025-01-01",
        "last_updated": "2025-01-01",
        "modalities": {"input": ["text"], "output": ["text"]},
    }


def _catalog() -> dict[str, Any]:
    return {
        "acme": {
            "id": "acme",
            "name": "Acme",
            "env": ["ACME_API_KEY"],
            "npm": "@ai-sdk/openai-compatible",
            "api": "https://api.acme.test/v1",
            "models": {m: _model(m) for m in MODELS},
        }
    }


class Project:
    """A config directory synced from a catalog the test edits."""

    def __init__(self, settings: Settings, tmp_path: Path) -> None:
        self.catalog = _catalog()
        self.source = tmp_path / "api.json"
        self.settings = settings.replace(source=str(self.source))
        self.path = Path(self.settings.config_dir) / "acme.yml"
        self.sync()

    @property
    def models(self) -> dict[str, Any]:
        models: dict[str, Any] = self.catalog["acme"]["models"]
        return models

    def sync(self, **kwargs: Any) -> modelsync.SyncReport:
        self.source.write_text(json.dumps(self.catalog))
        report = modelsync.sync_to_configs(settings=self.settings, **kwargs)
        assert report.ok, report.to_json()
        return report

    def attention(self, **kwargs: Any) -> list[tuple[Any, ...]]:
        """The report's attention entries as the JSON report shows them."""
        found = self.sync(**kwargs).to_json()["attention"]
        return [(a["model"], a["why"], a["field"], a["old"], a["new"], a["depends"]) for a in found]

    def add(self, model: str, line: str) -> None:
        """Write ``line`` into the model's entry, as a team member would."""
        text = self.path.read_text()
        head = f"\n  {model}:\n"
        assert head in text
        self.path.write_text(text.replace(head, f"{head}    {line}\n", 1))

    def edit(self, change: Callable[[str], str]) -> None:
        self.path.write_text(change(self.path.read_text()))


@pytest.fixture
def project(settings: Settings, tmp_path: Path) -> Project:
    return Project(settings, tmp_path)


def _annotate(p: Project) -> None:
    p.edit(lambda t: t + "default_model: a\n")
    p.add("b", "notes: our fallback")
    p.add("c", "task_complexity_score: {simple: 4.5}")
    p.add("e", "owner: search")


def test_every_kind_of_change_to_depended_on_models(project: Project) -> None:
    p = project
    _annotate(p)
    del p.models["a"]
    p.models["b"]["status"] = "deprecated"
    c = p.models["c"]
    c["cost"] = {"input": 1.5, "output": 2.1, "cache_read": 0.2, "cache_write": 3.0}
    c["limit"] = {"context": 50000, "output": 4000}
    p.models["e"]["status"] = "alpha"
    # Nobody depends on f: whatever happens to it needs no attention.
    p.models["f"]["status"] = "deprecated"
    p.models["f"]["cost"]["input"] = 9.0
    expected = [
        ("a", "left", "available", True, False, ["default_model"]),
        ("b", "deprecated", "deprecated", False, True, ["notes"]),
        ("c", "price_rose", "input", 1.0, 1.5, ["task_complexity_score"]),
        ("c", "price_rose", "cache_read", 0.1, 0.2, ["task_complexity_score"]),
        ("c", "price_rose", "cache_write", 1.5, 3.0, ["task_complexity_score"]),
        ("c", "context_shrank", "context_window", 100000, 50000, ["task_complexity_score"]),
        ("c", "output_shrank", "max_output_tokens", 8000, 4000, ["task_complexity_score"]),
    ]
    assert p.attention(check=True) == expected
    assert p.attention(dry_run=True) == expected
    watched = p.settings.replace(watch_keys=("owner",))
    e = ("e", "status", "status", None, "alpha", ["owner"])
    found = Project.attention(_with(p, watched), check=True)
    assert found == [*expected, e]
    assert p.attention() == expected, "the sync that writes reports them too"
    assert p.attention() == [], "the next sync: nothing changed"


def _with(p: Project, settings: Settings) -> Project:
    other = copy.copy(p)
    other.settings = settings
    return other


def test_a_model_that_comes_back(project: Project) -> None:
    p = project
    _annotate(p)
    gone = p.models.pop("a")
    p.sync()
    p.models["a"] = gone
    assert p.attention() == [("a", "back", "available", False, True, ["default_model"])]


def test_a_model_depended_on_for_several_reasons_lists_each_once(project: Project) -> None:
    p = project
    p.edit(lambda t: t + "default_model: d\n")
    p.add("d", "notes: main")
    p.add("d", "task_complexity_score: {simple: 4}")
    p.add("d", "owner: search")
    p.models["d"]["status"] = "beta"
    s = p.settings.replace(watch_keys=("owner", "notes"))
    depends = ["default_model", "task_complexity_score", "notes", "owner"]
    assert Project.attention(_with(p, s), check=True) == [
        ("d", "status", "status", None, "beta", depends)
    ]


def test_price_rises_at_and_around_the_alert(project: Project) -> None:
    p = project
    for m in ("b", "c", "d"):
        p.add(m, "notes: watched")
    p.models["b"]["cost"]["input"] = 1.1  # exactly +10%: not more than the alert
    p.models["c"]["cost"]["input"] = 1.11  # just above
    p.models["d"]["cost"]["output"] = 1.0  # a fall
    assert p.attention(check=True) == [("c", "price_rose", "input", 1.0, 1.11, ["notes"])]
    calm = p.settings.replace(price_alert=20)
    assert Project.attention(_with(p, calm), check=True) == []
    eager = p.settings.replace(price_alert=5)
    assert Project.attention(_with(p, eager), check=True) == [
        ("b", "price_rose", "input", 1.0, 1.1, ["notes"]),
        ("c", "price_rose", "input", 1.0, 1.11, ["notes"]),
    ]


def test_a_free_model_that_gets_a_price_is_no_rise(project: Project) -> None:
    p = project
    p.models["b"]["cost"]["input"] = 0
    p.add("b", "notes: free")
    p.sync()
    p.models["b"]["cost"]["input"] = 2.0
    assert p.attention(check=True) == []


def test_limits_that_grow_or_disappear_need_no_attention(project: Project) -> None:
    p = project
    p.add("b", "notes: x")
    p.add("c", "notes: y")
    p.models["b"]["limit"] = {"context": 200000, "output": 16000}
    p.models["c"]["limit"] = {"context": 100000, "output": 7999}
    assert p.attention(check=True) == [
        ("c", "output_shrank", "max_output_tokens", 8000, 7999, ["notes"])
    ]


def test_a_price_a_team_wrote_by_hand_that_is_not_a_number(project: Project) -> None:
    p = project
    p.add("b", "notes: x")
    p.edit(lambda t: t.replace("  b:\n    notes: x\n", "  b:\n    notes: x\n    # hand\n", 1))
    text = p.path.read_text()
    b = text.index("    # hand\n")
    p.path.write_text(text[:b] + text[b:].replace("      input: 1.0\n", "      input: true\n", 1))
    p.models["b"]["cost"]["input"] = 1.5
    assert p.attention(check=True) == [], "true is no price to rise from"


def test_a_status_that_goes_back_to_stable(project: Project) -> None:
    p = project
    p.models["b"]["status"] = "beta"
    p.add("b", "notes: x")
    p.sync()
    del p.models["b"]["status"]
    assert p.attention(check=True) == [("b", "status", "status", "beta", None, ["notes"])]


def test_a_deprecated_model_that_stays_deprecated(project: Project) -> None:
    p = project
    p.models["b"]["status"] = "deprecated"
    p.add("b", "notes: x")
    p.sync()
    p.models["b"]["cost"]["input"] = 1.01
    assert p.attention(check=True) == []


def test_a_model_that_left_before_stays_quiet(project: Project) -> None:
    p = project
    p.add("b", "notes: x")
    del p.models["b"]
    assert p.attention() == [("b", "left", "available", True, False, ["notes"])]
    p.models["c"]["cost"]["input"] = 1.01  # the file changes, b stays gone
    assert p.attention() == []


def test_a_hand_entry_is_never_reported(project: Project) -> None:
    p = project
    p.edit(
        lambda t: t.replace(
            "models:\n", "models:\n  ours:\n    notes: self-hosted\n    context_window: 9\n", 1
        )
    )
    p.add("b", "notes: x")
    p.models["b"]["status"] = "alpha"
    assert p.attention(check=True) == [("b", "status", "status", None, "alpha", ["notes"])]


def test_watching_a_synced_field_compares_the_parsed_files(project: Project) -> None:
    """A ``watch_keys`` entry that names a synced field: every model that has it is
    depended on, and the files are compared as parsed."""
    p = project
    p.edit(lambda t: t + "default_model: a\n")
    del p.models["a"]
    p.models["b"]["status"] = "alpha"
    p.models["c"]["cost"]["output"] = 4.0
    s = _with(p, p.settings.replace(watch_keys=("release_date",)))
    expected = [
        ("a", "left", "available", True, False, ["default_model", "release_date"]),
        ("b", "status", "status", None, "alpha", ["release_date"]),
        ("c", "price_rose", "output", 2.0, 4.0, ["release_date"]),
    ]
    assert Project.attention(s, check=True) == expected
    assert Project.attention(s) == expected
    assert Project.attention(s) == []


def test_a_file_the_sync_leaves_alone_needs_no_attention(project: Project) -> None:
    p = project
    p.add("b", "notes: x")
    p.sync()
    assert p.attention(check=True) == []
    s = _with(p, p.settings.replace(watch_keys=("release_date",)))
    assert Project.attention(s, check=True) == []


def test_every_provider_is_looked_at(settings: Settings, tmp_path: Path) -> None:
    """A new provider file and one whose models nobody depends on come first; the items
    of the provider after them are still found."""
    p = Project(settings, tmp_path)
    zeta = copy.deepcopy(p.catalog["acme"])
    zeta["id"], zeta["name"] = "zeta", "Zeta"
    p.catalog["zeta"] = zeta
    p.sync()
    zeta_file = p.path.with_name("zeta.yml")
    zeta_file.write_text(zeta_file.read_text() + "default_model: j\n")
    p.models["a"]["status"] = "beta"  # acme: nobody depends on it
    same = copy.deepcopy(zeta)  # a provider the catalog does not change
    same["id"], same["name"] = "mid", "Mid"
    p.catalog["mid"] = same
    p.sync()
    zeta["models"]["j"]["status"] = "beta"
    new = copy.deepcopy(zeta)
    new["id"], new["name"] = "aardvark", "Aardvark"
    p.catalog = {"aardvark": new, **p.catalog}
    found = p.sync(check=True).to_json()["attention"]
    assert [(a["provider"], a["model"], a["why"]) for a in found] == [("zeta", "j", "status")]


def test_pinned_fields_that_move_upstream(project: Project) -> None:
    p = project
    p.add("b", "pinned: [pricing]")
    p.add("c", "pinned: [pricing]")
    assert p.attention() == [], "pinned as upstream has it: nothing moved"
    p.models["b"]["cost"]["input"] = 1.2
    p.models["c"]["cost"]["output"] = 2.5
    found = p.sync().to_json()["attention"]
    assert [(a["provider"], a["model"], a["why"], a["field"], a["depends"]) for a in found] == [
        ("acme", "b", "pinned_moved", "pricing", ["pinned"]),
        ("acme", "c", "pinned_moved", "pricing", ["pinned"]),
    ]
    assert (found[0]["old"]["input"], found[0]["new"]["input"]) == (1.0, 1.2)
    assert p.attention() == [], "the same difference again: it did not move"
    # A hand edit elsewhere in the file; then upstream moves again.
    p.edit(lambda t: "# ours\n" + t)
    p.models["b"]["cost"]["input"] = 1.4
    ((model, why, field, old, new, _),) = p.attention()
    assert (model, why, field, old["input"], new["input"]) == (
        "b",
        "pinned_moved",
        "pricing",
        1.2,
        1.4,
    )


def test_a_pin_set_by_hand_to_another_value_is_no_move(project: Project) -> None:
    p = project
    p.add("b", "pinned: [context_window]")
    p.edit(
        lambda t: t.replace(
            "  b:\n    pinned: [context_window]\n    name: B\n    context_window: 100000\n",
            "  b:\n    pinned: [context_window]\n    name: B\n    context_window: 90000\n",
        )
    )
    assert "context_window: 90000" in p.path.read_text()
    assert p.attention() == [], "the team's own value, not a move upstream"


def test_a_second_pinned_field_after_one_never_seen(project: Project) -> None:
    p = project
    p.add("b", "pinned: [context_window, pricing]")
    p.sync()
    p.models["b"]["cost"]["input"] = 1.2
    p.models["b"]["limit"]["context"] = 90000
    assert [x[:3] for x in p.attention()] == [
        ("b", "pinned_moved", "context_window"),
        ("b", "pinned_moved", "pricing"),
    ]
    p.edit(lambda t: "# ours\n" + t)  # touched: only what the last sync saw counts
    p.models["b"]["cost"]["input"] = 1.3
    p.models["b"]["limit"]["context"] = 90000
    assert [x[:3] for x in p.attention()] == [("b", "pinned_moved", "pricing")]


def test_a_limit_that_shrinks_to_one_or_to_nothing(project: Project) -> None:
    p = project
    p.add("b", "notes: x")
    p.models["b"]["limit"] = {"context": 100000, "output": 1}
    assert p.attention(check=True) == [
        ("b", "output_shrank", "max_output_tokens", 8000, 1, ["notes"])
    ]
    p.models["b"]["limit"] = {"context": 0, "output": 0}
    assert p.attention(check=True) == []


def test_pricing_removed_by_hand_is_no_rise(project: Project) -> None:
    p = project
    p.add("b", "notes: x")
    text = p.path.read_text()
    start = text.index("  b:\n")
    block = "    pricing:\n      input: 1.0\n      output: 2.0\n      cache_read: 0.1\n"
    block += "      cache_write: 1.5\n"
    p.path.write_text(text[:start] + text[start:].replace(block, "", 1))
    assert p.path.read_text().count("pricing:") == len(MODELS) - 1
    p.models["b"]["cost"]["input"] = 3.0
    assert p.attention(check=True) == []


def test_availability_left_out_of_the_file_by_hand(project: Project) -> None:
    """No ``available`` key is an available model: the sync writing it is no return."""
    p = project
    p.add("b", "notes: x")
    text = p.path.read_text()
    start = text.index("  b:\n")
    p.path.write_text(text[:start] + text[start:].replace("    available: true\n", "", 1))
    p.models["b"]["status"] = "beta"
    assert p.attention(check=True) == [("b", "status", "status", None, "beta", ["notes"])]


def test_attention_without_the_sync_state(project: Project, tmp_path: Path) -> None:
    p = project
    _annotate(p)
    p.models["b"]["status"] = "beta"
    fresh = _with(p, p.settings.replace(cache_dir=str(tmp_path / "fresh-cache")))
    assert Project.attention(fresh, check=True) == [
        ("b", "status", "status", None, "beta", ["notes"])
    ]
