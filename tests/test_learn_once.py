"""Learning from an outcomes file counts each outcome once, and the file is read within
bounds: a second run changes nothing, an appended file learns its new lines, `--reset`
relearns, an `id` counts once across files; /dev/zero, a FIFO with no writer, deep
nesting, a huge line and a repeated key end in one line naming the file."""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

import modelsync
from modelsync.use.scorefile import SAMPLES_KEY, SCORE_KEY

from .conftest import ROOT, run_cli
from .routing_fixture import write_fixture


def outcome(quality: float, **more: Any) -> dict[str, Any]:
    return {
        "provider": "acme",
        "model": "acme-mid",
        "complexity": "complex",
        "quality": quality,
        **more,
    }


def append(path: Path, *records: Any) -> Path:
    with path.open("a") as fh:
        for r in records:
            fh.write((r if isinstance(r, str) else json.dumps(r)) + "\n")
    return path


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    write_fixture(tmp_path / "config" / "models")
    shutil.copy(ROOT / "tasks.py", tmp_path)
    return tmp_path


def kw(repo: Path) -> dict[str, str]:
    return {"config_dir": str(repo / "config" / "models"), "cache_dir": str(repo / "cache")}


def score(repo: Path) -> tuple[float, float]:
    entry = modelsync.load_catalog(**kw(repo)).get("acme", "acme-mid").extra
    return entry[SCORE_KEY]["complex"], entry[SAMPLES_KEY]["complex"]


def test_the_same_file_twice_changes_nothing(repo: Path) -> None:
    log = append(repo / "outcomes.jsonl", outcome(5), outcome(3))
    first = modelsync.learn_file(log, **kw(repo))
    assert first.outcomes == 2 and score(repo) == (4.0, 7)  # (4 x 5 + 8) / 7
    before = (repo / "config" / "models" / "acme.yml").read_bytes()
    again = modelsync.learn_file(log, **kw(repo))
    assert again.outcomes == 0 and again.changes == [] and again.already_learned == 2
    assert (repo / "config" / "models" / "acme.yml").read_bytes() == before


def test_an_appended_file_learns_only_its_new_lines(repo: Path) -> None:
    log = append(repo / "outcomes.jsonl", outcome(5), outcome(3))
    modelsync.learn_file(log, **kw(repo))
    append(log, outcome(0))
    report = modelsync.learn_file(log, **kw(repo))
    assert report.outcomes == 1 and report.already_learned == 2
    assert score(repo) == (3.5, 8)  # (4 x 7 + 0) / 8


@pytest.mark.slow
def test_the_command_twice_and_with_reset(repo: Path) -> None:
    append(repo / "outcomes.jsonl", outcome(5), outcome(3))
    env = {"XDG_CACHE_HOME": str(repo / "xdg")}
    first = run_cli("scores", "--from", "outcomes.jsonl", cwd=repo, env=env)
    assert first.returncode == 0, first.stderr
    assert "4 -> 4 (samples prior -> 7" in first.stdout
    second = run_cli("scores", "--from", "outcomes.jsonl", "--json", cwd=repo, env=env)
    doc = json.loads(second.stdout)
    assert doc["outcomes"] == 0 and doc["changes"] == [] and doc["already_learned"] == 2
    reset = run_cli("scores", "--from", "outcomes.jsonl", "--reset", "--json", cwd=repo, env=env)
    assert json.loads(reset.stdout)["outcomes"] == 2


def test_a_rewritten_file_is_read_whole_and_ids_still_count_once(repo: Path) -> None:
    log = append(repo / "outcomes.jsonl", outcome(5, id="a"), outcome(3, id="b"))
    modelsync.learn_file(log, **kw(repo))
    log.write_text("")
    append(log, outcome(1, id="a"), outcome(0, id="c"))  # rotated: "a" was counted
    report = modelsync.learn_file(log, **kw(repo))
    assert report.outcomes == 1 and report.already_learned == 1
    other = append(repo / "more.jsonl", outcome(2, id="b"), outcome(2, id="b"), outcome(4))
    report = modelsync.learn_file(other, **kw(repo))
    assert report.outcomes == 1  # "b" counted in the first file, and once only here


