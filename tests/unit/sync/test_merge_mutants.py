"""What the merge writes and reports, down to the byte and the report entry.

Each test syncs a tiny catalog into a provider file written as text, the way people
write it, in both layouts the merge handles: ``canonical`` (the file as modelsync writes
it: the plain-data merge) and ``commented`` (a comment in the entry: ruamel's round
trip). These are the behaviours mutation testing (``python mutation/run.py merge``)
found unchecked: a price upstream dropped must leave the file, a model with bad data
must not stop the others from updating, new models and fields go to their place, and
pinned, deprecated, returning and shadowed models are reported.
"""

from __future__ import annotations

from typing import Any

import pytest

import modelsync

from ...conftest import yaml11
from ...edgecases import HEAD, catalog, changes, entry, model, setup, sync_text

LAYOUTS = ("canonical", "commented")


def layout(text: str, how: str) -> str:
    """``text`` as is, or with a comment on its ``models:`` line (the round-trip merge)."""
    return text if how == "canonical" else text.replace("models:\n", "models:  # ours\n", 1)


def json_changes(report: modelsync.SyncReport, kind: str) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = report.to_json()["changes"][kind]
    return entries


# --- prices and fields upstream dropped ---------------------------------------------------


@pytest.mark.parametrize("how", LAYOUTS)
def test_a_price_upstream_dropped_leaves_the_file(tmp_path: Any, how: str) -> None:
    text = (
        HEAD
        + "models:\n"
        + entry("m-a").replace("      output: 2.0\n", "      output: 2.0\n      cache_read: 0.1\n")
    )
    run, report = sync_text(tmp_path, layout(text, how), catalog(m_a=model()))
    assert report.ok, report.failed
    assert run.text == layout(HEAD + "models:\n" + entry("m-a"), how)
    assert json_changes(report, "price") == [
        {"provider": "p", "model": "m-a", "field": "cache_read", "old": 0.1, "new": None}
    ]
    assert run.settles()


@pytest.mark.parametrize("how", LAYOUTS)
def test_a_tier_price_upstream_dropped_leaves_the_file(tmp_path: Any, how: str) -> None:
    tiers = [{"tier": {"type": "context", "size": 500}, "input": 2.0, "output": 4.0}]
    upstream = model()
    upstream["cost"]["tiers"] = tiers
    before = entry("m-a").replace(
        "      output: 2.0\n",
        "      output: 2.0\n      tiers:\n      - above_context: 500\n"
        "        input: 2.0\n        output: 4.0\n        cache_read: 0.5\n",
    )
    after = before.replace("        cache_read: 0.5\n", "")
    run, report = sync_text(
        tmp_path, layout(HEAD + "models:\n" + before, how), catalog(m_a=upstream)
    )
    assert report.ok, report.failed
    assert run.text == layout(HEAD + "models:\n" + after, how)
    assert changes(report) == [("m-a", "price", "tiers")]


@pytest.mark.parametrize("how", LAYOUTS)
def test_a_field_upstream_dropped_leaves_the_entry(tmp_path: Any, how: str) -> None:
    upstream = model()
    del upstream["limit"]["output"]
    run, report = sync_text(
        tmp_path, layout(HEAD + "models:\n" + entry("m-a"), how), catalog(m_a=upstream)
    )
    assert report.ok, report.failed
    expected = entry("m-a").replace("    max_output_tokens: 100\n", "")
    assert run.text == layout(HEAD + "models:\n" + expected, how)
    assert json_changes(report, "max_output_tokens") == [
        {"provider": "p", "model": "m-a", "field": "max_output_tokens", "old": 100, "new": None}
    ]


# --- bad upstream data, hand-written entries: the models after them still update -------


@pytest.mark.parametrize("how", LAYOUTS)
def test_a_model_with_bad_upstream_data_does_not_stop_the_next_from_updating(
    tmp_path: Any, how: str
) -> None:
    bad = model()
    bad["limit"]["context"] = "a lot"
    text = HEAD + "models:\n" + entry("m-a") + entry("m-b") + entry("m-c")
    run, report = sync_text(
        tmp_path, layout(text, how), catalog(m_a=bad, m_b=model(3.0), m_c=model(4.0))
    )
    assert report.ok, report.failed
    expected = HEAD + "models:\n" + entry("m-a") + entry("m-b", 3.0) + entry("m-c", 4.0)
    assert run.text == layout(expected, how)
    assert changes(report) == [("m-b", "price", "input"), ("m-c", "price", "input")]
    assert [m["model"] for m in report.to_json()["skipped_models"]] == ["m-a"]


