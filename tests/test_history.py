"""Price history from git (#25): a real repository of real catalog snapshots committed at
known dates (:mod:`tests.historyrepo`), read by ``history``, ``cost --at``,
``estimate_cost(at=)`` and ``load_catalog(at=)``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import modelsync
from modelsync.history.render import code

from . import historyrepo
from .conftest import run_cli
from .historyrepo import git


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return historyrepo.build(tmp_path_factory.mktemp("history"))


def _config(repo: Path) -> str:
    return str(repo / "config" / "models")


def _changes(repo: Path, *args: str) -> list[dict[str, Any]]:
    done = run_cli("modelsync", "history", "--json", *args, cwd=repo)
    assert done.returncode == 0, done.stderr
    changes: list[dict[str, Any]] = json.loads(done.stdout)["changes"]
    return changes


def _cost(repo: Path, model: str, at: str, **usage: int) -> Decimal:
    cost = modelsync.estimate_cost("openai", model, usage, at=at, config_dir=_config(repo))
    return cost.total


@pytest.mark.slow
def test_history_of_a_model_whose_price_changed(repo: Path) -> None:
    merge = git(repo, "rev-parse", "HEAD~1")
    changes = _changes(repo, "--provider", "openai", "--model", "gpt-5", "--field", "pricing")
    assert [(c["date"][:10], c["field"], c["old"], c["new"], c["origin"]) for c in changes] == [
        ("2026-01-10", None, None, None, "sync"),  # the model entered the file
        ("2026-04-05", "pricing.cache_read", 0.13, 0.125, "sync"),
    ]
    assert changes[1]["commit"] == merge
    text = run_cli("modelsync", "history", "--provider", "openai", "--model", "gpt-5", cwd=repo)
    assert text.returncode == 0, text.stderr
    assert f"2026-04-05  {merge[:12]}  openai/gpt-5  pricing.cache_read 0.13 -> 0.125  [sync]" in (
        text.stdout.splitlines()
    )


def test_a_merged_sync_branch_is_dated_by_its_merge(repo: Path) -> None:
    history = modelsync.model_history("openai", "gpt-5.4", config_dir=_config(repo))
    added = history.changes[0]
    assert (added.kind, added.commit) == ("added", git(repo, "rev-parse", "HEAD~1"))
    assert added.to_json()["date"] == "2026-04-05T12:00:00Z"  # not the branch's 2026-03-18


def test_the_author_date_is_an_option(repo: Path) -> None:
    def tier_date(author_date: bool) -> str:
        history = modelsync.model_history(
            "openai",
            "gpt-5.4",
            fields=["pricing.tiers"],
            author_date=author_date,
            config_dir=_config(repo),
        )
        (change,) = [c for c in history.changes if c.kind == "changed"]
        assert change.old[0]["above_context"] == 200000
        assert change.new[0]["above_context"] == 272000
        return str(change.to_json()["date"][:10])

    assert (tier_date(False), tier_date(True)) == ("2026-05-25", "2026-05-21")


@pytest.mark.slow
def test_costs_at_dates_before_and_after_each_change(repo: Path) -> None:
    # cache-read price 0.13 until the merge of 2026-04-05, 0.125 from then
    assert _cost(repo, "gpt-5", "2026-01-10", cache_read=1_000_000) == Decimal("0.13")
    assert _cost(repo, "gpt-5", "2026-04-04", cache_read=1_000_000) == Decimal("0.13")
    assert _cost(repo, "gpt-5", "2026-04-05", cache_read=1_000_000) == Decimal("0.125")
    # a 250k-token prompt is in the long-context tier until 2026-05-25, not after
    assert _cost(repo, "gpt-5.4", "2026-05-24", input=250_000) == Decimal("1.25")
    assert _cost(repo, "gpt-5.4", "2026-05-25", input=250_000) == Decimal("0.625")
    # the hand pin of 2026-02-15 prices gpt-4o from that day on
    assert _cost(repo, "gpt-4o", "2026-02-14", input=1_000_000) == Decimal("2.5")
    assert _cost(repo, "gpt-4o", "2026-02-15", input=1_000_000) == Decimal("2")
    # an instant: the merge was committed at noon
    assert _cost(repo, "gpt-5", "2026-04-05T11:59:00Z", cache_read=1_000_000) == Decimal("0.13")


def test_a_date_before_the_model_existed_names_its_first_date(repo: Path) -> None:
    with pytest.raises(modelsync.ModelNotFound, match=r"first appears on 2026-04-05"):
        _cost(repo, "gpt-5.4", "2026-03-31", input=1000)
    with pytest.raises(modelsync.ProviderNotFound, match=r"first was committed on 2026-01-10"):
        _cost(repo, "gpt-5", "2025-12-31", input=1000)


def test_load_catalog_at_a_date(repo: Path) -> None:
    before = modelsync.load_catalog(at="2026-03-31", config_dir=_config(repo))
    after = modelsync.load_catalog(at="2026-04-05", config_dir=_config(repo))
    assert "gpt-5.4" not in before.provider("openai").models
    assert after.get("openai", "gpt-5.4").pricing is not None
    assert set(before.providers) == {"openai", "anthropic"}
    assert before.get("openai", "gpt-4o").extra["notes"] == "negotiated price"


def test_a_hand_pin_is_told_apart_from_a_sync(repo: Path) -> None:
    history = modelsync.model_history("openai", "gpt-4o", config_dir=_config(repo))
    pin = git(repo, "rev-parse", "HEAD~1^2~1")
    by_pin = {(c.field, c.origin, c.reason) for c in history.changes if c.commit == pin}
    assert by_pin == {
        ("pricing.input", "hand", "pinned"),
        ("pinned", "hand", "pin list"),
        ("notes", "hand", "user key"),
    }
    later = [c for c in history.changes if c.commit != pin and c.kind == "changed"]
    assert later and all(c.origin == "sync" for c in later)
    assert not [c for c in later if c.field and c.field.startswith("pricing")]


@pytest.mark.slow
def test_cost_at_and_markdown_from_the_command_line(repo: Path) -> None:
    args = ("--provider", "openai", "--model", "gpt-5", "--cache-read", "1M")
    before = run_cli("modelsync", "cost", *args, "--at", "2026-04-04", cwd=repo)
    after = run_cli("modelsync", "cost", *args, "--at", "2026-04-05", "--json", cwd=repo)
    assert before.returncode == 0, before.stderr
    assert "total  $0.13 USD" in before.stdout
    assert json.loads(after.stdout)["total"] == "0.125"
    md = run_cli(
        "modelsync", "history", "--provider", "openai", "--since", "2026-02-01",
        "--field", "pricing.input", "--format", "markdown", cwd=repo,
    )  # fmt: skip
    assert md.returncode == 0, md.stderr
    row = "| `openai/gpt-4o` | `pricing.input` | `2.5` | `2.0` | hand (pinned) |"
    assert row in md.stdout
    assert "2026-01-10" not in md.stdout  # --since
    assert "--model needs --provider" in _error(
        run_cli("modelsync", "history", "--model", "x", cwd=repo)
    )
    bad = run_cli("modelsync", "history", "--format", "html", "--since", "2026-13-01", cwd=repo)
    assert "--format: 'html' is not text or markdown" in _error(bad)


def test_catalog_text_in_markdown_is_a_code_span() -> None:
    assert code("a`b|c @octocat") == "``a`b\\|c @octocat``"
    assert code("`x`") == "`` `x` ``"
    assert code("line\nforged") == "`line\\nforged`"


def _error(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


@pytest.mark.slow
def test_outside_git_and_without_git_one_line_exit_2(repo: Path, tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    shutil.copytree(repo / "config", plain / "config")
    line = _error(run_cli("modelsync", "history", cwd=plain))
    assert "config/models: not in a git repository" in line
    cost = run_cli(
        "modelsync", "cost", "--provider", "openai", "--model", "gpt-5", "--input", "1",
        "--at", "2026-04-01", cwd=plain,
    )  # fmt: skip
    assert "not in a git repository" in _error(cost)
    as_json = run_cli("modelsync", "history", "--json", cwd=plain)
    assert "not in a git repository" in _error(as_json)
    assert json.loads(as_json.stdout)["ok"] is False
    no_git = {"PATH": str(Path(sys.executable).parent) if not _git_beside_python() else "/none"}
    cmd = [sys.executable, "-m", "modelsync.cli", "history"]
    done = subprocess.run(
        cmd, cwd=repo, env={**os.environ, **no_git}, capture_output=True, text=True, timeout=60
    )
    assert "git is not installed" in _error(done)


def _git_beside_python() -> bool:
    return (Path(sys.executable).parent / "git").exists()


@pytest.mark.slow
def test_a_shallow_clone_lacking_the_date_says_how_to_fetch_it(repo: Path, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{repo}", str(clone)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    at = ("--provider", "openai", "--model", "gpt-5", "--input", "1", "--at", "2026-04-01")
    line = _error(run_cli("modelsync", "cost", *at, cwd=clone))
    assert "shallow clone" in line and "starts on 2026-05-25" in line
    assert line.endswith("run git fetch --unshallow")
    since = _error(run_cli("modelsync", "history", "--since", "2026-01-01", cwd=clone))
    assert "git fetch --unshallow" in since
    ok = run_cli("modelsync", "cost", *at[:-1], "2026-05-26", cwd=clone)
    assert ok.returncode == 0, ok.stderr


def test_renames_and_a_moved_directory_are_followed(repo: Path, tmp_path: Path) -> None:
    moved = tmp_path / "moved"
    subprocess.run(["git", "clone", "-q", str(repo), str(moved)], check=True, timeout=60)
    git(moved, "mv", "config", "settings")
    git(moved, "mv", "settings/models/openai.yml", "settings/models/openai.yaml")
    git(moved, "commit", "-qm", "move", date="2026-06-01")
    config = str(moved / "settings" / "models")
    history = modelsync.model_history(
        "openai", "gpt-5", fields=["pricing.cache_read"], config_dir=config
    )
    assert [(c.old, c.new) for c in history.changes if c.kind == "changed"] == [(0.13, 0.125)]
    cost = modelsync.estimate_cost(
        "openai", "gpt-5", {"cache_read": 1_000_000}, at="2026-02-01", config_dir=config
    )
    assert cost.total == Decimal("0.13")


_LAYOUTS = [
    # canonical
    "provider: p\nmodels:\n  a:\n    name: A\n  b:\n    name: B\n",
    # quoted ids, ids with ':' and '/', comments at the keys' indent, a later top-level key
    "models:\n  'x:1':\n    name: X\n  # a comment\n  \"y/2\":\n    name: Y\n"
    "  z:\n    pricing: {input: 1}\ndefault_model: z\n",
    # flow style, an alias and a merge key: the whole file is read
    "models: {a: {name: A}, b: {name: B}}\n",
    "base: &b {name: B}\nmodels:\n  a: *b\n  b:\n    <<: *b\n    family: f\n",
    # four-space indentation, a block scalar
    "models:\n    a:\n        notes: |\n            b:\n              c\n    b:\n        name: B\n",
]


@pytest.mark.parametrize("text", _LAYOUTS)
def test_the_fast_entry_readers_agree_with_the_whole_file(text: str) -> None:
    from modelsync.history.changes import all_entries, entries_reusing, model_entry

    content = text.encode()
    whole = all_entries(content)
    assert entries_reusing(content, {})[0] == whole
    for model_id in [*whole, "a", "b", "x:1", "y/2", "c", "missing"]:
        assert model_entry(content, model_id) == whole.get(model_id), model_id


def test_hostile_ids_and_values_are_escaped_in_text_and_markdown(tmp_path: Path) -> None:
    from modelsync.history.render import render_markdown, render_text

    repo = tmp_path / "hostile"
    config = repo / "config" / "models"
    config.mkdir(parents=True)
    git(repo, "init", "-q")
    evil = "x`|@octocat closes #1 <b>\x1b[2J"
    for day, price in (("2026-01-01", 1), ("2026-02-01", 2)):
        doc = {"provider": "p", "models": {evil: {"name": "n", "note": f"`{price}`|\x07"}}}
        (config / "p.yml").write_text(json.dumps(doc))  # JSON is YAML
        git(repo, "add", ".")
        git(repo, "commit", "-qm", "edit", date=day)
    history = modelsync.model_history("p", evil, config_dir=str(config))
    text = render_text(history)
    assert "\x1b" not in text and "\x07" not in text and "\\x1b[2J" in text
    md = render_markdown(history)
    row = next(line for line in md.splitlines() if "`note`" in line)
    assert "``p/x`\\|@octocat closes #1 <b>\\x1b[2J``" in row
    assert "`` `2`\\|\\x07 ``" in row
    assert row.count(" | ") == 6  # seven cells: no pipe of the data split the row
