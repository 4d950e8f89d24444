"""Needs attention: a real drift (2026-03-18 -> 2026-05-21) over annotated configs.

In the newer catalog, anthropic's ``claude-3-7-sonnet-latest`` leaves, groq's Llama 4
Maverick is deprecated, and mistral's ``mistral-medium-latest`` costs 0.4 -> 1.5 (input)
and 2 -> 7.5 (output). The team depends on each: a default model, notes, a learned score.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import modelsync
from modelsync.report.markdown import code, render_markdown
from modelsync.settings import Settings

from ...conftest import dumps, run_cli, sliced

PROVIDERS = ("anthropic", "groq", "mistral")
LEFT = "claude-3-7-sonnet-latest"
DEPRECATED = "meta-llama/llama-4-maverick-17b-128e-instruct"
PRICIER = "mistral-medium-latest"


def _insert_after(path: Path, line: str, new: str) -> None:
    text = path.read_text()
    assert f"\n{line}\n" in text, line
    path.write_text(text.replace(f"\n{line}\n", f"\n{line}\n{new}\n", 1))


@pytest.fixture
def drift(tmp_path: Path) -> Path:
    """A project synced from 2026-03-18 and annotated; new.json holds 2026-05-21."""
    (tmp_path / "old.json").write_bytes(dumps(sliced("2026-03-18", PROVIDERS)))
    (tmp_path / "new.json").write_bytes(dumps(sliced("2026-05-21", PROVIDERS)))
    assert run_cli("modelsync", "sync", "--source", "old.json", "-q", cwd=tmp_path).returncode == 0
    models = tmp_path / "config" / "models"
    with (models / "anthropic.yml").open("a") as fh:
        fh.write(f"default_model: {LEFT}\n")
    _insert_after(models / "groq.yml", f"  {DEPRECATED}:", "    notes: our fallback router model")
    _insert_after(
        models / "mistral.yml", f"  {PRICIER}:", "    task_complexity_score: {simple: 4.5}"
    )
    assert run_cli("modelsync", "validate", cwd=tmp_path).returncode == 0
    return tmp_path


EXPECTED = {
    ("anthropic", LEFT, "left"),
    ("groq", DEPRECATED, "deprecated"),
    ("mistral", PRICIER, "price_rose"),
}


@pytest.mark.slow
def test_each_attention_item_in_json_text_and_markdown(drift: Path) -> None:
    as_json = run_cli("modelsync", "sync", "--source", "new.json", "--check", "--json", cwd=drift)
    report = json.loads(as_json.stdout)
    items = {(a["provider"], a["model"], a["why"]) for a in report["attention"]}
    assert items == EXPECTED, report["attention"]
    rises = [a for a in report["attention"] if a["why"] == "price_rose"]
    assert {(a["field"], a["old"], a["new"]) for a in rises} == {
        ("input", 0.4, 1.5),
        ("output", 2, 7.5),
    }
    assert report["counts"]["attention"] == 4
    by_model = {a["model"]: a for a in report["attention"]}
    assert by_model[LEFT]["depends"] == ["default_model"]
    assert by_model[DEPRECATED]["depends"] == ["notes"]
    assert by_model[PRICIER]["depends"] == ["task_complexity_score"]

    text = run_cli("modelsync", "sync", "--source", "new.json", "--check", cwd=drift).stdout
    lines = text.splitlines()
    start = lines.index("Needs attention (4):")
    assert lines.index(next(x for x in lines if x.startswith("Models:"))) < start
    assert f"  anthropic/{LEFT}: left the catalog (now available: false) [default_model]" in lines
    assert f"  groq/{DEPRECATED}: deprecated upstream [notes]" in lines
    assert f"  mistral/{PRICIER}: input price 0.4 -> 1.5 (+275.0%) [task_complexity_score]" in lines

    markdown = run_cli(
        "modelsync", "sync", "--source", "new.json", "--format", "markdown", cwd=drift
    )
    assert markdown.returncode == 0, markdown.stderr
    body = markdown.stdout
    headings = [x for x in body.splitlines() if x.startswith("### ")]
    assert headings[0] == "### Needs attention (4)", headings
    assert f"| `anthropic/{LEFT}` | `left the catalog (now available: false)` |" in body
    assert "### Price changes" in body

    again = json.loads(
        run_cli("modelsync", "sync", "--source", "new.json", "--json", cwd=drift).stdout
    )
    assert again["attention"] == [], "a sync with nothing new needs no attention"


@pytest.mark.slow
def test_check_strict_fails_on_attention_even_without_changed_files(tmp_path: Path) -> None:
    catalog = sliced("2026-05-21", ("mistral",))
    (tmp_path / "api.json").write_bytes(dumps(catalog))
    assert run_cli("modelsync", "sync", "--source", "api.json", "-q", cwd=tmp_path).returncode == 0
    path = tmp_path / "config" / "models" / "mistral.yml"
    _insert_after(path, f"  {PRICIER}:", "    pinned: [pricing]")
    assert run_cli("modelsync", "sync", "--source", "api.json", "-q", cwd=tmp_path).returncode == 0
    catalog["mistral"]["models"][PRICIER]["cost"]["input"] = 1.8
    (tmp_path / "api.json").write_bytes(dumps(catalog))
    check = run_cli("modelsync", "sync", "--source", "api.json", "--check", cwd=tmp_path)
    assert check.returncode == 0, "the pinned file would not change"
    assert f"mistral/{PRICIER}: pinned pricing moved upstream" in check.stdout
    strict = run_cli(
        "modelsync", "sync", "--source", "api.json", "--check", "--strict", cwd=tmp_path
    )
    assert strict.returncode == 1
    assert "1 model(s) the team depends on need attention" in strict.stderr


@pytest.mark.slow
def test_validate_strict_fails_on_a_default_model_that_left(drift: Path) -> None:
    assert run_cli("modelsync", "sync", "--source", "new.json", "-q", cwd=drift).returncode == 0
    plain = run_cli("modelsync", "validate", cwd=drift)
    assert plain.returncode == 0, plain.stdout
    warning = f"anthropic.yml:{_line(drift, 'default_model:')}:16: warning: default_model:"
    assert warning in plain.stdout and "has left the catalog" in plain.stdout
    assert plain.stdout.splitlines()[-1] == "3 files valid, 1 warning"
    strict = run_cli("modelsync", "validate", "--strict", cwd=drift)
    assert strict.returncode == 1
    assert "warning" not in strict.stdout and "has left the catalog" in strict.stdout
    assert strict.stdout.splitlines()[-1] == "1 error in 1 of 3 files"


def _line(root: Path, prefix: str) -> int:
    lines = (root / "config" / "models" / "anthropic.yml").read_text().splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.startswith(prefix))


@pytest.mark.slow
def test_price_alert_and_watch_keys_settings(drift: Path) -> None:
    env = {"INVOKE_MODELSYNC_PRICE_ALERT": "300"}
    calm = run_cli(
        "modelsync", "sync", "--source", "new.json", "--check", "--json", cwd=drift, env=env
    )
    assert "price_rose" not in {a["why"] for a in json.loads(calm.stdout)["attention"]}
    groq = drift / "config" / "models" / "groq.yml"
    groq.write_text(
        groq.read_text().replace("    notes: our fallback router model", "    owner: search")
    )
    unwatched = run_cli("modelsync", "sync", "--source", "new.json", "--check", "--json", cwd=drift)
    assert "deprecated" not in {a["why"] for a in json.loads(unwatched.stdout)["attention"]}
    watched = run_cli(
        "modelsync",
        "sync",
        "--source",
        "new.json",
        "--check",
        "--json",
        cwd=drift,
        env={"INVOKE_MODELSYNC_WATCH_KEYS": "owner"},
    )
    (item,) = [a for a in json.loads(watched.stdout)["attention"] if a["why"] == "deprecated"]
    assert item["depends"] == ["owner"]


def test_a_pinned_field_that_moves_upstream_again(settings: Settings, tmp_path: Path) -> None:
    catalog = sliced("2026-05-21", ("mistral",))
    source = tmp_path / "api.json"
    source.write_bytes(dumps(catalog))
    s = settings.replace(source=str(source))
    assert modelsync.sync_to_configs(settings=s).ok
    path = Path(s.config_dir) / "mistral.yml"
    _insert_after(path, f"  {PRICIER}:", "    pinned: [pricing]")
    assert modelsync.sync_to_configs(settings=s).attention == [], "nothing moved upstream"

    def reprice(value: float) -> None:
        catalog["mistral"]["models"][PRICIER]["cost"]["input"] = value
        source.write_bytes(dumps(catalog))

    reprice(1.8)
    (moved,) = modelsync.sync_to_configs(settings=s).attention
    assert (moved.why.value, moved.field) == ("pinned_moved", "pricing")
    assert moved.old["input"] == 1.5 and moved.new["input"] == 1.8
    assert modelsync.sync_to_configs(settings=s).attention == [], "differs, but did not move"
    reprice(2.0)
    (again,) = modelsync.sync_to_configs(settings=s).attention
    assert again.old["input"] == 1.8 and again.new["input"] == 2.0


@pytest.mark.slow
def test_markdown_of_the_whole_real_drift(settings: Settings, tmp_path: Path) -> None:
    from ...conftest import catalog

    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_bytes(dumps(catalog("2026-03-18")))
    new.write_bytes(dumps(catalog("2026-05-21")))
    assert modelsync.sync_to_configs(settings=settings, source=str(old)).ok
    report = modelsync.sync_to_configs(settings=settings, source=str(new), check=True)
    body = render_markdown(report)
    lines = body.splitlines()
    assert lines[0] == "## Model catalog sync"
    assert "### Price changes (168)" in lines
    prices = lines.index("### Price changes (168)")
    assert lines[prices + 2 : prices + 4] == ["<details>", "<summary>168 items</summary>"]
    table = lines[prices + 5 : prices + 7]
    assert table == ["| model | change (USD per million tokens) |", "| --- | --- |"]
    assert body.count("<details>") == body.count("</details>") >= 4
    assert "| `aihubmix/gemini-2.5-flash` | `input 0.075 -> 0.3 (+300.0%)`<br>`output" in body
    hostile = render_markdown(_hostile(report))
    assert "- `` <script>alert(1)</script>|`x` ``\n" in hostile, "one code span: shown as text"


def _hostile(report: modelsync.SyncReport) -> modelsync.SyncReport:
    import dataclasses

    first = report.providers[0]
    evil = dataclasses.replace(first, error="<script>alert(1)</script>|`x`", status="failed")
    return dataclasses.replace(report, providers=[evil, *report.providers[1:]])


def test_markdown_escapes_what_the_catalog_could_inject() -> None:
    assert code("<img src=x onerror=alert(1)>") == "`<img src=x onerror=alert(1)>`"
    assert code("a|b *c* _d_ [e](f) `g`") == "`` a|b *c* _d_ [e](f) `g` ``"
    assert code("# not a heading") == "`# not a heading`"
    # Control characters are shown as escapes: the span stays on its line.
    assert code("evil\n## Approved\x1b[2J") == "`evil\\n## Approved\\x1b[2J`"