@pytest.mark.parametrize("how", LAYOUTS)
def test_a_shadowing_entry_does_not_stop_the_next_from_updating(tmp_path: Any, how: str) -> None:
    hand = "  m-a:\n    name: our own m-a\n    context_window: 5\n"
    text = HEAD + "models:\n" + hand + entry("m-b")
    run, report = sync_text(tmp_path, layout(text, how), catalog(m_a=model(), m_b=model(3.0)))
    assert report.ok, report.failed
    assert run.text == layout(HEAD + "models:\n" + hand + entry("m-b", 3.0), how)
    assert changes(report) == [("m-a", "shadowed", None), ("m-b", "price", "input")]
    shadowed = json_changes(report, "shadowed")
    assert [(c["provider"], c["model"]) for c in shadowed] == [("p", "m-a")]
    assert "source: models.dev" in shadowed[0]["fix"]


# --- where new models and new fields go -----------------------------------------------------

HAND = "  acme-ft:\n    name: ours\n    context_window: 5\n"


@pytest.mark.parametrize("how", LAYOUTS)
def test_a_new_model_goes_between_the_managed_models_in_id_order(tmp_path: Any, how: str) -> None:
    text = HEAD + "models:\n" + entry("m-b") + HAND + entry("m-d")
    data = catalog(m_a=model(), m_b=model(), m_c=model(), m_d=model(), m_e=model())
    run, report = sync_text(tmp_path, layout(text, how), data)
    assert report.ok, report.failed
    expected = (
        HEAD
        + "models:\n"
        + entry("m-a")
        + entry("m-b")
        + entry("m-c")
        + HAND
        + entry("m-d")
        + entry("m-e")
    )
    assert run.text == layout(expected, how)
    assert [m for m, kind, _ in changes(report) if kind == "added"] == ["m-a", "m-c", "m-e"]
    assert run.settles()


@pytest.mark.parametrize("how", LAYOUTS)
def test_new_models_go_after_hand_written_ones_when_no_model_is_managed(
    tmp_path: Any, how: str
) -> None:
    text = HEAD + "models:\n" + HAND
    run, report = sync_text(tmp_path, layout(text, how), catalog(m_b=model(), m_a=model()))
    assert report.ok, report.failed
    assert run.text == layout(HEAD + "models:\n" + HAND + entry("m-a") + entry("m-b"), how)


@pytest.mark.parametrize("how", LAYOUTS)
def test_a_new_field_goes_after_the_field_before_it(tmp_path: Any, how: str) -> None:
    # max_output_tokens is new upstream: it goes after context_window, not at the end.
    text = HEAD + "models:\n" + entry("m-a").replace("    max_output_tokens: 100\n", "")
    run, report = sync_text(tmp_path, layout(text, how), catalog(m_a=model()))
    assert report.ok, report.failed
    assert run.text == layout(HEAD + "models:\n" + entry("m-a"), how)
    assert json_changes(report, "max_output_tokens") == [
        {"provider": "p", "model": "m-a", "field": "max_output_tokens", "old": None, "new": 100}
    ]


@pytest.mark.parametrize("how", LAYOUTS)
def test_a_new_first_field_goes_before_the_first_synced_field(tmp_path: Any, how: str) -> None:
    # ``name`` missing: it goes before context_window, after the user's key above it.
    text = HEAD + "models:\n" + entry("m-a").replace("    name: m-a\n", "    notes: ours\n")
    run, report = sync_text(tmp_path, layout(text, how), catalog(m_a=model()))
    assert report.ok, report.failed
    expected = entry("m-a").replace("    name: m-a\n", "    notes: ours\n    name: m-a\n")
    assert run.text == layout(HEAD + "models:\n" + expected, how)


@pytest.mark.parametrize("how", LAYOUTS)
def test_a_new_price_goes_in_price_order(tmp_path: Any, how: str) -> None:
    upstream = model()
    upstream["cost"] = {"input": 1.0, "cache_read": 0.1, "output": 2.0}
    run, report = sync_text(
        tmp_path, layout(HEAD + "models:\n" + entry("m-a"), how), catalog(m_a=upstream)
    )
    assert report.ok, report.failed
    expected = entry("m-a").replace(
        "      output: 2.0\n", "      output: 2.0\n      cache_read: 0.1\n"
    )
    assert run.text == layout(HEAD + "models:\n" + expected, how)
    assert json_changes(report, "price") == [
        {"provider": "p", "model": "m-a", "field": "cache_read", "old": None, "new": 0.1}
    ]


