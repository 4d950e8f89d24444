"""Learning from an outcomes file once, exactly: what each run learns and reports, the
outcome ids, and the one line of each refusal when the record of learned outcomes or an
outcome's id is wrong."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

import pytest

import modelsync
from modelsync.model.configdir import state_file
from modelsync.settings import Settings

HEAD = "provider: acme\nname: Acme\nmodels:\n"
ENTRY = (
    "  {0}:\n    name: {0}\n    available: true\n    deprecated: false\n    source: models.dev\n"
)
ACME = HEAD + ENTRY.format("m1") + ENTRY.format("m2")


@pytest.fixture
def s(settings: Settings) -> Settings:
    settings.config_path.mkdir(parents=True)
    (settings.config_path / "acme.yml").write_text(ACME)
    return settings


def o(quality: float = 5, model: str = "m1", **more: Any) -> dict[str, Any]:
    return {"provider": "acme", "model": model, "complexity": "simple", "quality": quality, **more}


def write(path: Path, *records: Any, mode: str = "w") -> Path:
    with path.open(mode) as fh:
        for r in records:
            fh.write((r if isinstance(r, str) else json.dumps(r)) + "\n")
    return path


def scores(s: Settings) -> str:
    text = (s.config_path / "acme.yml").read_text()
    return text[len(ACME) - len(ENTRY.format("m2")) :] if text.startswith(HEAD) else text


def learn(path: Path, s: Settings, **kw: Any) -> modelsync.ScoreReport:
    return modelsync.learn_file(path, settings=s, **kw)


def test_a_file_is_learned_once_then_only_its_new_lines(s: Settings, tmp_path: Path) -> None:
    log = write(tmp_path / "o.jsonl", o(5), o(3, "m2"))
    first = learn(log, s, prior_weight=0)
    assert (first.outcomes, first.already_learned) == (2, 0)
    assert [(c.model, c.new) for c in first.changes] == [("m1", 5.0), ("m2", 3.0)]
    again = learn(log, s, prior_weight=0)
    assert (again.outcomes, again.already_learned, again.changes, again.files) == (0, 2, [], [])
    assert again.render().endswith("; 2 outcome(s) already learned\n")
    write(log, o(2), mode="a")
    third = learn(log, s, prior_weight=0)
    assert (third.outcomes, third.already_learned) == (1, 2)
    assert [(c.model, c.old, c.new, c.samples) for c in third.changes] == [("m1", 5.0, 3.5, 2)]


def test_a_dry_run_learns_and_remembers_nothing(s: Settings, tmp_path: Path) -> None:
    log = write(tmp_path / "o.jsonl", o(5, id="x"))
    dry = learn(log, s, dry_run=True)
    assert dry.dry_run and dry.outcomes == 1 and dry.files == [str(s.config_path / "acme.yml")]
    assert (s.config_path / "acme.yml").read_text() == ACME
    assert not state_file(s, ".learned").exists()
    assert learn(log, s).outcomes == 1


def test_reset_learns_the_whole_file_again(s: Settings, tmp_path: Path) -> None:
    log = write(tmp_path / "o.jsonl", o(5, id="a"), o(4))
    learn(log, s)
    again = learn(log, s, reset=True, prior_weight=0)
    assert (again.outcomes, again.already_learned) == (2, 0)
    assert [(c.old, c.old_samples, c.samples) for c in again.changes] == [(3.07, 7, 9)]


def test_a_changed_file_is_read_whole_with_a_warning(
    s: Settings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    log = write(tmp_path / "o.jsonl", o(5, id="a"), o(4))
    learn(log, s)
    write(log, o(1, id="a"), o(4), o(2, id=7))  # rewritten in place: same file, other bytes
    with caplog.at_level(logging.WARNING, logger="modelsync"):
        report = learn(log, s)
    assert (report.outcomes, report.already_learned) == (2, 1)
    assert (
        f"{log} changed since it was learned: reading it whole (outcomes with an id already "
        "counted are still skipped)"
    ) in caplog.messages
    caplog.clear()
    other = write(tmp_path / "p.jsonl", o(3, id="7"), o(3, id="b"), o(3, id="b"))
    with caplog.at_level(logging.WARNING, logger="modelsync"):
        report = learn(other, s)
    assert (report.outcomes, report.already_learned) == (1, 2), "7 and '7' are one id"
    assert "changed since it was learned" not in caplog.text, "a new file is no changed one"


def test_an_empty_file_learned_before_is_not_a_changed_one(
    s: Settings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    log = write(tmp_path / "o.jsonl")
    learn(log, s)
    write(log, o(5))
    with caplog.at_level(logging.WARNING, logger="modelsync"):
        assert learn(log, s).outcomes == 1
    assert "changed since" not in caplog.text


def test_a_replaced_file_of_the_same_bytes_is_read_whole(s: Settings, tmp_path: Path) -> None:
    log = write(tmp_path / "o.jsonl", o(5), o(4))
    learn(log, s)
    os.replace(write(tmp_path / "new.jsonl", o(5), o(4)), log)  # another file, same path
    assert learn(log, s).outcomes == 2


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (True, "'id' must be a string, got True"),
        (1.5, "'id' must be a string, got 1.5"),
        ([1], "'id' must be a string, got [1]"),
        ("", "'id' must have 1 to 200 characters"),
        ("x" * 201, "'id' must have 1 to 200 characters"),
    ],
)
def test_an_id_that_is_not_one_is_refused(
    s: Settings, tmp_path: Path, value: Any, message: str
) -> None:
    log = write(tmp_path / "o.jsonl", o(5), o(4, id=value))
    with pytest.raises(modelsync.OutcomeError) as info:
        learn(log, s)
    assert str(info.value) == f"{log}:2: {message}"
    assert (s.config_path / "acme.yml").read_text() == ACME
    assert not state_file(s, ".learned").exists()


def test_ids_of_200_characters_and_numbers_are_ids(s: Settings, tmp_path: Path) -> None:
    log = write(tmp_path / "o.jsonl", o(5, id="x" * 200), o(4, id=0), o(3, id="0"))
    report = learn(log, s)
    assert (report.outcomes, report.already_learned) == (2, 1)


def test_an_unknown_model_names_its_first_line(s: Settings, tmp_path: Path) -> None:
    log = write(tmp_path / "o.jsonl", o(5), o(4, "m9"), o(3, "m9"))
    with pytest.raises(modelsync.ModelNotFound) as info:
        learn(log, s)
    assert str(info.value).startswith(f"{log}:2: no model 'm9' in ")


LEDGERS = [
    ("not json", "Expecting value"),
    ("[]", "not a ledger of this version"),
    ('{"version": 2, "files": {}, "ids": []}', "not a ledger of this version"),
    ('{"version": 1, "files": [], "ids": []}', "not a ledger of this version"),
    ('{"version": 1, "files": {}, "ids": {}}', "not a ledger of this version"),
    ('{"version": 1, "files": {}, "ids": [1]}', "not a ledger of this version"),
    ('{"version": 1, "files": {"f": []}, "ids": []}', "not a ledger of this version"),
    ('{"version": 1, "files": {"f": {"offset": "1", "digest": "d"}}, "ids": []}', "not a"),
    ('{"version": 1, "files": {"f": {"offset": 1, "digest": 1}}, "ids": []}', "not a"),
    ('{"version": 1, "files": {"f": {"offset": 1, "digest": "d", "identity": 1}}, "ids": []}',
     "not a ledger"),
]  # fmt: skip


@pytest.mark.parametrize(("ledger", "why"), LEDGERS)
def test_an_unreadable_record_of_learned_outcomes_is_one_line(
    s: Settings, tmp_path: Path, ledger: str, why: str
) -> None:
    log = write(tmp_path / "o.jsonl", o(5))
    path = state_file(s, ".learned")
    path.parent.mkdir(parents=True)
    path.write_text(ledger)
    with pytest.raises(modelsync.OutcomeError) as info:
        learn(log, s)
    message = str(info.value)
    assert message.startswith(f"{path}: the record of learned outcomes is unreadable (")
    assert why in message
    if why.startswith("not a"):
        assert "unreadable (not a ledger of this version);" in message
    assert message.endswith(
        "); nothing was learned. Remove it, or pass --reset (reset=True), to learn the file "
        "again in full"
    )
    assert (s.config_path / "acme.yml").read_text() == ACME


@pytest.mark.parametrize(("ledger", "why"), LEDGERS[:2])
def test_reset_learns_again_over_an_unreadable_record(
    s: Settings, tmp_path: Path, ledger: str, why: str
) -> None:
    """The refusal's advice works: ``reset`` starts a new record."""
    log = write(tmp_path / "o.jsonl", o(5))
    path = state_file(s, ".learned")
    path.parent.mkdir(parents=True)
    path.write_text(ledger)
    assert learn(log, s, reset=True).outcomes == 1
    assert learn(log, s).already_learned == 1


