"""Learned scores: the weighted mean, the writes (comments and layout kept, atomic,
validated, locked), `invoke scores`, and the round trip through the syncs around them."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest

import modelsync
from modelsync import yamlio
from modelsync.model.catalog import MODEL_FIELDS
from modelsync.use.learn import learned
from modelsync.util.fsutil import directory_lock

from ...conftest import catalog, files_snapshot, run_cli, write_catalog

# --- the weighted mean ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "samples", "qualities", "prior", "expected"),
    [
        (None, None, [5.0], 5, (2.92, 6)),  # (2.5 x 5 + 5) / 6 = 2.9166...
        (4.2, None, [3.0, 5.0], 5, (4.14, 7)),  # (4.2 x 5 + 8) / 7 = 4.1428...
        (4.0, 10, [2.0], 5, (3.82, 11)),  # the samples, not the prior: 42 / 11
        (None, None, [1.0, 4.0], 0, (2.5, 2)),  # no prior weight: the plain mean
        (3.0, 2.5, [0.0], 5, (2.14, 3.5)),  # 7.5 / 3.5; fractional weights stay
        (1.0, 3, [2.0], 5, (1.25, 4)),  # 5 / 4 = 1.25 exactly
    ],
)
def test_the_new_score_is_the_weighted_mean(
    old: float | None,
    samples: float | None,
    qualities: list[float],
    prior: float,
    expected: tuple[float, float],
) -> None:
    assert learned(old, samples, qualities, prior) == expected


# --- files ------------------------------------------------------------------------------

OLD, NEW = "2026-03-18", "2026-05-21"


def sync(tmp_path: Path, date: str) -> modelsync.SyncReport:
    source = write_catalog(tmp_path / f"api-{date}.json", {"anthropic": catalog(date)["anthropic"]})
    return modelsync.sync_to_configs(
        source=source, config_dir=str(tmp_path / "cfg"), cache_dir=str(tmp_path / "cache")
    )


def annotate(text: str) -> str:
    """What a team writes into a synced file: comments, a default, notes and scores."""
    lines = text.splitlines(keepends=True)

    def after_source(model: str, added: str) -> None:
        start = lines.index(f"  {model}:\n")
        end = lines.index("    source: models.dev\n", start)
        lines.insert(end + 1, added)

    after_source("claude-opus-4-6", "    notes: our workhorse   # since March\n")
    after_source(
        "claude-sonnet-4-5",
        "    task_complexity_score:\n"
        "      simple: 2.0    # set by hand\n"
        "      complex: 3.5\n"
        "  # Models below are only for experiments.\n",
    )
    out = "".join(lines)
    head = "# Team file: ask #platform before editing.\nprovider: anthropic\n"
    out = out.replace("provider: anthropic\n", head + "default_model: claude-sonnet-4-5   # ours\n")
    opus = "  # Opus: expensive, use for complex tasks only\n  claude-opus-4-6:\n"
    return out.replace("  claude-opus-4-6:\n", opus)


SONNET = {"provider": "anthropic", "model": "claude-sonnet-4-5"}
OPUS = {"provider": "anthropic", "model": "claude-opus-4-6"}
OUTCOMES: list[dict[str, Any]] = [
    {**SONNET, "complexity": "complex", "quality": 5},
    {**SONNET, "complexity": "complex", "success": False},
    {**OPUS, "complexity": "complex", "success": True},
    {**OPUS, "complexity": "complex", "quality": 4.5},
    {**SONNET, "complexity": "simple", "quality": 3},
]


@pytest.fixture
def annotated(tmp_path: Path) -> Path:
    sync(tmp_path, OLD)
    path = tmp_path / "cfg" / "anthropic.yml"
    path.write_text(annotate(path.read_text()))
    assert modelsync.validate_configs(config_dir=str(tmp_path / "cfg"), use_cache=False).ok
    return path


def comment_lines(text: str) -> list[str]:
    """The comments of a file, in order."""
    return [line[line.index("#") :] for line in text.splitlines() if "#" in line]


def entry(path: Path, model: str) -> dict[str, Any]:
    doc = yamlio.load(path.read_bytes())
    value: dict[str, Any] = doc["models"][model]
    return value


def test_learning_writes_both_keys_and_only_them(annotated: Path, tmp_path: Path) -> None:
    before = annotated.read_text()
    report = modelsync.learn_scores(OUTCOMES, config_dir=str(tmp_path / "cfg"))
    after = annotated.read_text()
    added = set(after.splitlines()) - set(before.splitlines())
    assert added == {
        "    task_complexity_score: {complex: 3.14}",  # opus: (2.5 x 5 + 5 + 4.5) / 7
        "    task_complexity_samples: {complex: 7}",
        "      simple: 2.17    # set by hand",  # sonnet: (2.0 x 5 + 3) / 6
        "      complex: 3.21",  # sonnet: (3.5 x 5 + 5 + 0) / 7
        "    task_complexity_samples: {complex: 7, simple: 6}",
    }
    assert len(after.splitlines()) == len(before.splitlines()) + 3
    sonnet = entry(annotated, "claude-sonnet-4-5")
    assert sonnet["task_complexity_score"] == {"simple": 2.17, "complex": 3.21}
    assert sonnet["task_complexity_samples"] == {"complex": 7, "simple": 6}
    assert entry(annotated, "claude-opus-4-6")["notes"] == "our workhorse"
    assert comment_lines(after) == comment_lines(before)
    changes = [(c.model, c.complexity, c.old, c.new, c.samples, c.outcomes) for c in report.changes]
    assert changes == [
        ("claude-opus-4-6", "complex", None, 3.14, 7, 2),
        ("claude-sonnet-4-5", "complex", 3.5, 3.21, 7, 2),
        ("claude-sonnet-4-5", "simple", 2.0, 2.17, 6, 1),
    ]  # fmt: skip
    assert report.files == [str(annotated)] and report.outcomes == 5


@pytest.mark.slow
def test_a_sync_after_learning_keeps_every_learned_value(annotated: Path, tmp_path: Path) -> None:
    modelsync.learn_scores(OUTCOMES, config_dir=str(tmp_path / "cfg"))
    learned_text = annotated.read_text()
    learned_doc = yamlio.load(learned_text)
    report = sync(tmp_path, NEW)
    assert str(annotated) in report.changed_files, "the drift changed claude-opus-4-6"
    text = annotated.read_text()
    doc = yamlio.load(text)
    opus = doc["models"]["claude-opus-4-6"]
    assert opus["pricing"]["modes"]["fast"]["input"] == 30.0, "the sync did its work"
    for model, old in learned_doc["models"].items():
        for key in ("task_complexity_score", "task_complexity_samples", "notes"):
            if key in old:
                assert doc["models"][model][key] == old[key], (model, key)
    assert comment_lines(text) == comment_lines(learned_text)
    assert doc["default_model"] == "claude-sonnet-4-5"
    assert modelsync.validate_configs(config_dir=str(tmp_path / "cfg"), use_cache=False).ok
    again = sync(tmp_path, NEW)
    assert not again.changed_files, "a second sync is a no-op"


@pytest.mark.slow
def test_learning_after_a_sync_never_touches_a_synced_field(tmp_path: Path) -> None:
    sync(tmp_path, NEW)
    path = tmp_path / "cfg" / "anthropic.yml"
    before_text = path.read_text()
    before = yamlio.load(before_text)
    modelsync.learn_scores(OUTCOMES, config_dir=str(tmp_path / "cfg"))
    after_text = path.read_text()
    after = yamlio.load(after_text)
    assert after_text == yamlio.dump(after), "a canonical file stays canonical"
    for model_id, old in before["models"].items():
        new = after["models"][model_id]
        assert {k: new[k] for k in MODEL_FIELDS if k in new} == {
            k: old[k] for k in MODEL_FIELDS if k in old
        }
        assert set(new) - set(old) <= {"task_complexity_score", "task_complexity_samples"}
    assert {k: v for k, v in after.items() if k != "models"} == {
        k: v for k, v in before.items() if k != "models"
    }
    assert not sync(tmp_path, NEW).changed_files, "the next sync keeps the learned keys"
    assert path.read_text() == after_text


# --- record_scores ----------------------------------------------------------------------


def test_record_scores_sets_entries_and_keeps_the_rest(annotated: Path, tmp_path: Path) -> None:
    before = annotated.read_text()
    cfg = str(tmp_path / "cfg")
    modelsync.record_scores(
        "anthropic", "claude-sonnet-4-5", {"complex": 4.25, "medium": 3}, config_dir=cfg
    )
    after = annotated.read_text()
    assert "      complex: 4.25\n      medium: 3.0\n  # Models below are only" in after
    assert "      simple: 2.0    # set by hand\n" in after
    assert comment_lines(after) == comment_lines(before)
    assert "task_complexity_samples" not in after


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        (("anthropic", "claude-sonnet-4-5", {"complex": 5.5}), modelsync.UsageError, "outside"),
        (("anthropic", "claude-sonnet-4-5", {"complex": True}), modelsync.UsageError, "number"),
        (("anthropic", "claude-sonnet-4-5", {"compelx": 1}), modelsync.UsageError, "'complex'"),
        (("anthropic", "claude-sonet-4-5", {"complex": 1}), modelsync.ModelNotFound, "sonnet"),
        (("antropic", "claude-sonnet-4-5", {"complex": 1}), modelsync.ProviderNotFound, "mean"),
    ],
)
def test_record_scores_refuses_what_is_wrong(
    annotated: Path, tmp_path: Path, args: tuple[Any, ...], error: type, message: str
) -> None:
    before = files_snapshot(tmp_path / "cfg")
    with pytest.raises(error, match=message):
        modelsync.record_scores(*args, config_dir=str(tmp_path / "cfg"))
    assert files_snapshot(tmp_path / "cfg") == before


def test_a_value_that_is_not_a_score_is_never_overwritten(annotated: Path, tmp_path: Path) -> None:
    annotated.write_text(annotated.read_text().replace("complex: 3.5", "complex: high"))
    before = files_snapshot(tmp_path / "cfg")
    with pytest.raises(modelsync.ConfigError, match=r"anthropic.yml:\d+: .*'high', not a score"):
        modelsync.learn_scores(OUTCOMES, config_dir=str(tmp_path / "cfg"))
    assert files_snapshot(tmp_path / "cfg") == before


def test_learning_waits_for_a_running_sync(annotated: Path, tmp_path: Path) -> None:
    cfg = tmp_path / "cfg"
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with directory_lock(cfg, 5):
            held.set()
            release.wait(5)

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        held.wait(5)
        with pytest.raises(modelsync.LockError, match="another modelsync sync is running"):
            modelsync.learn_scores(OUTCOMES, config_dir=str(cfg), lock_timeout=0.2)
    finally:
        release.set()
        thread.join()
    assert "3.21" not in annotated.read_text()


# --- invoke scores ----------------------------------------------------------------------


def write_outcomes(path: Path, records: list[Any]) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records))
    return path


@pytest.mark.slow
def test_invoke_scores_learns_from_a_jsonl_file(annotated: Path, tmp_path: Path) -> None:
    write_outcomes(tmp_path / "outcomes.jsonl", [*OUTCOMES[:2], "", OUTCOMES[2]])
    args = ("modelsync", "scores", "--config-dir", "cfg", "--from", "outcomes.jsonl")
    dry = run_cli(*args, "--dry-run", cwd=tmp_path)
    assert dry.returncode == 0, dry.stderr
    assert "anthropic/claude-sonnet-4-5 complex: 3.5 -> 3.21 (samples prior -> 7" in dry.stdout
    assert dry.stdout.rstrip().endswith("would change 1 file (dry run)")
    assert "3.21" not in annotated.read_text()
    done = run_cli(*args, "--json", cwd=tmp_path)
    doc = json.loads(done.stdout)
    assert doc["ok"] is True and doc["dry_run"] is False and doc["outcomes"] == 3
    assert doc["changes"][0] == {
        "provider": "anthropic",
        "model": "claude-opus-4-6",
        "complexity": "complex",
        "old": None,
        "new": 2.92,  # no score yet: (2.5 x 5 + 5) / 6
        "old_samples": None,
        "samples": 6,
        "outcomes": 1,
    }
    assert "3.21" in annotated.read_text()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("record", "message"),
    [
        ("{not json", "outcomes.jsonl:3: not a JSON object"),
        ("[1, 2]", "outcomes.jsonl:3: expected an object, got list"),
        ({"provider": "anthropic", "model": "claude-opus-4-6", "complexity": "complex"},
         "outcomes.jsonl:3: give either 'quality' (0-5) or 'success' (true/false)"),
        ({"provider": "anthropic", "model": "claude-opus-4-6", "complexity": "hard", "quality": 1},
         "outcomes.jsonl:3: complexity 'hard' is not one of simple, medium, complex"),
        ({"provider": "anthropic", "model": "claude-opus-4-6", "complexity": "simple",
          "quality": 9}, "outcomes.jsonl:3: 'quality': 9 is outside the score scale 0-5"),
        ({"provider": "anthropic", "model": "claude-opus-9", "complexity": "simple",
          "success": True}, "outcomes.jsonl:3: no model 'claude-opus-9' in"),
        ({"provider": "anthropix", "model": "m", "complexity": "simple", "success": True},
         "outcomes.jsonl:3: no provider 'anthropix'"),
    ],
)  # fmt: skip
def test_a_malformed_line_names_its_number_and_nothing_is_written(
    annotated: Path, tmp_path: Path, record: Any, message: str
) -> None:
    write_outcomes(tmp_path / "outcomes.jsonl", [OUTCOMES[0], OUTCOMES[2], record, OUTCOMES[4]])
    before = files_snapshot(tmp_path / "cfg")
    for extra in ((), ("--json",)):
        result = run_cli(
            "modelsync", "scores", "--config-dir", "cfg", "--from", "outcomes.jsonl", *extra,
            cwd=tmp_path,
        )  # fmt: skip
        assert result.returncode in (1, 2)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("modelsync: error: "), result.stderr
        assert message in lines[0]
        if extra:
            assert json.loads(result.stdout)["ok"] is False
    assert files_snapshot(tmp_path / "cfg") == before


def test_a_symlinked_provider_file_is_not_learned_into(annotated: Path, tmp_path: Path) -> None:
    real = tmp_path / "elsewhere.yml"
    real.write_bytes(annotated.read_bytes())
    annotated.unlink()
    annotated.symlink_to(real)
    with pytest.raises(modelsync.ConfigError, match=r"anthropic.yml: is a symlink"):
        modelsync.learn_scores(OUTCOMES, config_dir=str(tmp_path / "cfg"))
    assert "3.21" not in real.read_text()


def test_a_typo_in_the_samples_key_is_still_caught(annotated: Path, tmp_path: Path) -> None:
    text = annotated.read_text().replace(
        "      complex: 3.5\n", "      complex: 3.5\n    task_complexity_sampels: {complex: 3}\n"
    )
    annotated.write_text(text)
    result = modelsync.validate_configs(config_dir=str(tmp_path / "cfg"), use_cache=False)
    assert [f.message for f in result.findings] == [
        "unknown key 'task_complexity_sampels': did you mean 'task_complexity_samples'? (a key "
        "used on purpose can be listed in the user_keys setting)"
    ]