@pytest.mark.parametrize("how", LAYOUTS)
def test_a_removed_model_is_marked_unavailable_in_place(tmp_path: Any, how: str) -> None:
    text = HEAD + "models:\n" + entry("m-a").replace("    available: true\n", "") + entry("m-b")
    run, report = sync_text(tmp_path, layout(text, how), catalog(m_b=model()))
    assert report.ok, report.failed
    expected = entry("m-a").replace("    available: true\n", "    available: false\n")
    assert run.text == layout(HEAD + "models:\n" + expected + entry("m-b"), how)
    assert changes(report) == [("m-a", "removed", None)]


# --- what the report says about pinned, deprecated and returning models -----------------


@pytest.mark.parametrize("how", LAYOUTS)
def test_a_pinned_field_is_kept_and_reported_with_both_values(tmp_path: Any, how: str) -> None:
    text = HEAD + "models:\n" + entry("m-a", user="    pinned: [context_window, pricing]\n")
    upstream = model(5.0)
    upstream["limit"]["context"] = 2000
    upstream["limit"]["output"] = 200
    run, report = sync_text(tmp_path, layout(text, how), catalog(m_a=upstream))
    assert report.ok, report.failed
    expected = entry("m-a", user="    pinned: [context_window, pricing]\n").replace(
        "max_output_tokens: 100", "max_output_tokens: 200"
    )
    assert run.text == layout(HEAD + "models:\n" + expected, how)
    assert json_changes(report, "pinned") == [
        {"provider": "p", "model": "m-a", "field": "context_window", "old": 1000, "new": 2000},
        {
            "provider": "p",
            "model": "m-a",
            "field": "pricing",
            "old": {"input": 1.0, "output": 2.0},
            "new": {"input": 5.0, "output": 2.0},
        },
    ]
    assert json_changes(report, "price") == []
    assert json_changes(report, "context_window") == []
    assert [c["field"] for c in json_changes(report, "max_output_tokens")] == ["max_output_tokens"]


@pytest.mark.parametrize("how", LAYOUTS)
def test_a_pinned_field_upstream_agrees_with_is_not_reported(tmp_path: Any, how: str) -> None:
    text = HEAD + "models:\n" + entry("m-a", user="    pinned: [pricing]\n")
    run, report = sync_text(tmp_path, layout(text, how), catalog(m_a=model()))
    assert report.ok, report.failed
    assert changes(report) == []
    assert run.text == layout(text, how)


@pytest.mark.parametrize("how", LAYOUTS)
def test_a_pinned_field_the_file_lacks_is_reported_and_not_written(tmp_path: Any, how: str) -> None:
    text = HEAD + "models:\n" + entry("m-a", user="    pinned: [family]\n")
    run, report = sync_text(tmp_path, layout(text, how), catalog(m_a=model(family="fam")))
    assert report.ok, report.failed
    assert run.text == layout(text, how)
    assert json_changes(report, "pinned") == [
        {"provider": "p", "model": "m-a", "field": "family", "old": None, "new": "fam"}
    ]


@pytest.mark.parametrize("how", LAYOUTS)
def test_a_model_upstream_deprecates_is_reported_once(tmp_path: Any, how: str) -> None:
    text = HEAD + "models:\n" + entry("m-a")
    upstream = model(status="deprecated")
    run, report = sync_text(tmp_path, layout(text, how), catalog(m_a=upstream))
    assert report.ok, report.failed
    expected = entry("m-a").replace("    deprecated: false\n", "    deprecated: true\n")
    assert run.text == layout(HEAD + "models:\n" + expected, how)
    assert json_changes(report, "deprecated") == [
        {"provider": "p", "model": "m-a", "field": "deprecated", "old": False, "new": True}
    ]
    again = run.sync()
    assert again.ok and json_changes(again, "deprecated") == []


@pytest.mark.parametrize("how", LAYOUTS)
def test_a_pinned_deprecation_is_not_reported_as_deprecated(tmp_path: Any, how: str) -> None:
    text = HEAD + "models:\n" + entry("m-a", user="    pinned: [deprecated]\n")
    run, report = sync_text(tmp_path, layout(text, how), catalog(m_a=model(status="deprecated")))
    assert report.ok, report.failed
    assert json_changes(report, "deprecated") == []
    assert [c["field"] for c in json_changes(report, "pinned")] == ["deprecated"]
    assert "    deprecated: false\n" in run.text