def test_a_record_that_cannot_be_saved_is_a_warning(
    s: Settings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    log = write(tmp_path / "o.jsonl", o(5))
    ledger = state_file(s, ".learned")
    ledger.parent.mkdir(parents=True)
    ledger.symlink_to(tmp_path / "nowhere")  # read as no record; never written through
    with caplog.at_level(logging.WARNING, logger="modelsync"):
        report = learn(log, s)
    assert report.outcomes == 1 and report.changes
    assert f"could not save what was learned in {state_file(s, '.learned')} (" in caplog.text
    assert "running the same file again would count its outcomes again" in caplog.text


def test_the_record_is_kept_with_the_sync_state(s: Settings, tmp_path: Path) -> None:
    log = write(tmp_path / "o.jsonl", o(5, id="b"), o(4, id="a"))
    learn(log, s)
    data = json.loads(state_file(s, ".learned").read_bytes())
    assert data["version"] == 1 and data["ids"] == ["a", "b"]
    (entry,) = data["files"].values()
    assert entry["offset"] == log.stat().st_size


def test_an_id_counted_before_is_logged_with_its_line(
    s: Settings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    log = write(tmp_path / "o.jsonl", o(5, id="a"), o(4, id="a"))
    with caplog.at_level(logging.INFO, logger="modelsync"):
        report = learn(log, s)
    assert (report.outcomes, report.already_learned) == (1, 1)
    assert f"{log}:2: outcome id 'a' already counted" in caplog.messages
