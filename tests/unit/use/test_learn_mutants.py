"""Learned and recorded scores, exactly: the bytes written into a provider file, the score
report's entries and lines, and the one line of each refusal (nothing written)."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

import pytest

import modelsync
from modelsync.use.learn import Outcome, ScoreChange, ScoreReport
from modelsync.util.fsutil import directory_lock

from ...conftest import files_snapshot

HEAD = "provider: acme\nname: Acme\nmodels:\n"


def _entry(model: str, extra: str = "") -> str:
    return (
        f"  {model}:\n"
        f"    name: {model.upper()}\n"
        "    available: true\n"
        "    deprecated: false\n"
        "    source: models.dev\n"
        f"{extra}"
    )


ACME = HEAD + _entry("m1") + _entry("m2", "    task_complexity_score: {simple: 4.0}\n")
BETA = "provider: beta\nname: Beta\nmodels:\n" + _entry("b1")


@pytest.fixture
def cfg(tmp_path: Path) -> Path:
    d = tmp_path / "cfg"
    d.mkdir()
    (d / "acme.yml").write_text(ACME)
    (d / "beta.yml").write_text(BETA)
    return d


def learn(cfg: Path, outcomes: list[Any], **kw: Any) -> ScoreReport:
    return modelsync.learn_scores(outcomes, config_dir=str(cfg), **kw)


def o(model: str = "m1", complexity: str = "simple", provider: str = "acme", **q: Any) -> Any:
    return {"provider": provider, "model": model, "complexity": complexity, **(q or {"quality": 5})}


# --- the bytes written ------------------------------------------------------------------


def test_a_first_score_and_its_samples_are_written(cfg: Path) -> None:
    report = learn(cfg, [o(quality=5), o(quality=4)])
    assert (cfg / "acme.yml").read_text() == HEAD + _entry(
        "m1",
        "    task_complexity_score: {simple: 3.07}\n    task_complexity_samples: {simple: 7}\n",
    ) + _entry("m2", "    task_complexity_score: {simple: 4.0}\n")
    assert (cfg / "beta.yml").read_text() == BETA
    assert report.files == [str(cfg / "acme.yml")]
    assert report.to_json() == {
        "ok": True,
        "dry_run": False,
        "outcomes": 2,
        "already_learned": 0,
        "files": [str(cfg / "acme.yml")],
        "changes": [
            {
                "provider": "acme",
                "model": "m1",
                "complexity": "simple",
                "old": None,
                "new": 3.07,  # (2.5 x 5 + 5 + 4) / 7 = 3.0714...
                "old_samples": None,
                "samples": 7,
                "outcomes": 2,
            }
        ],
    }


def test_the_old_score_weighs_its_samples(cfg: Path) -> None:
    (cfg / "acme.yml").write_text(
        ACME.replace(
            "{simple: 4.0}\n", "{simple: 4.0}\n    task_complexity_samples: {simple: 2.5}\n"
        )
    )
    report = learn(cfg, [o("m2", success=False)], prior_weight=100)
    text = (cfg / "acme.yml").read_text()
    assert "    task_complexity_score: {simple: 2.86}\n" in text  # 4 x 2.5 / 3.5 = 2.857...
    assert "    task_complexity_samples: {simple: 3.5}\n" in text
    (c,) = report.changes
    assert (c.old, c.new, c.old_samples, c.samples, c.outcomes) == (4.0, 2.86, 2.5, 3.5, 1)


@pytest.mark.parametrize(
    ("qualities", "prior", "expected"),
    [
        ([2.0, 2.25], 0, "2.12"),  # 2.125: half to even, down
        ([2.0, 2.35], 0, "2.18"),  # 2.175: half to even, up
        ([1.0, 2.0, 4.0], 0, "2.33"),
        ([5.0], 0, "5.0"),
    ],
)
def test_scores_are_rounded_to_two_decimals_half_to_even(
    cfg: Path, qualities: list[float], prior: float, expected: str
) -> None:
    learn(cfg, [o(quality=q) for q in qualities], prior_weight=prior)
    samples = len(qualities)
    assert (
        f"    task_complexity_score: {{simple: {expected}}}\n"
        f"    task_complexity_samples: {{simple: {samples}}}\n"
    ) in (cfg / "acme.yml").read_text()


def test_success_counts_as_five_and_failure_as_zero(cfg: Path) -> None:
    report = learn(cfg, [o(success=True), o("m2", success=False)], prior_weight=0)
    assert [(c.model, c.new) for c in report.changes] == [("m1", 5.0), ("m2", 0.0)]


def test_each_provider_model_and_complexity_is_its_own_mean(cfg: Path) -> None:
    outcomes = [
        o("m2", "complex", quality=1),
        o("b1", provider="beta", quality=0),
        o("m1", "medium", quality=3),
        o("m1", "simple", quality=4),
        o("m1", "medium", quality=5),
    ]
    report = learn(cfg, outcomes, prior_weight=1)
    assert [(c.provider, c.model, c.complexity, c.new, c.samples, c.outcomes) for c in
            report.changes] == [
        ("acme", "m1", "medium", 3.5, 3, 2),
        ("acme", "m1", "simple", 3.25, 2, 1),
        ("acme", "m2", "complex", 1.75, 2, 1),
        ("beta", "b1", "simple", 1.25, 2, 1),
    ]  # fmt: skip
    assert report.files == [str(cfg / "acme.yml"), str(cfg / "beta.yml")]
    assert report.outcomes == 5
    text = (cfg / "acme.yml").read_text()
    assert "    task_complexity_samples: {medium: 3, simple: 2}\n" in text


def test_outcome_objects_are_taken_as_they_are(cfg: Path) -> None:
    report = learn(cfg, [Outcome("acme", "m1", "simple", 1.0)], prior_weight=0)
    assert [(c.model, c.new) for c in report.changes] == [("m1", 1.0)]


def test_a_dry_run_reports_and_writes_nothing(cfg: Path) -> None:
    before = files_snapshot(cfg)
    report = learn(cfg, [o(quality=5)], dry_run=True)
    assert files_snapshot(cfg) == before
    assert report.dry_run and report.files == [str(cfg / "acme.yml")]
    assert report.render().endswith("; would change 1 file (dry run)\n")


def test_a_dry_run_does_not_wait_for_a_running_sync(cfg: Path) -> None:
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with directory_lock(cfg, 5):
            held.set()
            release.wait(5)

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert held.wait(5)
        report = learn(cfg, [o()], dry_run=True, lock_timeout=0.2)
        assert [c.new for c in report.changes] == [2.92]
        with pytest.raises(modelsync.LockError):
            learn(cfg, [o()], lock_timeout=0.2)
    finally:
        release.set()
        thread.join()


# --- the report's lines -----------------------------------------------------------------


def _change(**kw: Any) -> ScoreChange:
    base: dict[str, Any] = {
        "provider": "acme",
        "model": "m1",
        "complexity": "simple",
        "old": 4.0,
        "new": 3.5,
        "old_samples": 6.0,
        "samples": 7.0,
        "outcomes": 1,
    }
    return ScoreChange(**{**base, **kw})


def test_the_report_in_words() -> None:
    report = ScoreReport(
        changes=[_change(), _change(model="m2", old=None, old_samples=None, samples=6.5)],
        files=["a.yml", "b.yml"],
        outcomes=3,
    )
    assert report.render() == (
        "acme/m1 simple: 4 -> 3.5 (samples 6 -> 7, 1 outcome(s))\n"
        "acme/m2 simple: none -> 3.5 (samples prior -> 6.5, 1 outcome(s))\n"
        "2 score(s) from 3 outcome(s); changed 2 files\n"
    )
    again = ScoreReport(outcomes=4, already_learned=4, files=[])
    assert again.render() == (
        "0 score(s) from 4 outcome(s); changed 0 files; 4 outcome(s) already learned\n"
    )
    one = ScoreReport(files=["a.yml"], dry_run=True)
    assert one.render() == "0 score(s) from 0 outcome(s); would change 1 file (dry run)\n"
    assert one.to_json()["dry_run"] is True and again.to_json()["already_learned"] == 4


# --- refusals ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ([1], "outcome 2: expected an object, got list"),
        ({"model": "m1", "complexity": "simple", "quality": 1},
         "outcome 2: 'provider' must be a non-empty string"),
        ({"provider": "acme", "model": "", "complexity": "simple", "quality": 1},
         "outcome 2: 'model' must be a non-empty string"),
        ({"provider": "acme", "model": "m1", "complexity": 3, "quality": 1},
         "outcome 2: 'complexity' must be a non-empty string"),
        (o(complexity="simpel"),
         "outcome 2: complexity 'simpel' is not one of simple, medium, complex "
         "(modelsync.route_thresholds); did you mean 'simple'?"),
        (o(complexity="hard"),
         "outcome 2: complexity 'hard' is not one of simple, medium, complex "
         "(modelsync.route_thresholds)"),
        (o(quality=1, success=True),
         "outcome 2: give either 'quality' (0-5) or 'success' (true/false)"),
        ({"provider": "acme", "model": "m1", "complexity": "simple"},
         "outcome 2: give either 'quality' (0-5) or 'success' (true/false)"),
        (o(success=1), "outcome 2: 'success' must be true or false, got 1"),
        (o(quality=True), "outcome 2: 'quality': expected a number from 0 to 5, got True"),
        (o(quality="5"), "outcome 2: 'quality': expected a number from 0 to 5, got '5'"),
        (o(quality=5.01), "outcome 2: 'quality': 5.01 is outside the score scale 0-5"),
        (o(quality=-0.01), "outcome 2: 'quality': -0.01 is outside the score scale 0-5"),
        (o(quality=float("nan")), "outcome 2: 'quality': nan is outside the score scale 0-5"),
        (o(quality=float("inf")), "outcome 2: 'quality': inf is outside the score scale 0-5"),
        (o("m3"), "outcome 2: no model 'm3' in "),
        (o(provider="acne"), "outcome 2: no provider 'acne' in "),
    ],
)  # fmt: skip
def test_a_bad_outcome_is_named_and_nothing_is_written(
    cfg: Path, record: Any, message: str
) -> None:
    before = files_snapshot(cfg)
    with pytest.raises(modelsync.ModelsyncError) as info:
        learn(cfg, [o("m2", quality=1), record, o(quality=2)])
    assert str(info.value).startswith(message), str(info.value)
    assert files_snapshot(cfg) == before


def test_an_unknown_provider_or_model_names_the_close_ones(cfg: Path) -> None:
    with pytest.raises(modelsync.ProviderNotFound) as p:
        learn(cfg, [o(provider="acmee")])
    assert str(p.value) == f"outcome 1: no provider 'acmee' in {cfg}; did you mean 'acme'?"
    with pytest.raises(modelsync.ModelNotFound) as m:
        learn(cfg, [o("m11")])
    assert str(m.value) == f"outcome 1: no model 'm11' in {cfg / 'acme.yml'}; did you mean 'm1'?"
    with pytest.raises(modelsync.ModelNotFound) as plain:
        learn(cfg, [Outcome("acme", "m11", "simple", 1.0)])
    assert str(plain.value).startswith("no model 'm11' in ")
    with pytest.raises(modelsync.ProviderNotFound) as plain_p:
        learn(cfg, [Outcome("acmee", "m1", "simple", 1.0)])
    assert str(plain_p.value).startswith("no provider 'acmee' in ")


@pytest.mark.parametrize("weight", [-1, True, float("inf"), float("nan"), "5"])
def test_a_prior_weight_that_is_not_a_count_is_refused(cfg: Path, weight: Any) -> None:
    with pytest.raises(modelsync.UsageError) as info:
        learn(cfg, [o()], prior_weight=weight)
    assert str(info.value) == f"prior_weight {weight!r}: expected a number >= 0"
    assert (cfg / "acme.yml").read_text() == ACME


@pytest.mark.parametrize(
    ("key", "value", "what"),
    [
        ("task_complexity_score", "5.5", "5.5, not a score from 0 to 5"),
        ("task_complexity_score", "-1", "-1, not a score from 0 to 5"),
        ("task_complexity_score", "true", "True, not a score from 0 to 5"),
        ("task_complexity_score", ".nan", "nan, not a score from 0 to 5"),
        ("task_complexity_samples", "-1", "-1, not a sample count >= 0"),
        ("task_complexity_samples", ".inf", "inf, not a sample count >= 0"),
        ("task_complexity_samples", "many", "'many', not a sample count >= 0"),
    ],
)
def test_a_value_in_the_file_that_is_not_a_score_is_never_overwritten(
    cfg: Path, key: str, value: str, what: str
) -> None:
    text = HEAD + _entry("m1", f"    {key}:\n      simple: {value}\n")
    (cfg / "acme.yml").write_text(text)
    with pytest.raises(modelsync.ConfigError) as info:
        learn(cfg, [o()])
    assert str(info.value) == (
        f"{cfg / 'acme.yml'}:10: models.m1.{key}.simple is {what}; fix it by hand first "
        "(nothing was written)"
    )
    assert (cfg / "acme.yml").read_text() == text


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("task_complexity_score", "0"),
        ("task_complexity_score", "5"),
        ("task_complexity_samples", "0"),
        ("task_complexity_samples", "1000000"),
    ],
)
def test_values_at_the_edges_of_the_scale_are_learned_from(cfg: Path, key: str, value: str) -> None:
    (cfg / "acme.yml").write_text(HEAD + _entry("m1", f"    {key}:\n      simple: {value}\n"))
    (change,) = learn(cfg, [o(quality=5)]).changes
    assert (change.old if key == "task_complexity_score" else change.old_samples) == float(value)


def test_a_config_dir_that_is_missing_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(modelsync.UsageError, match="missing: config directory does not exist"):
        learn(tmp_path / "missing", [o()])
    with pytest.raises(modelsync.UsageError, match="missing: config directory does not exist"):
        learn(tmp_path / "missing", [o()], dry_run=True)
    assert not (tmp_path / "missing").exists()


# --- record_scores ----------------------------------------------------------------------


def test_record_scores_writes_the_scores_only(cfg: Path) -> None:
    modelsync.record_scores("acme", "m1", {"complex": 4.25, "simple": 0}, config_dir=str(cfg))
    assert (cfg / "acme.yml").read_text() == HEAD + _entry(
        "m1", "    task_complexity_score: {complex: 4.25, simple: 0.0}\n"
    ) + _entry("m2", "    task_complexity_score: {simple: 4.0}\n")


def test_record_scores_of_the_same_value_leaves_the_file_alone(cfg: Path) -> None:
    path = cfg / "acme.yml"
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    inode = path.stat().st_ino
    modelsync.record_scores("acme", "m2", {"simple": 4.0}, config_dir=str(cfg))
    assert path.read_text() == ACME
    assert (path.stat().st_ino, path.stat().st_mtime_ns) == (inode, 1_000_000_000)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("acme", "m1", {}), "record_scores: no scores given"),
        (("acme", "m1", {"hard": 1}),
         "record_scores: complexity 'hard' is not one of simple, medium, complex"),
        (("acme", "m1", {"simple": 6}), "score for simple: 6 is outside the score scale 0-5"),
        (("acme", "m1", {"simple": "high"}),
         "score for simple: expected a number from 0 to 5, got 'high'"),
        (("acme", "m9", {"simple": 1}), "no model 'm9' in "),
        (("acne", "m1", {"simple": 1}), "no provider 'acne' in "),
    ],
)  # fmt: skip
def test_record_scores_refusals(cfg: Path, args: tuple[Any, ...], message: str) -> None:
    with pytest.raises(modelsync.ModelsyncError) as info:
        modelsync.record_scores(*args, config_dir=str(cfg))
    assert str(info.value).startswith(message), str(info.value)
    assert (cfg / "acme.yml").read_text() == ACME


def test_record_scores_waits_for_the_lock(cfg: Path) -> None:
    with directory_lock(cfg, 5), pytest.raises(modelsync.LockError):
        modelsync.record_scores("acme", "m1", {"simple": 1}, config_dir=str(cfg), lock_timeout=0.2)
    assert (cfg / "acme.yml").read_text() == ACME


def test_outcomes_from_a_file_name_their_line(cfg: Path, tmp_path: Path) -> None:
    from modelsync.use.learn import read_outcomes

    path = tmp_path / "o.jsonl"
    path.write_text(json.dumps(o()) + "\n\n" + json.dumps(o(quality=9)) + "\n")
    complexities = {"simple": 0.3, "medium": 0.6, "complex": 1.0}
    with pytest.raises(modelsync.OutcomeError) as info:
        read_outcomes(path, complexities)
    assert str(info.value) == f"{path}:3: 'quality': 9 is outside the score scale 0-5"
    path.write_text(json.dumps(o()) + "\n")
    assert read_outcomes(path, complexities) == [Outcome("acme", "m1", "simple", 5.0, f"{path}:1")]


def test_a_settings_object_and_the_user_keys_it_lists(cfg: Path, tmp_path: Path) -> None:
    from modelsync.settings import make_settings

    text = HEAD + _entry("m1", "    owner: search\n")
    (cfg / "acme.yml").write_text(text)
    s = make_settings(config_dir=str(cfg), cache_dir=str(tmp_path / "cache"), user_keys=("owner",))
    report = modelsync.learn_scores([o(quality=5)], settings=s, prior_weight=0)
    assert [c.new for c in report.changes] == [5.0]
    modelsync.record_scores("acme", "m1", {"complex": 1}, settings=s)
    assert "    owner: search\n" in (cfg / "acme.yml").read_text()
    assert "complex: 1.0" in (cfg / "acme.yml").read_text()


def test_scores_that_are_not_a_mapping_are_refused(cfg: Path) -> None:
    text = HEAD + _entry("m1", "    task_complexity_score: 4\n")
    (cfg / "acme.yml").write_text(text)
    for call in (
        lambda: modelsync.record_scores("acme", "m1", {"simple": 1}, config_dir=str(cfg)),
        lambda: learn(cfg, [o()]),
    ):
        with pytest.raises(modelsync.ConfigError) as info:
            call()
        assert str(info.value).startswith(
            f"{cfg / 'acme.yml'}:9: models.m1.task_complexity_score is not a mapping"
        )
        assert info.value.path == str(cfg / "acme.yml")
    assert (cfg / "acme.yml").read_text() == text


def test_a_bad_value_in_the_file_names_the_file_in_the_error(cfg: Path) -> None:
    (cfg / "acme.yml").write_text(HEAD + _entry("m1", "    task_complexity_score: {simple: 9}\n"))
    with pytest.raises(modelsync.ConfigError) as info:
        learn(cfg, [o()])
    assert info.value.path == str(cfg / "acme.yml")