@pytest.mark.parametrize("how", LAYOUTS)
def test_a_model_back_in_the_catalog_is_available_again_and_reported(
    tmp_path: Any, how: str
) -> None:
    gone = entry("m-a").replace("    available: true\n", "    available: false\n")
    run, report = sync_text(tmp_path, layout(HEAD + "models:\n" + gone, how), catalog(m_a=model()))
    assert report.ok, report.failed
    assert run.text == layout(HEAD + "models:\n" + entry("m-a"), how)
    assert changes(report) == [("m-a", "back", None)]
    assert json_changes(report, "back") == [{"provider": "p", "model": "m-a"}]
    assert report.to_json()["counts"]["models"]["back"] == 1


@pytest.mark.parametrize("how", LAYOUTS)
def test_an_available_model_is_not_reported_back(tmp_path: Any, how: str) -> None:
    run, report = sync_text(
        tmp_path, layout(HEAD + "models:\n" + entry("m-a"), how), catalog(m_a=model(3.0))
    )
    assert report.ok, report.failed
    assert changes(report) == [("m-a", "price", "input")]
    assert run.text == layout(HEAD + "models:\n" + entry("m-a", 3.0), how)


@pytest.mark.parametrize("how", LAYOUTS)
def test_context_and_output_changes_are_reported_with_both_values(tmp_path: Any, how: str) -> None:
    upstream = model()
    upstream["limit"] = {"context": 4000, "output": 400}
    run, report = sync_text(
        tmp_path, layout(HEAD + "models:\n" + entry("m-a"), how), catalog(m_a=upstream)
    )
    assert report.ok, report.failed
    assert json_changes(report, "context_window") == [
        {"provider": "p", "model": "m-a", "field": "context_window", "old": 1000, "new": 4000}
    ]
    assert json_changes(report, "max_output_tokens") == [
        {"provider": "p", "model": "m-a", "field": "max_output_tokens", "old": 100, "new": 400}
    ]
    expected = entry("m-a").replace("1000\n", "4000\n").replace(": 100\n", ": 400\n")
    assert run.text == layout(HEAD + "models:\n" + expected, how)


# --- retired, pruned and refused files ---------------------------------------------------------


@pytest.mark.parametrize("how", LAYOUTS)
def test_a_model_already_unavailable_is_not_reported_removed_again(tmp_path: Any, how: str) -> None:
    gone = entry("m-a").replace("    available: true\n", "    available: false\n")
    text = layout(HEAD + "models:\n" + gone + entry("m-b"), how)
    run, report = sync_text(tmp_path, text, catalog(m_b=model()))
    assert report.ok, report.failed
    assert run.text == text
    assert changes(report) == []


def test_prune_keeps_an_anchored_model_and_says_why(tmp_path: Any) -> None:
    text = (
        HEAD
        + "models:\n"
        + entry("m-a").replace("    pricing:\n", "    pricing: &deal\n")
        + entry("m-b", user="    list_price: *deal\n")
    )
    run, report = sync_text(tmp_path, text, catalog(m_b=model()), prune=True)
    assert report.ok, report.failed
    assert run.text == text.replace("    available: true\n", "    available: false\n", 1)
    assert json_changes(report, "not_pruned") == [
        {"provider": "p", "model": "m-a", "field": "anchor", "old": None, "new": None}
    ]
    assert changes(report) == [("m-a", "not_pruned", "anchor"), ("m-a", "removed", None)]


@pytest.mark.parametrize("how", LAYOUTS)
def test_prune_deletes_a_retired_model_without_user_keys_only(tmp_path: Any, how: str) -> None:
    text = HEAD + "models:\n" + entry("m-a") + entry("m-b", user="    notes: ours\n") + entry("m-c")
    run, report = sync_text(tmp_path, layout(text, how), catalog(m_c=model()), prune=True)
    assert report.ok, report.failed
    kept = entry("m-b", user="    notes: ours\n").replace(
        "    available: true\n", "    available: false\n"
    )
    assert run.text == layout(HEAD + "models:\n" + kept + entry("m-c"), how)
    assert changes(report) == [("m-a", "pruned", None), ("m-b", "removed", None)]


@pytest.mark.parametrize("how", LAYOUTS)
def test_a_provider_that_left_the_catalog_has_its_models_marked_unavailable(
    tmp_path: Any, how: str
) -> None:
    text = layout(HEAD + "models:\n" + entry("m-a"), how)
    run = setup(tmp_path, text)
    other = catalog(x=model())
    other["q"] = other.pop("p")
    report = run.sync(other)
    assert report.ok, report.failed
    assert run.text == text.replace("    available: true\n", "    available: false\n")
    assert json_changes(report, "removed") == [{"provider": "p", "model": "m-a"}]