def test_unknown_keys_are_a_warning_naming_them(
    repo: Path, caplog: pytest.LogCaptureFixture
) -> None:
    log = append(repo / "outcomes.jsonl", outcome(5, qualty=4, weight=2))
    with caplog.at_level(logging.WARNING):
        modelsync.learn_file(log, **kw(repo))
    text = caplog.text
    assert "outcomes.jsonl:1: unknown key(s) 'qualty', 'weight' ignored" in text
    assert "did you mean 'quality'" in text


def test_a_dry_run_remembers_nothing(repo: Path) -> None:
    log = append(repo / "outcomes.jsonl", outcome(5))
    modelsync.learn_file(log, dry_run=True, **kw(repo))
    assert modelsync.learn_file(log, **kw(repo)).outcomes == 1


# --- bounded reading ---------------------------------------------------------------------


def scores(repo: Path, source: str, **env: str) -> Any:
    started = time.monotonic()
    result = run_cli(
        "scores", "--from", source, cwd=repo,
        env={"XDG_CACHE_HOME": str(repo / "xdg"), **env}, timeout=60,
    )  # fmt: skip
    result.elapsed = time.monotonic() - started  # type: ignore[attr-defined]
    assert "Traceback" not in result.stderr, result.stderr
    assert "MemoryError" not in result.stderr and "RecursionError" not in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.returncode == 1
    return result


def test_dev_zero_is_refused(repo: Path) -> None:
    result = scores(repo, "/dev/zero")
    assert "/dev/zero: is a device or special file" in result.stderr


def test_a_fifo_without_a_writer_ends_within_the_deadline(repo: Path) -> None:
    fifo = repo / "outcomes.fifo"
    os.mkfifo(fifo)
    result = scores(repo, str(fifo), INVOKE_MODELSYNC_FETCH_DEADLINE="1")
    assert result.elapsed < 15
    assert "outcomes.fifo: nothing more to read within 1 s (modelsync.fetch_deadline)" in (
        result.stderr
    )


def test_deep_nesting_is_refused(repo: Path) -> None:
    append(repo / "deep.jsonl", outcome(5), "[" * 10_000 + "]" * 10_000)
    result = scores(repo, "deep.jsonl")
    assert "deep.jsonl:2: nested deeper than 32 levels" in result.stderr


def test_a_huge_line_is_refused_without_reading_it_whole(repo: Path) -> None:
    path = repo / "huge.jsonl"
    with path.open("wb") as fh:
        fh.write(json.dumps(outcome(5)).encode() + b"\n")
        fh.write(b'{"provider": "' + b"x" * (40 * 1024 * 1024) + b'"}\n')
    result = scores(repo, "huge.jsonl")
    assert "huge.jsonl:2: the line is longer than 65,536 bytes" in result.stderr


def test_a_file_over_max_response_bytes_is_refused(repo: Path) -> None:
    append(repo / "big.jsonl", *[outcome(5)] * 100)
    result = scores(repo, "big.jsonl", INVOKE_MODELSYNC_MAX_RESPONSE_BYTES="2000")
    assert "exceed the limit of 2,000 bytes (modelsync.max_response_bytes)" in result.stderr


def test_a_repeated_key_is_an_error_naming_file_and_line(repo: Path) -> None:
    append(
        repo / "dup.jsonl",
        outcome(5),
        '{"provider": "acme", "model": "acme-mid", "complexity": "complex", '
        '"quality": 0, "quality": 5}',
    )
    result = scores(repo, "dup.jsonl")
    assert "dup.jsonl:2: the key 'quality' is repeated" in result.stderr
    assert "task_complexity_samples" not in (repo / "config" / "models" / "acme.yml").read_text()
