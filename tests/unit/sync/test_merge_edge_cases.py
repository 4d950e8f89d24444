"""Hand-written YAML the merge must keep: anchors and aliases, merge keys, tagged and
odd user values, comments in every place, layouts other than modelsync's own.

Each test writes a file as a person would, syncs a tiny catalog into it, and compares
the exact bytes (or the values) that come back; a second sync must change nothing and
the file must validate.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from modelsync.errors import ConfigError
from modelsync.report.summary import render
from modelsync.sync.plan import _check_kept

from ...conftest import yaml11
from ...edgecases import HEAD, catalog, changes, entry, model, setup, sync_text

# --- anchors and aliases ---------------------------------------------------------------

SHARED = (
    HEAD
    + "models:\n"
    + "  m-a:\n"
    + "    name: m-a\n"
    + "    context_window: 1000\n"
    + "    max_output_tokens: 100\n"
    + "    pricing: &p {input: 0.4, output: 2.0}\n"
    + "    capabilities: []\n"
    + "    available: true\n"
    + "    deprecated: false\n"
    + "    source: models.dev\n"
    + "  m-b:\n"
    + "    name: m-b\n"
    + "    context_window: 1000\n"
    + "    max_output_tokens: 100\n"
    + "    pricing: *p   # same deal\n"
    + "    capabilities: []\n"
    + "    available: true\n"
    + "    deprecated: false\n"
    + "    source: models.dev\n"
)


def test_an_alias_on_a_synced_field_becomes_its_own_copy_when_prices_differ(
    tmp_path: Path,
) -> None:
    run, report = sync_text(tmp_path, SHARED, catalog(m_a=model(0.4, 2.0), m_b=model(1.5, 7.5)))
    assert report.ok, report.failed
    assert run.text == SHARED.replace(
        "    pricing: *p   # same deal\n", "    pricing: {input: 1.5, output: 7.5}   # same deal\n"
    )
    assert changes(report) == [("m-b", "price", "input"), ("m-b", "price", "output")]
    assert run.settles()


def test_an_alias_stays_an_alias_while_both_models_agree(tmp_path: Path) -> None:
    run, report = sync_text(tmp_path, SHARED, catalog(m_a=model(0.5, 2.0), m_b=model(0.5, 2.0)))
    assert report.ok, report.failed
    assert run.text == SHARED.replace("&p {input: 0.4,", "&p {input: 0.5,")
    assert {c[0] for c in changes(report)} == {"m-a", "m-b"}
    assert run.settles()


def test_the_anchored_model_changes_alone_and_the_alias_keeps_the_old_values(
    tmp_path: Path,
) -> None:
    text = (
        HEAD
        + "models:\n"
        + entry("m-a").replace("    pricing:\n", "    pricing: &p  # list price\n")
        + entry("m-b").replace(
            "    pricing:\n      input: 1.0\n      output: 2.0\n", "    pricing: *p  # same\n"
        )
    )
    run, report = sync_text(tmp_path, text, catalog(m_a=model(5.0), m_b=model()))
    assert report.ok, report.failed
    assert run.text == (
        HEAD
        + "models:\n"
        + entry("m-a", 5.0).replace("    pricing:\n", "    pricing: &p  # list price\n")
        + entry("m-b").replace("    pricing:\n", "    pricing:     # same\n")
    )
    assert changes(report) == [("m-a", "price", "input")]
    assert run.settles()


def test_a_user_key_aliasing_a_synced_mapping_keeps_its_value(tmp_path: Path) -> None:
    text = (
        HEAD
        + "models:\n"
        + entry("m-a").replace("    pricing:\n", "    pricing: &list\n")
        + entry("m-b", user="    list_price: *list   # what we pay without the deal\n")
    )
    run, report = sync_text(tmp_path, text, catalog(m_a=model(3.0), m_b=model()))
    assert report.ok, report.failed
    assert run.text == (
        HEAD
        + "models:\n"
        + entry("m-a", 3.0).replace("    pricing:\n", "    pricing: &list\n")
        + entry(
            "m-b",
            user=(
                "    list_price:         # what we pay without the deal\n"
                "      input: 1.0\n"
                "      output: 2.0\n"
            ),
        )
    )
    assert run.settles()


@pytest.mark.parametrize("anchored_first", [True, False])
def test_aliases_between_managed_and_hand_written_models(
    tmp_path: Path, anchored_first: bool
) -> None:
    hand = "  ours:\n    name: Ours\n    pricing: &mine {input: 1.0, output: 2.0}\n"
    managed = entry("m-a").replace(
        "    pricing:\n      input: 1.0\n      output: 2.0\n", "    pricing: *mine\n"
    )
    if not anchored_first:
        hand, managed = (
            hand.replace("&mine {input: 1.0, output: 2.0}", "*mine"),
            managed.replace("*mine", "&mine {input: 1.0, output: 2.0}"),
        )
    parts = [hand, managed] if anchored_first else [managed, hand]
    text = HEAD + "models:\n" + "".join(parts)
    run, report = sync_text(tmp_path, text, catalog(m_a=model(4.0)))
    assert report.ok, report.failed
    doc = yaml11(run.text)
    assert doc["models"]["ours"]["pricing"] == {"input": 1.0, "output": 2.0}
    assert doc["models"]["m-a"]["pricing"] == {"input": 4.0, "output": 2.0}
    assert "&mine" in run.text
    assert run.settles()
    # While they agree, the alias is kept as written.
    run, report = sync_text(tmp_path / "same", text, catalog(m_a=model()))
    assert report.ok and run.text == text


def test_a_merge_key_does_not_make_an_entry_managed(tmp_path: Path) -> None:
    child = "  child:\n    <<: *base\n    name: Child\n    notes: like m-a, for batch jobs\n"
    base = entry("m-a").replace("  m-a:\n", "  m-a: &base\n")
    beta = base.replace("    available:", "    status: beta\n    available:")
    text = HEAD + "models:\n" + beta + child  # the sync deletes status from a merged entry
    run, report = sync_text(tmp_path, text, catalog(m_a=model(2.0)))
    assert report.ok, report.failed
    assert run.text == (
        HEAD + "models:\n" + entry("m-a", 2.0).replace("  m-a:\n", "  m-a: &base\n") + child
    )
    assert yaml11(run.text)["models"]["child"]["pricing"]["input"] == 2.0, "inherits"
    assert changes(report) == [("m-a", "price", "input")]
    # m-a leaves the catalog: it is marked unavailable, the child inherits that, and
    # nothing is written into the child.
    report = run.sync(catalog(m_b=model()))
    assert report.ok, report.failed
    assert run.text.endswith(child)
    assert ("child", "removed", None) not in changes(report)
    assert run.settles()


# --- user values -----------------------------------------------------------------------

VALUES = (
    "    since: !!timestamp 2024-01-01\n"
    "    order: !!pairs [{first: 1}, {second: 2}]\n"
    "    legacy: !!bool yes\n"
    "    ratio: !!float 1\n"
    "    plain_date: 2024-02-29\n"
    "    table: 'col1\tcol2'   # a tab, single-quoted\n"
)


def test_user_values_keep_their_meaning_and_tags(tmp_path: Path) -> None:
    text = "# comments: the round trip\n" + HEAD + "models:\n" + entry("m-a", user=VALUES)
    run, report = sync_text(tmp_path, text, catalog(m_a=model(3.0)))
    assert report.ok, report.failed
    expected = text.replace("      input: 1.0\n", "      input: 3.0\n")
    assert run.text == expected.replace("[{first: 1}, {second: 2}]", "[first: 1, second: 2]")
    entry_ = yaml.safe_load(run.text)["models"]["m-a"]  # PyYAML, with timestamps
    assert str(entry_["since"]) == "2024-01-01" and entry_["legacy"] is True
    assert entry_["order"] == [("first", 1), ("second", 2)]
    assert entry_["ratio"] == 1.0 and entry_["table"] == "col1\tcol2"
    assert run.settles()


def test_a_user_value_that_is_not_finite_fails_the_provider_at_its_line(tmp_path: Path) -> None:
    text = HEAD + "models:\n" + entry("m-a", user="    ratio: .nan\n")
    run, report = sync_text(tmp_path, text, catalog(m_a=model(3.0)))
    (failed,) = report.failed
    assert failed.error is not None and "models.m-a.ratio: .nan is not a finite number" in (
        failed.error
    )
    assert run.text == text, "left as it is"


def test_a_value_the_merge_would_change_is_named_with_its_line() -> None:
    text = "provider: p\nmodels:\n  m:\n    source: models.dev\n    notes: x\n"
    before = {"provider": "p", "models": {"m": {"source": "models.dev", "notes": "x"}}}
    after = {"provider": "p", "models": {"m": {"source": "models.dev", "notes": "y"}}}
    with pytest.raises(ConfigError) as err:
        _check_kept(before, after, text)
    assert err.value.line == 5
    assert str(err.value).startswith("models.m.notes: modelsync cannot merge this file")
    assert "internal error" not in str(err.value)


# --- comments --------------------------------------------------------------------------


def test_prune_keeps_the_comments_above_and_after_the_pruned_model(tmp_path: Path) -> None:
    text = (
        HEAD
        + "models:\n"
        + "  # Models we route to, sorted by id.\n"
        + entry("m-a", user="    # m-a's own note goes with it\n")
        + "  # m-b: the default for batch jobs\n"
        + entry("m-b")
        + entry("m-c")
    )
    run, report = sync_text(tmp_path, text, catalog(m_b=model(), m_c=model()), prune=True)
    assert report.ok, report.failed
    assert run.text == (
        HEAD
        + "models:\n"
        + "  # Models we route to, sorted by id.\n"
        + "  # m-b: the default for batch jobs\n"
        + entry("m-b")
        + entry("m-c")
    )
    assert changes(report) == [("m-a", "pruned", None)]
    assert run.settles()


def test_comments_inside_a_block_list_survive_an_inserted_capability(tmp_path: Path) -> None:
    block = (
        "    capabilities:\n"
        "      - function_calling\n"
        "      # router needs these two:\n"
        "      - streaming\n"
        "      - system_messages  # since v2\n"
    )
    text = HEAD + "models:\n" + entry("m-a").replace("    capabilities: []\n", block)
    run, report = sync_text(
        tmp_path, text, catalog(m_a=model(tool_call=True, reasoning=True, temperature=True))
    )
    assert report.ok, report.failed
    assert run.text == HEAD + "models:\n" + entry("m-a").replace(
        "    capabilities: []\n",
        "    capabilities:\n"
        "      - function_calling\n"
        "      - reasoning\n"
        "      - temperature\n"
        "      # router needs these two:\n"
        "      - streaming\n"
        "      - system_messages  # since v2\n",
    )
    assert run.settles()


def test_a_comment_after_the_document_end_marker_survives(tmp_path: Path) -> None:
    text = "---\n" + HEAD + "models:\n" + entry("m-a") + "...\n# reviewed 2026-05 by @ml-infra\n"
    run, report = sync_text(tmp_path, text, catalog(m_a=model(2.0)))
    assert report.ok, report.failed
    assert run.text == text.replace("      input: 1.0\n", "      input: 2.0\n")
    assert run.settles()


def test_a_comment_at_the_end_of_the_last_model_stays_with_it(tmp_path: Path) -> None:
    text = (
        HEAD
        + "models:\n"
        + entry("m-a", user="    notes: our pick  # since May\n    # re-check its limits in June\n")
        + "# end of the catalog\n"
    )
    run, report = sync_text(tmp_path, text, catalog(m_a=model(), m_b=model()))
    assert report.ok, report.failed
    assert run.text == (
        HEAD
        + "models:\n"
        + entry("m-a", user="    notes: our pick  # since May\n    # re-check its limits in June\n")
        + entry("m-b")
        + "# end of the catalog\n"
    )
    assert run.settles()


# --- layout ----------------------------------------------------------------------------


def pyyaml_indent4(tiers_input: float) -> str:
    return (
        "provider: p\n"
        "name: P\n"
        "env:\n"
        "- P_KEY\n"
        "doc: https://p.example\n"
        "models:\n"
        "    m-a:\n"
        "        name: m-a\n"
        "        context_window: 1000\n"
        "        max_output_tokens: 100\n"
        "        pricing:\n"
        "            input: 1.0\n"
        "            output: 2.0\n"
        "            tiers:\n"
        "            -   above_context: 500\n"
        f"                input: {tiers_input}\n"
        "        capabilities:\n"
        "        - function_calling\n"
        "        available: true\n"
        "        deprecated: false\n"
        "        source: models.dev\n"
    )


def test_a_file_in_pyyaml_indent4_style_keeps_its_layout(tmp_path: Path) -> None:
    text = pyyaml_indent4(2.0)
    assert yaml.safe_dump(yaml.safe_load(text), indent=4, sort_keys=False) == text

    def upstream(tier_input: float) -> dict[str, object]:
        cost = {"input": 1.0, "output": 2.0}
        tier = {"tier": {"type": "context", "size": 500}, "input": tier_input}
        return catalog(m_a=model(tool_call=True, cost={**cost, "tiers": [tier]}))

    run, report = sync_text(tmp_path, text, upstream(2.0))
    assert report.ok and not report.changed_files and run.text == text
    report = run.sync(upstream(4.0))
    assert report.ok and run.text == pyyaml_indent4(4.0)
    assert run.settles()


def test_spaces_before_a_comment_are_kept_when_the_value_grows(tmp_path: Path) -> None:
    text = (
        HEAD
        + "models:\n"
        + entry("m-a").replace(
            "    pricing:\n      input: 1.0\n      output: 2.0\n",
            "    pricing: {input: 1.0, output: 2.0}  # list price\n",
        )
    )
    run, report = sync_text(tmp_path, text, catalog(m_a=model(11.25)))
    assert report.ok, report.failed
    assert run.text == text.replace("{input: 1.0,", "{input: 11.25,")
    assert run.settles()


# --- outcomes --------------------------------------------------------------------------


def test_prune_keeps_the_model_that_default_model_names(tmp_path: Path) -> None:
    text = HEAD + "default_model: m-a\nmodels:\n" + entry("m-a") + entry("m-b")
    run, report = sync_text(tmp_path, text, catalog(m_b=model()), prune=True)
    assert report.ok, report.failed
    assert run.text == text.replace("    available: true\n", "    available: false\n", 1)
    assert changes(report) == [
        ("m-a", "not_pruned", "default_model"),
        ("m-a", "removed", None),
    ]
    assert "  p/m-a (default_model names it)\n" in render(report)
    assert report.to_json()["changes"]["not_pruned"] == [
        {"provider": "p", "model": "m-a", "field": "default_model", "old": None, "new": None}
    ]
    (warning,) = run.findings()  # valid; validate says the default model has left
    assert "warning: default_model: 'm-a' has left the catalog" in warning
    assert run.settles()


def test_pinned_report_prints_values_not_python_reprs(tmp_path: Path) -> None:
    text = HEAD + "models:\n" + entry("m-a", user="    pinned: [pricing]\n")
    tier = {"tier": {"type": "context", "size": 200000}, "input": 2.0}
    cost = {"input": 1.0, "output": 2.0, "tiers": [tier]}
    _, report = sync_text(tmp_path, text, catalog(m_a=model(cost=cost)))
    assert report.ok, report.failed
    assert "  p/m-a: pricing: tiers - (upstream [{above_context: 200000, input: 2.0}])\n" in render(
        report
    )


def test_a_second_file_is_synced_when_one_is_refused(tmp_path: Path) -> None:
    run = setup(tmp_path, HEAD + "models:\n" + entry("m-a", user="    pined: [pricing]\n"))
    other = run.path.parent / "q.yml"
    other.write_text("provider: q\n")
    data = catalog(m_a=model(9.0))
    data["q"] = {"name": "Q", "models": {"x": model()}}
    before = run.text
    report = run.sync(data)
    assert run.text == before
    (failed,) = report.failed
    assert failed.error == (
        f"{run.path}:17: models.m-a.pined: unknown key 'pined': did you mean 'pinned'? (a "
        "key used on purpose can be listed in the user_keys setting); the file was left as "
        "it is"
    )
    assert "  x:\n" in other.read_text()