@pytest.mark.parametrize(
    ("text", "error"),
    [
        (HEAD.replace("provider: p", "provider: q"), ":1: provider: 'q' does not match"),
        (HEAD + "models: [m-a]\n", ":5: models: must be a mapping of model id to model"),
        (
            HEAD + "models:\n" + entry("m-a", user="    pinned: pricing\n"),
            ":17: models.m-a.pinned must be a list of field names",
        ),
        (
            HEAD + "models:\n" + entry("m-a", user="    pinned: [name, price, cost]\n"),
            ":17: models.m-a.pinned: 'price', 'cost' are not synced fields (pinnable: name,",
        ),
        (
            HEAD + "models:\n" + entry("m-a", user="    pinned:\n    - name\n    - price\n"),
            ":19: models.m-a.pinned: 'price' is not a synced field (pinnable: name,",
        ),
    ],
)
def test_a_file_the_merge_cannot_apply_is_left_as_it_is_with_its_line(
    tmp_path: Any, text: str, error: str
) -> None:
    run, report = sync_text(tmp_path, text, catalog(m_a=model(3.0)))
    assert run.text == text
    (failed,) = report.failed
    assert failed.error is not None
    assert failed.error.startswith(f"{run.path}{error}"), failed.error


# --- values that look alike, capabilities, whole prices --------------------------------------


@pytest.mark.parametrize("how", LAYOUTS)
def test_pricing_upstream_dropped_leaves_the_entry_and_each_price_is_reported(
    tmp_path: Any, how: str
) -> None:
    upstream = model()
    del upstream["cost"]
    run, report = sync_text(
        tmp_path, layout(HEAD + "models:\n" + entry("m-a"), how), catalog(m_a=upstream)
    )
    assert report.ok, report.failed
    expected = entry("m-a").replace("    pricing:\n      input: 1.0\n      output: 2.0\n", "")
    assert run.text == layout(HEAD + "models:\n" + expected, how)
    assert json_changes(report, "price") == [
        {"provider": "p", "model": "m-a", "field": "input", "old": 1.0, "new": None},
        {"provider": "p", "model": "m-a", "field": "output", "old": 2.0, "new": None},
    ]


@pytest.mark.parametrize("how", LAYOUTS)
def test_tier_and_mode_changes_are_reported_as_tiers_and_modes(tmp_path: Any, how: str) -> None:
    upstream = model()
    upstream["cost"]["tiers"] = [{"tier": {"type": "context", "size": 500}, "input": 3.0}]
    upstream["experimental"] = {"modes": {"fast": {"cost": {"input": 4.0}}}}
    run, report = sync_text(
        tmp_path, layout(HEAD + "models:\n" + entry("m-a"), how), catalog(m_a=upstream)
    )
    assert report.ok, report.failed
    prices = json_changes(report, "price")
    assert [(c["field"], c["old"], c["new"]) for c in prices] == [
        ("tiers", None, [{"above_context": 500, "input": 3.0}]),
        ("modes", None, {"fast": {"input": 4.0}}),
    ]
    expected = entry("m-a").replace(
        "      output: 2.0\n",
        "      output: 2.0\n      tiers:\n        - above_context: 500\n          input: 3.0\n"
        "      modes:\n        fast:\n          input: 4.0\n",
    )
    assert run.text == layout(HEAD + "models:\n" + expected, how)


@pytest.mark.parametrize("how", LAYOUTS)
def test_a_number_written_as_another_type_is_rewritten_as_upstream_has_it(
    tmp_path: Any, how: str
) -> None:
    text = (
        HEAD
        + "models:\n"
        + entry("m-a")
        .replace("    context_window: 1000\n", "    context_window: 1000.0\n")
        .replace("      input: 1.0\n", "      input: 1\n")
        .replace("    source: models.dev\n", "    open_weights: 1\n    source: models.dev\n")
    )
    run, report = sync_text(tmp_path, layout(text, how), catalog(m_a=model(open_weights=True)))
    assert report.ok, report.failed
    expected = entry("m-a").replace(
        "    source: models.dev\n", "    open_weights: true\n    source: models.dev\n"
    )
    assert run.text == layout(HEAD + "models:\n" + expected, how)
    assert [(c["field"], c["old"], c["new"]) for c in json_changes(report, "price")] == [
        ("input", 1, 1.0)
    ]
    assert [(c["old"], c["new"]) for c in json_changes(report, "context_window")] == [
        (1000.0, 1000)
    ]


