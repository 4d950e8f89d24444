"""The planner's choices as a user sees them: which path a file takes (``-vv`` says it,
the number of YAML parses and canonical renderings shows it), what the next sync knows
of this one (a repeat sync is a quiet no-op; the guards see the same counts and dates),
what ``validate`` and the attention check get from the merge, and the one line of a
file that cannot be merged.

Found unchecked by mutation testing (``python mutation/run.py sync.plan``). YAML parses
and canonical renderings are counted with hooks around the real ``yamlio.load`` and
``yamlio.dump`` (every caller reaches them through the package), keyed by digest.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import modelsync
from modelsync import yamlio
from modelsync.settings import Settings
from modelsync.sync import state as state_mod
from modelsync.util import fsutil
from modelsync.util.tasknames import command

from ...conftest import yaml11
from ...edgecases import catalog, model
from .test_plan_reports import result, sync

PLAN_LOG = "modelsync.sync.plan"


def two(p: dict[str, Any], q: dict[str, Any] | None = None) -> dict[str, Any]:
    """A catalog with provider ``p`` (models ``p``) and provider ``q`` (models ``q``)."""
    data = catalog(**p)
    other = catalog(**(q if q is not None else {"q_a": model()}))["p"]
    data["q"] = {**other, "id": "q", "name": "Q", "env": ["Q_KEY"]}
    return data


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> Iterator[Counter[str]]:
    """How many times each text (by digest) was parsed with the YAML reader."""
    counted: Counter[str] = Counter()
    real = yamlio.load

    def counting_load(data: bytes | str) -> Any:
        counted[sha(data.encode() if isinstance(data, str) else data)] += 1
        return real(data)

    monkeypatch.setattr(yamlio, "load", counting_load)
    yield counted


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """How many times the canonical writer was asked to write a document."""
    counted = [0]
    real = yamlio.dump

    def counting_dump(doc: Any) -> str:
        counted[0] += 1
        return real(doc)

    monkeypatch.setattr(yamlio, "dump", counting_dump)
    yield counted


def plan_messages(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == PLAN_LOG]


def warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


def canonical(path: Path, edit: Any) -> None:
    """Rewrite ``path`` as the canonical writer writes its data after ``edit(data)``."""
    data = yaml11(path.read_text())
    edit(data)
    path.write_text(yamlio.dump(data))


# --- which path a file takes ---------------------------------------------------------------


def test_each_file_says_at_debug_level_which_path_it_took(
    settings: Settings, tmp_path: Path, config_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger=PLAN_LOG)
    sync(settings, two({"m_a": model(1.0)}), tmp_path)
    caplog.clear()
    sync(settings, two({"m_a": model(2.0)}), tmp_path)
    assert plan_messages(caplog) == [
        "p: canonical file, merged as plain data",
        "q: unchanged since the last sync (fingerprints match)",
    ]
    # A comment added by hand: the file is no longer what the last sync wrote.
    path = config_dir / "p.yml"
    path.write_text("# prices checked by hand\n" + path.read_text())
    caplog.clear()
    report = sync(settings, two({"m_a": model(3.0)}), tmp_path)
    assert plan_messages(caplog) == [
        "p: hand-formatted file, merged through the round trip",
        "q: unchanged since the last sync (fingerprints match)",
    ]
    assert result(report).status == "changed"
    assert path.read_text().startswith("# prices checked by hand\n")
    assert "      input: 3.0\n" in path.read_text()


def test_an_unchanged_provider_is_not_parsed_and_a_canonical_file_is_parsed_once(
    settings: Settings, tmp_path: Path, config_dir: Path, parses: Counter[str]
) -> None:
    sync(settings, two({"m_a": model(1.0)}), tmp_path)
    p, q = config_dir / "p.yml", config_dir / "q.yml"
    for price, forget in ((2.0, False), (3.0, True)):
        if forget:  # without the fingerprints the file is compared with its rendering
            state_mod.state_path(settings).unlink()
        old_p, old_q = p.read_bytes(), q.read_bytes()
        parses.clear()
        report = sync(settings, two({"m_a": model(price)}), tmp_path)
        assert result(report).status == "changed"
        assert f"      input: {price}\n" in p.read_text()
        if not forget:
            assert sha(old_q) not in parses, "a provider as the last sync left it was parsed"
        assert parses[sha(old_p)] == 1
        assert sha(p.read_bytes()) not in parses, "the canonical output was parsed again"


def test_a_canonical_file_with_crlf_line_endings_keeps_them_and_is_parsed_once(
    settings: Settings, tmp_path: Path, config_dir: Path, parses: Counter[str]
) -> None:
    sync(settings, two({"m_a": model(1.0)}), tmp_path)
    path = config_dir / "p.yml"
    lf = path.read_bytes()
    path.write_bytes(lf.replace(b"\n", b"\r\n"))
    parses.clear()
    report = sync(settings, two({"m_a": model(2.0)}), tmp_path)
    assert result(report).status == "changed"
    expected = lf.replace(b"input: 1.0\n", b"input: 2.0\n").replace(b"\n", b"\r\n")
    assert path.read_bytes() == expected
    assert sum(parses.values()) == 1, "a canonical file went through the round trip"


def test_a_canonical_file_the_last_sync_wrote_is_rendered_once(
    settings: Settings, tmp_path: Path, config_dir: Path, renders: list[int]
) -> None:
    sync(settings, catalog(m_a=model(1.0)), tmp_path)  # a new file
    renders[0] = 0
    sync(settings, catalog(m_a=model(2.0)), tmp_path)
    assert renders[0] == 1, "a file the last sync wrote canonically was compared first"
    state_mod.state_path(settings).unlink()
    renders[0] = 0
    sync(settings, catalog(m_a=model(3.0)), tmp_path)
    assert renders[0] == 2, "without the fingerprints the file is compared with its rendering"
    renders[0] = 0
    sync(settings, catalog(m_a=model(4.0)), tmp_path)
    assert renders[0] == 1, "a canonical file merged as plain data is known canonical next"
    assert "      input: 4.0\n" in (config_dir / "p.yml").read_text()


def test_a_hand_edited_file_is_not_trusted_as_canonical(
    settings: Settings, tmp_path: Path, config_dir: Path
) -> None:
    sync(settings, catalog(m_a=model(1.0)), tmp_path)
    path = config_dir / "p.yml"
    text = path.read_text().replace("    source: models.dev\n", "    source: models.dev  # ok\n")
    path.write_text(text)
    sync(settings, catalog(m_a=model(2.0)), tmp_path)
    assert path.read_text() == text.replace("input: 1.0", "input: 2.0")


# --- what the next sync knows of this one -------------------------------------------------


def assert_quiet_no_op(
    settings: Settings,
    data: dict[str, Any],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    parses: Counter[str],
) -> None:
    """The same catalog again: nothing parsed, nothing written, nothing to warn about."""
    caplog.clear()
    parses.clear()
    report = sync(settings, data, tmp_path)
    assert report.ok and report.changed_files == []
    assert all(p.status == "unchanged" for p in report.providers)
    assert warnings(caplog) == []
    assert sum(parses.values()) == 0, "the sync state did not vouch for every file"


def test_after_every_kind_of_plan_a_repeat_sync_is_a_quiet_no_op(
    settings: Settings,
    tmp_path: Path,
    config_dir: Path,
    caplog: pytest.LogCaptureFixture,
    parses: Counter[str],
) -> None:
    config_dir.mkdir(parents=True)
    private = config_dir / "mine.yml"
    private.write_text("provider: mine\nmodels:\n  local:\n    name: local\n")
    data = two({"m_a": model(1.0), "m_b": model()})
    sync(settings, data, tmp_path)  # new files, and a provider not in the catalog
    assert_quiet_no_op(settings, data, tmp_path, caplog, parses)

    data = two({"m_a": model(2.0), "m_b": model()})
    sync(settings, data, tmp_path)  # canonical: plain data
    assert_quiet_no_op(settings, data, tmp_path, caplog, parses)

    path = config_dir / "p.yml"
    path.write_text("# mine\n" + path.read_text())
    sync(settings, data, tmp_path)  # hand-formatted, nothing to change
    assert_quiet_no_op(settings, data, tmp_path, caplog, parses)

    data = two({"m_a": model(3.0), "m_b": model()})
    sync(settings, data, tmp_path)  # hand-formatted, changed
    assert_quiet_no_op(settings, data, tmp_path, caplog, parses)

    data = two({"m_a": model(3.0), "m_b": model()}, {"q_a": model(5.0)})
    sync(settings, data, tmp_path)  # p as the last sync left it: fingerprints alone
    assert_quiet_no_op(settings, data, tmp_path, caplog, parses)
    assert private.read_text() == "provider: mine\nmodels:\n  local:\n    name: local\n"


@pytest.mark.parametrize("how", ["new", "plain", "round trip"])
def test_the_shrink_guard_counts_the_models_of_a_file_the_fingerprints_vouch_for(
    settings: Settings, tmp_path: Path, config_dir: Path, how: str
) -> None:
    three = {"m_a": model(1.0), "m_b": model(), "m_c": model()}
    pair = {"q_a": model(), "q_b": model()}
    sync(settings, two(three, pair), tmp_path)
    if how != "new":
        if how == "round trip":
            path = config_dir / "p.yml"
            path.write_text("# mine\n" + path.read_text())
        three["m_a"] = model(2.0)
        report = sync(settings, two(three, pair), tmp_path)
        assert result(report).status == "changed"
    # q loses both its models; p is as the last sync left it: 3 of 5 models remain.
    report = sync(settings, two(three, {}), tmp_path)
    assert report.refused is not None
    assert "the configs were synced from 2 and 5" in report.refused


def test_a_provider_not_in_the_catalog_counts_for_no_model_in_the_shrink_guard(
    settings: Settings, tmp_path: Path, config_dir: Path
) -> None:
    config_dir.mkdir(parents=True)
    (config_dir / "mine.yml").write_text("provider: mine\nmodels:\n  local:\n    name: local\n")
    sync(settings, catalog(m_a=model(1.0)), tmp_path)
    report = sync(settings, catalog(m_a=model(2.0)), tmp_path)
    assert report.refused is None
    assert result(report).status == "changed"
    assert result(report, "mine").status == "unchanged"


@pytest.mark.parametrize("how", ["plain", "round trip, unchanged", "round trip, changed"])
def test_the_rollback_guard_sees_a_pinned_date_the_fingerprints_vouch_for(
    settings: Settings, tmp_path: Path, config_dir: Path, how: str
) -> None:
    p = {"m_a": model(1.0, last_updated="2026-05-01")}
    sync(settings, two(p), tmp_path)
    path = config_dir / "p.yml"

    def pin(data: dict[str, Any]) -> None:
        data["models"]["m-a"]["last_updated"] = "2099-01-01"
        data["models"]["m-a"]["pinned"] = ["last_updated"]

    canonical(path, pin)
    if how != "plain":
        path.write_text("# dated by hand\n" + path.read_text())
    if how == "round trip, changed":
        p = {"m_a": model(2.0, last_updated="2026-05-01")}
    report = sync(settings, two(p), tmp_path, allow_older=True)
    assert report.refused is None
    assert result(report).status == ("changed" if how == "round trip, changed" else "unchanged")
    # q changes, p is as this sync left it: its date still holds the catalog back.
    report = sync(settings, two(p, {"q_a": model(9.0)}), tmp_path)
    assert report.refused is not None
    assert "its newest model update is 2026-05-01, the configs' is 2099-01-01" in report.refused
    # ... and so on, as long as p stays as it is.
    report = sync(settings, two(p, {"q_a": model(8.0)}), tmp_path)
    assert report.refused is not None and "the configs' is 2099-01-01" in report.refused


def test_a_standing_difference_is_reported_for_its_provider_from_the_fingerprints(
    settings: Settings, tmp_path: Path, config_dir: Path
) -> None:
    sync(settings, two({"m_a": model(1.0)}), tmp_path)
    canonical(config_dir / "p.yml", lambda d: d["models"]["m-a"].update(pinned=["pricing"]))
    first = sync(settings, two({"m_a": model(2.0)}), tmp_path)
    again = sync(settings, two({"m_a": model(2.0)}, {"q_a": model(7.0)}), tmp_path)
    for report in (first, again):
        (change,) = result(report).changes
        assert (change.provider, change.model, change.kind, change.field) == (
            "p",
            "m-a",
            "pinned",
            "pricing",
        )
    assert result(again).status == "unchanged" and result(again, "q").status == "changed"


def test_a_provider_not_in_the_catalog_is_reported_so_on_every_sync(
    settings: Settings, tmp_path: Path, config_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fsutil, "SETTLED", 0.0)  # the catalog file is told by its signature
    config_dir.mkdir(parents=True)
    (config_dir / "mine.yml").write_text("provider: mine\nmodels:\n  local:\n    name: local\n")
    first = sync(settings, catalog(m_a=model()), tmp_path)
    # The same catalog file: the report is rebuilt from the fingerprints alone.
    again = modelsync.sync_to_configs(settings=settings, source=str(tmp_path / "api.json"))
    partial = sync(settings, catalog(m_a=model(2.0)), tmp_path)
    for report in (first, again, partial):
        assert result(report, "mine").in_catalog is False
        assert result(report).in_catalog is True


def test_a_failed_or_skipped_provider_is_planned_again_not_remembered(
    settings: Settings, tmp_path: Path, config_dir: Path
) -> None:
    sync(settings, two({"m_a": model()}), tmp_path)
    bad = two({"m_a": model(2.0)})
    bad["p"]["env"] = 7
    for _ in range(2):
        report = sync(settings, bad, tmp_path)
        assert result(report).status == "skipped"
        assert result(report).error.startswith("invalid upstream data, file left as it is: ")
    path = config_dir / "q.yml"
    path.write_text(path.read_text() + "  broken: [\n")
    for _ in range(2):
        assert result(sync(settings, bad, tmp_path), "q").status == "failed"


def test_a_catalog_with_a_repeated_key_is_not_taken_for_the_one_without(
    settings: Settings, tmp_path: Path, config_dir: Path
) -> None:
    data = two({"m_a": model(1.0)})
    sync(settings, data, tmp_path)
    before = (config_dir / "p.yml").read_bytes()
    # The same data, but m-a lists its input price twice (its digest cannot tell).
    text = json.dumps(data).replace('"input": 1.0', '"input": 1.0, "input": 1.0', 1)
    (tmp_path / "api.json").write_text(text)
    for _ in range(2):
        report = modelsync.sync_to_configs(settings=settings, source=str(tmp_path / "api.json"))
        assert list(result(report).skipped_models) == ["m-a"]
        assert (config_dir / "p.yml").read_bytes() == before


# --- what validate and the attention check get from the merge -------------------------------


def test_validate_trusts_a_file_the_sync_just_checked(
    settings: Settings, tmp_path: Path, config_dir: Path, parses: Counter[str]
) -> None:
    settings = settings.replace(user_keys=("pricng",))
    sync(settings, two({"m_a": model(1.0)}), tmp_path)
    canonical(config_dir / "p.yml", lambda d: d["models"]["m-a"].update(pricng="cheap"))
    report = sync(settings, two({"m_a": model(2.0)}), tmp_path)
    assert result(report).status == "changed"
    parses.clear()
    checked = modelsync.validate_configs(settings=settings)
    assert checked.ok and checked.findings == []
    assert sum(parses.values()) == 0, "validate checked again files the sync had checked"


def test_validate_still_warns_about_a_default_model_that_left_the_catalog(
    settings: Settings, tmp_path: Path, config_dir: Path
) -> None:
    sync(settings, catalog(m_a=model(), m_b=model()), tmp_path)
    canonical(config_dir / "p.yml", lambda d: d.update(default_model="m-b"))
    report = sync(settings, catalog(m_a=model()), tmp_path, allow_shrink=True)
    assert result(report).status == "changed"
    (finding,) = modelsync.validate_configs(settings=settings).findings
    assert "'m-b' has left the catalog (available: false)" in str(finding)


def depended_on(config_dir: Path, hand: bool) -> None:
    """m-a carries a note: a team depends on it."""
    canonical(config_dir / "p.yml", lambda d: d["models"]["m-a"].update(notes="ours"))
    if hand:
        path = config_dir / "p.yml"
        path.write_text("# ours\n" + path.read_text())


@pytest.mark.parametrize("hand", [False, True])
def test_a_price_rise_of_a_depended_on_model_needs_attention_without_a_second_parse(
    settings: Settings, tmp_path: Path, config_dir: Path, parses: Counter[str], hand: bool
) -> None:
    sync(settings, catalog(m_a=model(1.0), m_b=model()), tmp_path)
    depended_on(config_dir, hand)
    old = (config_dir / "p.yml").read_bytes()
    parses.clear()
    report = sync(settings, catalog(m_a=model(3.0), m_b=model(9.0)), tmp_path)
    (item,) = report.attention
    assert (item.provider, item.model, item.field, item.old, item.new) == (
        "p",
        "m-a",
        "input",
        1.0,
        3.0,
    )
    assert parses[sha(old)] == 1


@pytest.mark.parametrize("hand", [False, True])
def test_a_pinned_value_whose_upstream_moved_needs_attention(
    settings: Settings, tmp_path: Path, config_dir: Path, hand: bool
) -> None:
    sync(settings, catalog(m_a=model(1.0)), tmp_path)
    canonical(config_dir / "p.yml", lambda d: d["models"]["m-a"].update(pinned=["pricing"]))
    if hand:
        path = config_dir / "p.yml"
        path.write_text("# ours\n" + path.read_text())
    sync(settings, catalog(m_a=model(2.0)), tmp_path)
    report = sync(settings, catalog(m_a=model(4.0)), tmp_path)
    assert result(report).status == "unchanged"
    assert [(a.model, a.why, a.field) for a in report.attention] == [
        ("m-a", "pinned_moved", "pricing")
    ]


def test_watching_a_synced_field_still_finds_what_needs_attention(
    settings: Settings, tmp_path: Path, config_dir: Path
) -> None:
    settings = settings.replace(watch_keys=("context_window",))
    sync(settings, catalog(m_a=model(1.0)), tmp_path)
    report = sync(settings, catalog(m_a=model(3.0)), tmp_path)
    assert result(report).status == "changed"
    assert [(a.model, a.field, a.old, a.new) for a in report.attention] == [
        ("m-a", "input", 1.0, 3.0)
    ]


# --- files the canonical writer cannot write ------------------------------------------------

LONG = "m-" + "x" * 130  # a key too long for the canonical writer's simple keys


def test_a_model_id_too_long_for_a_simple_key_is_written_as_an_explicit_key(
    settings: Settings, tmp_path: Path, config_dir: Path
) -> None:
    path = config_dir / "p.yml"
    sync(settings, catalog(m_a=model(1.0)), tmp_path)
    report = sync(settings, catalog(m_a=model(1.0), **{LONG: model(5.0)}), tmp_path)
    assert result(report).status == "changed"
    assert f"\n  ? {LONG}\n  : name: {LONG}\n" in path.read_text()
    assert yaml11(path.read_text())["models"][LONG]["pricing"]["input"] == 5.0
    path.unlink()
    report = sync(settings, catalog(m_a=model(1.0), **{LONG: model(5.0)}), tmp_path)
    assert result(report).status == "added"
    assert f"\n  ? {LONG}\n  : name: {LONG}\n" in path.read_text()
    written = path.read_bytes()
    report = sync(settings, catalog(m_a=model(2.0), **{LONG: model(5.0)}), tmp_path)
    assert path.read_bytes() == written.replace(b"input: 1.0", b"input: 2.0")


# --- the one line of a file that cannot be merged -------------------------------------------


def test_an_invalid_value_is_named_at_its_line_in_the_file_as_it_is(
    settings: Settings, tmp_path: Path, config_dir: Path
) -> None:
    sync(settings, catalog(m_a=model()), tmp_path)
    path = config_dir / "p.yml"
    text = path.read_text() + "  mine:\n    name: mine\n    context_window: big\n"
    path.write_text(text)
    # A new model sorts before "mine": in the merged file the value moves down.
    p = result(sync(settings, catalog(m_a=model(), m_0=model()), tmp_path))
    assert p.status == "failed"
    line = len(text.splitlines())
    assert p.error.startswith(f"{path}:{line}: models.mine.context_window: 'big' is not")
    assert path.read_text() == text


def test_a_declared_user_key_that_looks_like_a_typo_is_merged(
    settings: Settings, tmp_path: Path, config_dir: Path
) -> None:
    settings = settings.replace(user_keys=("pricng",))
    sync(settings, catalog(m_a=model(1.0)), tmp_path)
    canonical(config_dir / "p.yml", lambda d: d["models"]["m-a"].update(pricng="cheap"))
    report = sync(settings, catalog(m_a=model(2.0)), tmp_path)
    assert result(report).status == "changed"
    assert "    pricng: cheap\n" in (config_dir / "p.yml").read_text()


HEAD = "provider: p\nname: P\nenv: [P_KEY]\ndoc: https://p.example\nmodels:\n"


@pytest.mark.parametrize(
    ("models", "line", "named"),
    [
        # an ambiguous id above a misspelt key: the first line is named, not the first found
        ("  1e3:\n    name: x\n  m-a:\n    pricnig: 1\n", 6, "models.1e3: "),
        # an ambiguous id below a misspelt key, whose path sorts after the id's
        ("  m-a:\n    pricnig: 1\n  1e3:\n    name: x\n", 7, "models.m-a.pricnig: "),
        # two misspelt keys on one line: the first written, whatever their names
        ("  m-a: {pricnig: 1, contxt_window: 2}\n", 6, "models.m-a.pricnig: "),
    ],
)
def test_the_first_of_several_key_problems_is_named_with_how_many_more(
    settings: Settings, tmp_path: Path, config_dir: Path, models: str, line: int, named: str
) -> None:
    config_dir.mkdir(parents=True)
    path = config_dir / "p.yml"
    path.write_text(HEAD + models)
    p = result(sync(settings, catalog(m_a=model()), tmp_path))
    assert p.status == "failed"
    more = f" (and 1 more, see {command('validate')}); the file was left as it is"
    assert p.error.startswith(f"{path}:{line}: {named}")
    assert p.error.endswith(more)
    assert path.read_text() == HEAD + models


def test_an_ambiguous_model_id_alone_fails_its_file(
    settings: Settings, tmp_path: Path, config_dir: Path
) -> None:
    config_dir.mkdir(parents=True)
    path = config_dir / "p.yml"
    path.write_text(HEAD + "  1e3:\n    name: x\n")
    p = result(sync(settings, catalog(m_a=model()), tmp_path))
    assert p.status == "failed"
    assert p.error.startswith(f"{path}:6: models.1e3: ")
    assert p.error.endswith("; the file was left as it is")


def test_a_file_that_cannot_be_merged_needs_no_attention_for_what_was_not_written(
    settings: Settings, tmp_path: Path, config_dir: Path
) -> None:
    sync(settings, catalog(m_a=model(1.0)), tmp_path)
    path = config_dir / "p.yml"
    canonical(path, lambda d: d["models"]["m-a"].update(pinned=["pricing"]))
    path.write_text(path.read_text() + "  mine:\n    name: mine\n    context_window: big\n")
    smaller = model(3.0, limit={"context": 500, "output": 100})
    report = sync(settings, catalog(m_a=smaller), tmp_path)
    assert result(report).status == "failed"
    assert "pinned" in [c.kind for c in result(report).changes]
    assert report.attention == []
