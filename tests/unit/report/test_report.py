"""What changed: the report on a real drift, --check, --dry-run, filters, `invoke models`."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest

import modelsync
from modelsync.settings import Settings

from ...conftest import ROOT, catalog, dumps, files_snapshot, run_cli, sliced
from ...expected import expected_pricing


@pytest.fixture(scope="module")
def drift(tmp_path_factory: pytest.TempPathFactory) -> tuple[modelsync.SyncReport, Path]:
    """The full catalog synced from 2026-03-18, then synced to 2026-05-21."""
    root = tmp_path_factory.mktemp("drift")
    s = modelsync.make_settings(config_dir=str(root / "cfg"), cache_dir=str(root / "cache"))
    for date in ("2026-03-18", "2026-05-21"):
        (root / f"{date}.json").write_bytes(dumps(catalog(date)))
    modelsync.sync_to_configs(settings=s, source=str(root / "2026-03-18.json"))
    report = modelsync.sync_to_configs(settings=s, source=str(root / "2026-05-21.json"))
    return report, root


@pytest.mark.slow
def test_report_counts_match_an_independent_count_of_the_real_drift(
    drift: tuple[modelsync.SyncReport, Path],
) -> None:
    report, _ = drift
    old, new = catalog("2026-03-18"), catalog("2026-05-21")
    before = {(p, m) for p in old for m in old[p]["models"]}
    after = {(p, m) for p in new for m in new[p]["models"]}
    both = before & after
    counts = report.counts()
    assert counts["providers"]["added"] == len(set(new) - set(old)) == 29
    assert counts["providers"]["failed"] == 0
    assert sum(counts["providers"].values()) == len(set(new) | set(old))
    assert counts["models"]["added"] == len(after - before) == 1413
    assert counts["models"]["removed"] == len(before - after) == 473
    assert counts["models"]["back"] == 0
    priced = {
        (p, m)
        for p, m in both
        if expected_pricing(old[p]["models"][m]) != expected_pricing(new[p]["models"][m])
    }
    assert set(report.priced_models()) == priced
    assert counts["models"]["price_changed"] == len(priced)

    def changed(field: str) -> set[tuple[str, str]]:
        return {
            (p, m)
            for p, m in both
            if old[p]["models"][m].get("limit", {}).get(field)
            != new[p]["models"][m].get("limit", {}).get(field)
        }

    assert {(c.provider, c.model) for c in report.changes("context_window")} == changed("context")
    assert {(c.provider, c.model) for c in report.changes("max_output_tokens")} == changed("output")
    deprecated = {
        (p, m)
        for p, m in both
        if new[p]["models"][m].get("status") == "deprecated"
        and old[p]["models"][m].get("status") != "deprecated"
    }
    assert {(c.provider, c.model) for c in report.changes("deprecated")} == deprecated


@pytest.mark.slow
def test_report_as_json_and_as_text(drift: tuple[modelsync.SyncReport, Path]) -> None:
    from modelsync.report.summary import render

    report, _ = drift
    data = json.loads(json.dumps(report.to_json()))
    assert data["version"] == 1 and data["ok"] is True
    # The counts agree with the lists they count, recounted here from the JSON itself.
    # Unchanged providers are counted, not listed.
    statuses = Counter(p["status"] for p in data["providers"])
    assert statuses == {"added": 29, "changed": 76}
    assert data["counts"]["providers"] == {
        "added": 29,
        "changed": 76,
        "unchanged": 28,
        "failed": 0,
        "skipped": 0,
    }
    models, changes = data["counts"]["models"], data["changes"]
    for key, kind in (
        ("added", "added"),
        ("removed", "removed"),
        ("back", "back"),
        ("pruned", "pruned"),
        ("context_changed", "context_window"),
        ("output_limit_changed", "max_output_tokens"),
        ("deprecated", "deprecated"),
        ("pinned_differs", "pinned"),
    ):
        assert models[key] == len(changes[kind]), key
    priced = {(c["provider"], c["model"]) for c in changes["price"]}
    assert models["price_changed"] == len(priced) > 0
    assert len(data["changes"]["added"]) == 1413
    example = next(
        c
        for c in data["changes"]["price"]
        if (c["provider"], c["model"], c["field"]) == ("aihubmix", "gemini-2.5-flash", "input")
    )
    assert (example["old"], example["new"]) == (0.075, 0.3)
    text = render(report)
    assert "Providers: 29 added, 76 changed, 28 unchanged, 0 failed" in text
    assert "aihubmix/gemini-2.5-flash: input 0.075 -> 0.3 (+300.0%)" in text
    assert "... and 158 more, see --json" in text
    assert "\033[" not in text


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    shutil.copy(ROOT / "tasks.py", repo)
    for date, providers in (
        ("2026-03-18", ("anthropic", "xai", "groq")),
        ("2026-05-21", ("anthropic", "xai", "groq")),
    ):
        (repo / f"{date}.json").write_bytes(dumps(sliced(date, providers)))
    assert run_cli("sync", "--source", "2026-03-18.json", cwd=repo).returncode == 0
    return repo


@pytest.mark.slow
def test_check_exit_codes_both_ways(repo: Path) -> None:
    before = files_snapshot(repo / "config")
    stale = run_cli("sync", "--check", "--source", "2026-05-21.json", cwd=repo)
    assert stale.returncode == 1
    assert "file(s) out of date" in stale.stderr
    assert files_snapshot(repo / "config") == before
    fresh = run_cli("sync", "--check", "--source", "2026-03-18.json", cwd=repo)
    assert fresh.returncode == 0, fresh.stderr


@pytest.mark.slow
def test_dry_run_writes_nothing_and_its_diff_applies(repo: Path, tmp_path: Path) -> None:
    before = files_snapshot(repo / "config")
    result = run_cli("sync", "--dry-run", "--source", "2026-05-21.json", cwd=repo)
    assert result.returncode == 0, result.stderr
    assert files_snapshot(repo / "config") == before
    diff = result.stdout[: result.stdout.index("Catalog: ")]
    assert diff.startswith("--- a/config/models/")
    patched = tmp_path / "patched"
    shutil.copytree(repo, patched)
    (patched / "changes.diff").write_text(diff)
    applied = subprocess.run(
        ["git", "apply", "changes.diff"], cwd=patched, capture_output=True, text=True
    )
    assert applied.returncode == 0, applied.stderr
    synced = run_cli("sync", "--source", "2026-05-21.json", cwd=repo)
    assert synced.returncode == 0, synced.stderr
    for path in (repo / "config" / "models").iterdir():
        assert path.read_bytes() == (patched / "config" / "models" / path.name).read_bytes()
    only_report = run_cli("sync", "--dry-run", "--json", "--source", "2026-05-21.json", cwd=repo)
    assert json.loads(only_report.stdout)["dry_run"] is True


@pytest.mark.slow
def test_provider_filters_globs_and_close_matches(repo: Path) -> None:
    before = files_snapshot(repo / "config")
    result = run_cli(
        "sync",
        "--source",
        "2026-05-21.json",
        "--provider",
        "x*",
        "--provider",
        "groq",
        "--exclude",
        "groq",
        "--json",
        cwd=repo,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["changed_files"] == ["config/models/xai.yml"]
    after = files_snapshot(repo / "config")
    assert after["models/anthropic.yml"] == before["models/anthropic.yml"]
    assert after["models/groq.yml"] == before["models/groq.yml"]
    wrong = run_cli("sync", "--source", "2026-05-21.json", "--provider", "grok", cwd=repo)
    assert wrong.returncode == 2, "a usage error"
    assert "--provider 'grok' matches no provider; did you mean 'groq'?" in wrong.stderr


@pytest.mark.slow
def test_filters_from_invoke_yaml_and_flags_beat_them(repo: Path) -> None:
    (repo / "invoke.yaml").write_text("modelsync:\n  providers: [groq]\n")
    result = run_cli("sync", "--source", "2026-05-21.json", "--json", cwd=repo)
    assert json.loads(result.stdout)["changed_files"] == ["config/models/groq.yml"]
    # xai alone lost most of its models: the whole catalog is below the shrink threshold.
    args = ("--source", "2026-05-21.json", "--provider", "xai", "--allow-shrink", "--json")
    result = run_cli("sync", *args, cwd=repo)
    assert json.loads(result.stdout)["changed_files"] == ["config/models/xai.yml"]


@pytest.mark.slow
def test_quiet_and_verbose(repo: Path) -> None:
    quiet = run_cli("sync", "-q", "--source", "2026-03-18.json", cwd=repo)
    assert quiet.returncode == 0 and quiet.stdout == "" and quiet.stderr == ""
    verbose = run_cli("sync", "-v", "--source", "2026-03-18.json", cwd=repo)
    assert "modelsync: info: catalog and all 3 files unchanged" in verbose.stderr
    debug = run_cli("sync", "-vv", "--source", "2026-05-21.json", cwd=repo)
    assert "modelsync: debug: xai: canonical file, merged as plain data" in debug.stderr
    assert "modelsync: info: wrote config/models/xai.yml" in debug.stderr


@pytest.mark.slow
def test_models_query_finds_the_cheapest_vision_model_with_a_large_context(
    settings: Settings, tmp_path: Path
) -> None:
    source = tmp_path / "api.json"
    source.write_bytes(dumps(catalog("2026-05-21")))
    modelsync.sync_to_configs(settings=settings, source=str(source))
    found = modelsync.list_models(
        settings=settings, capabilities=["vision"], min_context=128_000, sort="input_price"
    )
    expected = min(
        (
            (m["cost"]["input"], p, mid)
            for p, prov in catalog("2026-05-21").items()
            for mid, m in prov["models"].items()
            if "image" in m.get("modalities", {}).get("input", [])
            and m.get("limit", {}).get("context", 0) >= 128_000
            and "cost" in m
            and "input" in m["cost"]
        ),
    )
    best = found[0]
    assert best.pricing is not None and best.pricing.input == expected[0]
    assert all(m.context_window and m.context_window >= 128_000 for m in found)
    assert all("vision" in m.capabilities for m in found)
    prices = [m.pricing.input for m in found if m.pricing and m.pricing.input is not None]
    assert prices == sorted(prices)


@pytest.mark.slow
def test_models_task_table_json_and_filters(repo: Path) -> None:
    table = run_cli(
        "models",
        "--provider",
        "anthropic",
        "--capability",
        "vision",
        "--capability",
        "reasoning",
        "--sort",
        "context_window",
        "--limit",
        "3",
        cwd=repo,
    )
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0].startswith("provider/model") and lines[-1] == "3 models"
    assert all(line.startswith("anthropic/") for line in lines[1:-1])
    as_json = json.loads(run_cli("models", "--json", "--provider", "groq", cwd=repo).stdout)
    assert as_json and all(m["provider"] == "groq" and m["available"] for m in as_json)
    bad = run_cli("models", "--sort", "price", cwd=repo)
    assert bad.returncode == 2
    assert (
        "--sort 'price': choose one of" in bad.stderr and "did you mean 'input_price'" in bad.stderr
    )


def test_api_errors_for_unknown_provider_and_model(settings: Settings, tmp_path: Path) -> None:
    source = tmp_path / "api.json"
    source.write_bytes(dumps(sliced()))
    with pytest.raises(modelsync.ProviderNotFound):
        modelsync.get_model("nope", "x", settings=settings, source=str(source))
    with pytest.raises(modelsync.ModelNotFound):
        modelsync.get_model("xai", "nope", settings=settings, source=str(source))
    with pytest.raises(modelsync.ProviderNotFound):
        modelsync.sync_to_configs(settings=settings, source=str(source), providers=("nope",))
    assert issubclass(modelsync.FetchError, modelsync.ModelsyncError)
    assert issubclass(modelsync.ConfigError, modelsync.ModelsyncError)


@pytest.mark.slow
def test_colour_only_on_a_terminal_and_never_with_no_color(
    drift: tuple[modelsync.SyncReport, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from modelsync.report.summary import render

    report, _ = drift
    master, slave = os.openpty()
    with os.fdopen(slave, "w") as tty:
        monkeypatch.delenv("NO_COLOR", raising=False)
        assert "\033[33mPrice changes" in render(report, stream=tty)
        monkeypatch.setenv("NO_COLOR", "1")
        assert "\033[" not in render(report, stream=tty)
    os.close(master)


@pytest.mark.slow
def test_a_catalog_id_with_a_lone_surrogate_is_escaped_in_every_format(tmp_path: Path) -> None:
    """JSON reads ``"\\ud800"`` into a string no UTF-8 stream can carry: the model is
    skipped, and ``--json`` escapes its id (the text and Markdown reports show it as
    ``\\ud800``) instead of ending in a UnicodeEncodeError traceback."""
    data = sliced(providers=("groq",))
    first = next(iter(data["groq"]["models"].values()))
    data["groq"]["models"]["bad\ud800id"] = dict(first)
    (tmp_path / "api.json").write_text(json.dumps(data))  # ASCII: "bad\ud800id"
    out = run_cli("modelsync", "sync", "--source", "api.json", "--json", "--dry-run", cwd=tmp_path)
    assert out.returncode == 0 and "Traceback" not in out.stderr, out.stderr
    assert '"model": "bad\\ud800id"' in out.stdout
    report = json.loads(out.stdout)
    (skipped,) = report["skipped_models"]
    assert skipped["model"] == "bad\ud800id", "the exact id, escaped"
    for fmt in ("text", "markdown"):
        out = run_cli("modelsync", "sync", "--source", "api.json", "--format", fmt, cwd=tmp_path)
        assert out.returncode == 0 and "Traceback" not in out.stderr, (fmt, out.stderr)
        assert "bad\\ud800id" in out.stdout + out.stderr, fmt