@pytest.mark.parametrize("how", LAYOUTS)
def test_a_capability_upstream_dropped_leaves_and_the_users_own_stay_after(
    tmp_path: Any, how: str
) -> None:
    text = (
        HEAD
        + "models:\n"
        + entry("m-a").replace(
            "    capabilities: []\n", "    capabilities: [vision, streaming, reasoning]\n"
        )
    )
    run, report = sync_text(tmp_path, layout(text, how), catalog(m_a=model(reasoning=True)))
    assert report.ok, report.failed
    expected = entry("m-a").replace(
        "    capabilities: []\n", "    capabilities: [reasoning, streaming]\n"
    )
    assert run.text == layout(HEAD + "models:\n" + expected, how)
    assert changes(report) == []


@pytest.mark.parametrize("how", LAYOUTS)
def test_capabilities_written_as_text_become_the_derived_list(tmp_path: Any, how: str) -> None:
    text = (
        HEAD
        + "models:\n"
        + entry("m-a").replace("    capabilities: []\n", "    capabilities: streaming\n")
    )
    run, report = sync_text(tmp_path, layout(text, how), catalog(m_a=model(reasoning=True)))
    assert report.ok, report.failed
    expected = entry("m-a").replace("    capabilities: []\n", "    capabilities: [reasoning]\n")
    assert run.text == layout(HEAD + "models:\n" + expected, how)


@pytest.mark.parametrize("how", LAYOUTS)
def test_a_new_field_goes_right_after_the_first_field_not_after_the_users_key(
    tmp_path: Any, how: str
) -> None:
    text = (
        HEAD
        + "models:\n"
        + entry("m-a").replace(
            "    name: m-a\n    context_window: 1000\n", "    name: m-a\n    notes: ours\n"
        )
    )
    run, report = sync_text(tmp_path, layout(text, how), catalog(m_a=model()))
    assert report.ok, report.failed
    expected = entry("m-a").replace(
        "    context_window: 1000\n", "    context_window: 1000\n    notes: ours\n"
    )
    assert run.text == layout(HEAD + "models:\n" + expected, how)


@pytest.mark.parametrize("how", LAYOUTS)
def test_an_empty_pricing_is_filled_and_each_price_reported(tmp_path: Any, how: str) -> None:
    text = (
        HEAD
        + "models:\n"
        + entry("m-a").replace(
            "    pricing:\n      input: 1.0\n      output: 2.0\n", "    pricing: {}\n"
        )
    )
    run, report = sync_text(tmp_path, layout(text, how), catalog(m_a=model()))
    assert report.ok, report.failed
    assert yaml11(run.text)["models"]["m-a"]["pricing"] == {"input": 1.0, "output": 2.0}
    assert [(c["field"], c["old"], c["new"]) for c in json_changes(report, "price")] == [
        ("input", None, 1.0),
        ("output", None, 2.0),
    ]


@pytest.mark.parametrize("pricing", ["", "    pricing: 5\n"])
@pytest.mark.parametrize("how", LAYOUTS)
def test_pricing_new_upstream_or_written_as_a_number_is_written_and_reported(
    tmp_path: Any, how: str, pricing: str
) -> None:
    text = (
        HEAD
        + "models:\n"
        + entry("m-a").replace("    pricing:\n      input: 1.0\n      output: 2.0\n", pricing)
    )
    run, report = sync_text(tmp_path, layout(text, how), catalog(m_a=model()))
    assert report.ok, report.failed
    assert run.text == layout(HEAD + "models:\n" + entry("m-a"), how)
    assert [(c["field"], c["old"], c["new"]) for c in json_changes(report, "price")] == [
        ("input", None, 1.0),
        ("output", None, 2.0),
    ]


# --- shared lists, equal-looking values, prefixes ----------------------------------------------

SHARED_CAPS = (
    HEAD
    + "models:\n"
    + entry("m-a").replace("    capabilities: []\n", "    capabilities: &caps [reasoning]\n")
    + entry("m-b").replace("    capabilities: []\n", "    capabilities: *caps  # same\n")
)


def test_a_shared_capability_list_stays_shared_while_both_models_agree(tmp_path: Any) -> None:
    data = catalog(m_a=model(reasoning=True), m_b=model(3.0, reasoning=True))
    run, report = sync_text(tmp_path, SHARED_CAPS, data)
    assert report.ok, report.failed
    assert run.text == SHARED_CAPS.replace(
        "    pricing:\n      input: 1.0\n      output: 2.0\n    capabilities: *caps",
        "    pricing:\n      input: 3.0\n      output: 2.0\n    capabilities: *caps",
    )
    assert changes(report) == [("m-b", "price", "input")]


