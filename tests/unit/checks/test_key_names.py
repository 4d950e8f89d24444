"""Key names that would cost data: misspelt known keys, model ids a YAML reader takes for
something else, and pinned fields that do not exist. ``invoke validate`` reports each at
its line; a sync refuses the file (and syncs the others)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import modelsync

from ...conftest import ROOT, run_cli
from ...edgecases import HEAD, catalog, entry, model, setup, sync_text

TYPOS = (
    HEAD
    + "defualt_model: m-a\n"
    + "models:\n"
    + entry(
        "m-a",
        user=(
            "    pined: [pricing]\n"
            "    task_complexity_socre: {simple: 1.0}\n"
            "    max_output_token: 4096\n"
            "    contxt_window: 200000\n"
            "    task_complexity_score: {simple: 1.0, meduim: 2.0}\n"
            "    Notes: capital N\n"
            "    notes2: a key of our own\n"
        ),
    )
)


def test_validate_reports_misspelt_keys_with_did_you_mean_at_their_lines(
    tmp_path: Path,
) -> None:
    run = setup(tmp_path, TYPOS)
    hint = "(a key used on purpose can be listed in the user_keys setting)"
    path = run.path
    assert run.findings() == [
        f"{path}:5:1: defualt_model: unknown key 'defualt_model': did you mean "
        f"'default_model'? {hint}",
        f"{path}:18:5: models.m-a.pined: unknown key 'pined': did you mean 'pinned'? {hint}",
        f"{path}:19:5: models.m-a.task_complexity_socre: unknown key "
        f"'task_complexity_socre': did you mean 'task_complexity_score'? {hint}",
        f"{path}:20:5: models.m-a.max_output_token: unknown key 'max_output_token': did you "
        f"mean 'max_output_tokens'? {hint}",
        f"{path}:21:5: models.m-a.contxt_window: unknown key 'contxt_window': did you mean "
        f"'context_window'? {hint}",
        f"{path}:22:42: models.m-a.task_complexity_score.meduim: unknown key 'meduim': did "
        f"you mean 'medium'? {hint}",
        f"{path}:23:5: models.m-a.Notes: unknown key 'Notes': did you mean 'notes'? {hint}",
        f"{path}:24:5: models.m-a.notes2: unknown key 'notes2': did you mean 'notes'? {hint}",
    ]


def test_a_sync_refuses_a_misspelt_key_and_user_keys_exempts_keys(tmp_path: Path) -> None:
    run, report = sync_text(tmp_path, TYPOS, catalog(m_a=model(9.0)))
    assert run.text == TYPOS, "the price 'pined' was meant to protect is not overwritten"
    (failed,) = report.failed
    assert (failed.error or "").startswith(
        f"{run.path}:5: defualt_model: unknown key 'defualt_model': did you mean 'default_model'?"
    )
    assert "(and 7 more, see modelsync validate); the file was left as it is" in (
        failed.error or ""
    )

    keys = ("defualt_model", "pined", "task_complexity_socre", "max_output_token")
    keys += ("contxt_window", "meduim", "Notes", "notes2")
    exempt = setup(tmp_path / "exempt", TYPOS, user_keys=keys)
    assert exempt.findings() == []
    report = exempt.sync(catalog(m_a=model(9.0)))
    assert report.ok, report.failed
    assert "      input: 9.0\n" in exempt.text


@pytest.mark.slow
def test_user_keys_from_invoke_yaml_reach_validate(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "config" / "models").mkdir(parents=True)
    shutil.copy(ROOT / "tasks.py", repo)
    (repo / "config" / "models" / "p.yml").write_text(
        HEAD + "models:\n" + entry("m-a", user="    notes2: ours\n")
    )
    failed = run_cli("validate", cwd=repo)
    assert failed.returncode == 1 and "did you mean 'notes'" in failed.stdout
    (repo / "invoke.yaml").write_text("modelsync:\n  user_keys: [notes2]\n")
    passed = run_cli("validate", cwd=repo)
    assert passed.returncode == 0, passed.stdout + passed.stderr


@pytest.mark.parametrize(
    ("key", "reading"),
    [
        ("2024-10-22", "read as a date by some YAML readers, not as a string: quote it"),
        ("1e3", "read as a number by some YAML readers, not as a string: quote it"),
    ],
)
def test_an_ambiguous_model_id_is_one_error_at_its_line(
    tmp_path: Path, key: str, reading: str
) -> None:
    text = HEAD + "models:\n" + entry("m-a") + entry(key).replace(f"  {key}:\n", f"  {key}:\n", 1)
    run, report = sync_text(tmp_path, text, catalog(m_a=model(), **{key: model()}))
    expected = f"models.{key}: model id {key} is {reading} ('{key}')"
    assert run.text == text
    (failed,) = report.failed
    assert failed.error == f"{run.path}:17: {expected}; the file was left as it is"
    assert run.findings() == [f"{run.path}:17:3: {expected}"]
    quoted = text.replace(f"  {key}:\n", f"  '{key}':\n")
    run, report = sync_text(tmp_path / "quoted", quoted, catalog(m_a=model(), **{key: model()}))
    assert report.ok and not report.changed_files and run.findings() == []


@pytest.mark.parametrize(("key", "value"), [("1.10", "1.1"), ("on", "True"), ("null", "None")])
def test_a_model_id_that_is_not_a_string_is_an_error_at_its_line(
    tmp_path: Path, key: str, value: str
) -> None:
    text = HEAD + "models:\n" + entry("m-a") + f"  {key}:\n    name: ours\n"
    run, report = sync_text(tmp_path, text, catalog(m_a=model(2.0)))
    assert run.text == text
    (failed,) = report.failed
    assert (failed.error or "").startswith(f"{run.path}:17: models.{value}: this model id is")
    (finding,) = run.findings()
    assert finding.startswith(f"{run.path}:17:3: models.{value}: this model id is read as a")
    assert finding.endswith(f"({value}), not as a string: quote it")


def test_a_pinned_field_that_does_not_exist_is_named_at_its_line(tmp_path: Path) -> None:
    text = HEAD + "models:\n" + entry("m-a", user="    pinned: [pricing.input]\n")
    run, report = sync_text(tmp_path, text, catalog(m_a=model(2.0)))
    assert run.text == text
    (failed,) = report.failed
    pinnable = (
        "name, family, context_window, max_input_tokens, max_output_tokens, pricing, "
        "capabilities, modalities, api, api_shape, knowledge_cutoff, release_date, "
        "last_updated, open_weights, status, deprecated"
    )
    assert failed.error == (
        f"{run.path}:17: models.m-a.pinned: 'pricing.input' is not a synced field "
        f"(pinnable: {pinnable})"
    )
    assert run.findings() == [
        f"{run.path}:17:14: models.m-a.pinned.0: 'pricing.input' is not one of: {pinnable}"
    ]


def test_validate_lists_errors_in_line_order(tmp_path: Path) -> None:
    text = (
        "provider: p\n"
        "models:\n"
        "  m-a:\n"
        "    context_window: many\n"
        "    contxt_window: 5\n"
        "default_model: m-z\n"
    )
    run = setup(tmp_path, text)
    assert [f.split(": ", 1)[0] for f in run.findings()] == [
        f"{run.path}:4:21",
        f"{run.path}:5:5",
        f"{run.path}:6:16",
    ]


def test_validate_and_sync_agree_on_a_file_with_a_typo(tmp_path: Path) -> None:
    run, report = sync_text(
        tmp_path, HEAD + "models:\n" + entry("m-a", user="    pined: [pricing]\n"), catalog()
    )
    result = modelsync.validate_configs(settings=run.settings, use_cache=True)
    assert not result.ok and not report.ok