def test_a_shared_capability_list_is_copied_for_the_model_that_differs(tmp_path: Any) -> None:
    data = catalog(m_a=model(reasoning=True), m_b=model(reasoning=True, tool_call=True))
    run, report = sync_text(tmp_path, SHARED_CAPS, data)
    assert report.ok, report.failed
    doc = yaml11(run.text)["models"]
    assert doc["m-a"]["capabilities"] == ["reasoning"]
    assert doc["m-b"]["capabilities"] == ["function_calling", "reasoning"]
    assert "    capabilities: &caps [reasoning]\n" in run.text


@pytest.mark.parametrize("how", LAYOUTS)
def test_a_capability_added_after_the_ones_the_file_has_is_written(tmp_path: Any, how: str) -> None:
    text = (
        HEAD
        + "models:\n"
        + entry("m-a").replace("    capabilities: []\n", "    capabilities: [function_calling]\n")
    )
    data = catalog(m_a=model(tool_call=True, reasoning=True))
    run, report = sync_text(tmp_path, layout(text, how), data)
    assert report.ok, report.failed
    expected = entry("m-a").replace(
        "    capabilities: []\n", "    capabilities: [function_calling, reasoning]\n"
    )
    assert run.text == layout(HEAD + "models:\n" + expected, how)


@pytest.mark.parametrize("how", LAYOUTS)
def test_unchanged_tiers_are_not_reported_beside_a_changed_price(tmp_path: Any, how: str) -> None:
    upstream = model(3.0)
    upstream["cost"]["tiers"] = [{"tier": {"type": "context", "size": 500}, "input": 2.0}]
    tiers = "      tiers:\n      - above_context: 500\n        input: 2.0\n"
    text = (
        HEAD
        + "models:\n"
        + entry("m-a").replace("      output: 2.0\n", "      output: 2.0\n" + tiers)
    )
    run, report = sync_text(tmp_path, layout(text, how), catalog(m_a=upstream))
    assert report.ok, report.failed
    assert changes(report) == [("m-a", "price", "input")]
    assert run.text == layout(text.replace("input: 1.0", "input: 3.0"), how)


@pytest.mark.parametrize("how", LAYOUTS)
def test_a_model_already_deprecated_is_not_reported_again(tmp_path: Any, how: str) -> None:
    text = HEAD + "models:\n" + entry("m-a").replace("deprecated: false", "deprecated: true")
    data = catalog(m_a=model(3.0, status="deprecated"))
    run, report = sync_text(tmp_path, layout(text, how), data)
    assert report.ok, report.failed
    assert changes(report) == [("m-a", "price", "input")]
    assert run.text == layout(text.replace("input: 1.0", "input: 3.0"), how)


@pytest.mark.parametrize("how", LAYOUTS)
def test_a_name_to_or_from_the_text_none_is_written(tmp_path: Any, how: str) -> None:
    run, report = sync_text(
        tmp_path, layout(HEAD + "models:\n" + entry("m-a"), how), catalog(m_a=model(name="None"))
    )
    assert report.ok, report.failed
    assert yaml11(run.text)["models"]["m-a"]["name"] == "None"
    report = run.sync(catalog(m_a=model(name="m-a")))
    assert report.ok, report.failed
    assert run.text == layout(HEAD + "models:\n" + entry("m-a"), how)


def test_a_comment_above_a_capability_stays_with_it_when_one_is_inserted_before(
    tmp_path: Any,
) -> None:
    block = "    capabilities:\n      # derived\n      - reasoning\n      - streaming\n"
    text = HEAD + "models:\n" + entry("m-a").replace("    capabilities: []\n", block)
    run, report = sync_text(tmp_path, text, catalog(m_a=model(reasoning=True, tool_call=True)))
    assert report.ok, report.failed
    after = "    capabilities:\n      - function_calling\n      # derived\n      - reasoning\n"
    assert run.text == text.replace(
        "    capabilities:\n      # derived\n      - reasoning\n", after
    )
    assert run.text.count("# derived") == 1


def test_a_value_upstream_agrees_with_keeps_the_way_it_is_written(tmp_path: Any) -> None:
    text = HEAD + "models:\n" + entry("m-a").replace("    name: m-a\n", '    name: "m-a"\n')
    run, report = sync_text(tmp_path, text, catalog(m_a=model(3.0)))
    assert report.ok, report.failed
    assert run.text == text.replace("input: 1.0", "input: 3.0")


@pytest.mark.parametrize("how", LAYOUTS)
def test_a_tier_added_or_removed_upstream_is_added_or_removed(tmp_path: Any, how: str) -> None:
    one = "      tiers:\n      - above_context: 500\n        input: 2.0\n"
    two = one + "      - above_context: 900\n        input: 4.0\n"
    text = (
        HEAD
        + "models:\n"
        + entry("m-a").replace("      output: 2.0\n", "      output: 2.0\n" + one)
    )
    upstream = model()
    upstream["cost"]["tiers"] = [
        {"tier": {"type": "context", "size": 500}, "input": 2.0},
        {"tier": {"type": "context", "size": 900}, "input": 4.0},
    ]
    run, report = sync_text(tmp_path, layout(text, how), catalog(m_a=upstream))
    assert report.ok, report.failed
    tiers = yaml11(run.text)["models"]["m-a"]["pricing"]["tiers"]
    assert tiers == [{"above_context": 500, "input": 2.0}, {"above_context": 900, "input": 4.0}]
    assert changes(report) == [("m-a", "price", "tiers")]
    upstream["cost"]["tiers"] = upstream["cost"]["tiers"][:1]
    report = run.sync(catalog(m_a=upstream))
    assert report.ok, report.failed
    assert yaml11(run.text)["models"]["m-a"]["pricing"]["tiers"] == [
        {"above_context": 500, "input": 2.0}
    ]
    assert two not in run.text


def test_a_field_inherited_through_a_merge_key_is_overridden_not_edited(tmp_path: Any) -> None:
    base = entry("m-a").replace("  m-a:\n", "  m-a: &base\n")
    child = "  m-b:\n    <<: *base\n    name: m-b\n    source: models.dev\n"
    upstream = model(5.0)
    del upstream["limit"]["output"]  # inherited: it cannot be deleted from m-b
    run, report = sync_text(
        tmp_path, HEAD + "models:\n" + base + child, catalog(m_a=model(), m_b=upstream)
    )
    assert report.ok, report.failed
    override = "    pricing:\n      input: 5.0\n      output: 2.0\n"
    assert run.text == HEAD + "models:\n" + base + child + override
    assert changes(report) == [
        ("m-b", "price", "input"),
        ("m-b", "max_output_tokens", "max_output_tokens"),
    ]


def test_a_comment_above_the_first_model_stays_with_it_when_a_model_goes_before(
    tmp_path: Any,
) -> None:
    text = HEAD + "models:\n  # sorted by id\n" + entry("m-b")
    run, report = sync_text(tmp_path, text, catalog(m_a=model(), m_b=model()))
    assert report.ok, report.failed
    assert run.text == HEAD + "models:\n" + entry("m-a") + "  # sorted by id\n" + entry("m-b")


# --- the provider's own fields ------------------------------------------------------------------


def test_the_providers_fields_follow_upstream(tmp_path: Any) -> None:
    data = catalog(m_a=model())
    data["p"]["name"] = "P Cloud"
    data["p"]["env"] = ["P_KEY", "P_ORG"]
    run, report = sync_text(tmp_path, HEAD + "models:\n" + entry("m-a"), data)
    assert report.ok, report.failed
    assert run.text == (
        "provider: p\nname: P Cloud\nenv: [P_KEY, P_ORG]\ndoc: https://p.example\n"
        + "models:\n"
        + entry("m-a")
    )


def test_missing_provider_fields_go_after_provider_and_before_models(tmp_path: Any) -> None:
    text = "# ours\nmodels:  # all of them\n" + entry("m-a")
    run, report = sync_text(tmp_path, text, catalog(m_a=model()))
    assert report.ok, report.failed
    assert run.text == HEAD + "# ours\nmodels:  # all of them\n" + entry("m-a")


def test_a_provider_without_models_gets_no_models_key(tmp_path: Any) -> None:
    run, report = sync_text(tmp_path, HEAD, catalog())
    assert report.ok, report.failed
    assert run.text == HEAD


def test_a_provider_of_another_name_is_refused_at_its_line(tmp_path: Any) -> None:
    text = "# ours\n" + HEAD.replace("provider: p", "provider: q")
    run, report = sync_text(tmp_path, text, catalog(m_a=model()))
    assert run.text == text
    (failed,) = report.failed
    assert failed.error == (f"{run.path}:2: provider: 'q' does not match the file name ('p')")


@pytest.mark.parametrize("how", LAYOUTS)
def test_a_new_model_id_with_a_colon_is_quoted_as_a_key(tmp_path: Any, how: str) -> None:
    data = catalog(m_a=model())
    data["p"]["models"]["org/m:free"] = model()
    run, report = sync_text(
        tmp_path / "colon", layout(HEAD + "models:\n" + entry("m-a"), how), data
    )
    assert report.ok, report.failed
    added = entry("org/m:free").replace("  org/m:free:\n", "  'org/m:free':\n")
    assert run.text == layout(HEAD + "models:\n" + entry("m-a") + added, how)
