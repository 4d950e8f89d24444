"""The merge contract on the real snapshots: every byte a user wrote survives."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest

import modelsync
from modelsync.settings import Settings
from modelsync.sync import state as state_mod

from ...conftest import catalog, dumps, files_snapshot, sliced, yaml11
from ...expected import check_entry

PROVIDERS = ("anthropic", "chutes", "firmware", "xai")


def sync(settings: Settings, source: Path, **kw: Any) -> modelsync.SyncReport:
    return modelsync.sync_to_configs(settings=settings, source=str(source), **kw)


def snapshot_file(tmp_path: Path, date: str, providers: tuple[str, ...] = PROVIDERS) -> Path:
    path = tmp_path / f"api-{date}.json"
    path.write_bytes(dumps(sliced(date, providers)))
    return path


# The user's own lines, added to anthropic.yml after the first sync. Each must survive,
# byte for byte and in order, through every later sync.
HEADER = "# Anthropic, curated by the platform team.\n# Owner: @ml-infra\n"
DEFAULT = "default_model: claude-sonnet-4-5   # the router's default\n"
SONNET_USER = (
    "    pinned: [pricing]\n"
    "    # learned by the router, do not edit by hand\n"
    "    task_complexity_score: {simple: 1.5, medium: 3.0, complex: 4.2}\n"
    "    notes: good at refactoring\n"
)
LEGACY_NOTES = "    notes: legacy; migrate before it is retired   # ticket ML-123\n"
HAND_MODEL = (
    "\n"
    "  # Our fine-tune, not in models.dev.\n"
    "  acme-ft:\n"
    "    name: ACME fine-tune\n"
    "    context_window: 100000\n"
    "    pricing: {input: 1.0, output: 2.0}\n"
    "    capabilities: [streaming]\n"
)
USER_LINES = [
    *HEADER.splitlines(),
    DEFAULT.rstrip("\n"),
    LEGACY_NOTES.rstrip("\n"),
    *SONNET_USER.splitlines(),
    *[line for line in HAND_MODEL.splitlines() if line],
]


def annotate(path: Path) -> None:
    text = path.read_text()
    text = HEADER + text
    text = text.replace("\nmodels:\n", "\n" + DEFAULT + "\nmodels:\n", 1)
    text = _append_to_model(text, "claude-sonnet-4-5", SONNET_USER)
    text = _append_to_model(text, "claude-3-7-sonnet-latest", LEGACY_NOTES)
    # A negotiated price, kept because pricing is pinned; a capability of our own.
    block = _model_block(text, "claude-sonnet-4-5")
    edited = re.sub(r"(\n    pricing:\n      input: )[0-9.]+", r"\g<1>2.7", block, count=1)
    edited = re.sub(r"capabilities: \[(.*)\]", r"capabilities: [\1, streaming]", edited, count=1)
    text = text.replace(block, edited)
    path.write_text(text + HAND_MODEL)


def _model_block(text: str, model: str) -> str:
    start = text.index(f"\n  {model}:\n") + 1
    nxt = re.search(r"\n  [^ \n#][^\n]*:\n", text[start + 1 :])
    end = start + 1 + nxt.start() + 1 if nxt else len(text)
    return text[start:end]


def _append_to_model(text: str, model: str, lines: str) -> str:
    block = _model_block(text, model)
    return text.replace(block, block + lines, 1)


def assert_user_lines_survive(path: Path) -> None:
    lines = path.read_text().splitlines()
    position = -1
    for wanted in USER_LINES:
        assert wanted in lines, f"user line lost: {wanted!r}"
        index = lines.index(wanted)
        assert index > position, f"user line moved: {wanted!r}"
        position = index


@pytest.mark.slow
def test_user_data_survives_three_real_catalogs_in_sequence(
    settings: Settings, config_dir: Path, tmp_path: Path
) -> None:
    sync(settings, snapshot_file(tmp_path, "2026-01-10"))
    anthropic = config_dir / "anthropic.yml"
    annotate(anthropic)
    chimera = "tngtech/DeepSeek-TNG-R1T2-Chimera-TEE"
    chutes = config_dir / "chutes.yml"
    chutes.write_text(
        chutes.read_text().replace(
            f"  {chimera}:\n", f"  {chimera}:\n    notes: our favourite\n", 1
        )
    )

    # 2026-03-18: the Chimera model left the catalog; firmware appears.
    report = sync(settings, snapshot_file(tmp_path, "2026-03-18"))
    assert report.ok
    assert_user_lines_survive(anthropic)
    doc = yaml11(chutes.read_text())
    assert doc["models"][chimera]["available"] is False
    assert doc["models"][chimera]["notes"] == "our favourite"
    assert ("chutes", chimera) in {(c.provider, c.model) for c in report.changes("removed")}

    # 2026-05-21: Chimera is back, claude-3-7-sonnet-latest left, firmware left entirely.
    # (One provider of four leaving trips the shrink guard in this small slice.)
    report = sync(settings, snapshot_file(tmp_path, "2026-05-21"), allow_shrink=True)
    assert report.ok
    assert_user_lines_survive(anthropic)
    doc = yaml11(chutes.read_text())
    assert doc["models"][chimera]["available"] is True
    assert doc["models"][chimera]["notes"] == "our favourite"
    assert ("chutes", chimera) in {(c.provider, c.model) for c in report.changes("back")}

    data = yaml11(anthropic.read_text())
    upstream = catalog("2026-05-21")["anthropic"]["models"]
    legacy = data["models"]["claude-3-7-sonnet-latest"]
    assert legacy["available"] is False and legacy["notes"].startswith("legacy")
    sonnet = data["models"]["claude-sonnet-4-5"]
    assert sonnet["pricing"]["input"] == 2.7, "pinned pricing is kept"
    assert upstream["claude-sonnet-4-5"]["cost"]["input"] == 3
    assert sonnet["capabilities"][-1] == "streaming"
    pinned = [c for c in report.changes("pinned") if c.model == "claude-sonnet-4-5"]
    assert pinned and pinned[0].field == "pricing"
    assert data["models"]["acme-ft"] == {
        "name": "ACME fine-tune",
        "context_window": 100000,
        "pricing": {"input": 1.0, "output": 2.0},
        "capabilities": ["streaming"],
    }
    for model_id, raw in upstream.items():
        if model_id != "claude-sonnet-4-5":
            check_entry(data["models"][model_id], raw, model_id)
    assert list(data["models"])[:3] == sorted(upstream)[:3], "new models go in id order"

    firmware = yaml11((config_dir / "firmware.yml").read_text())
    assert firmware["models"], "a provider that left the catalog keeps its file"
    assert all(m["available"] is False for m in firmware["models"].values())

    # A repeat sync rewrites nothing: same bytes, same mtimes, with or without state.
    before = files_snapshot(config_dir)
    report = sync(settings, snapshot_file(tmp_path, "2026-05-21"))
    assert report.changed_files == [] and files_snapshot(config_dir) == before
    state_mod.state_path(settings).unlink()
    report = sync(settings, snapshot_file(tmp_path, "2026-05-21"))
    assert report.changed_files == [] and files_snapshot(config_dir) == before


@pytest.mark.slow
def test_hand_formatted_file_merges_like_a_canonical_one(
    settings: Settings, tmp_path: Path
) -> None:
    """The round-trip path and the fast path produce the same bytes for the same data."""
    old, new = snapshot_file(tmp_path, "2026-03-18"), snapshot_file(tmp_path, "2026-05-21")
    fast = settings.replace(config_dir=str(tmp_path / "fast"))
    slow = settings.replace(config_dir=str(tmp_path / "slow"))
    for s in (fast, slow):
        sync(s, old)
    comment = "# a comment forces the round trip\n"
    for path in slow.config_path.glob("*.yml"):
        path.write_text(comment + path.read_text())
    for s in (fast, slow):
        report = sync(s, new, allow_shrink=True)  # firmware left: 3 of 4 providers
        assert report.ok and len(report.changed_files) >= 3
    for path in fast.config_path.glob("*.yml"):
        other = (slow.config_path / path.name).read_text()
        assert other.startswith(comment)
        assert other[len(comment) :] == path.read_text(), path.name


def test_private_provider_file_is_never_touched(
    settings: Settings, config_dir: Path, tmp_path: Path
) -> None:
    config_dir.mkdir(parents=True)
    private = config_dir / "in-house.yml"
    private.write_text("provider: in-house\nmodels:\n  m1: {name: Ours}\n")
    mtime = private.stat().st_mtime_ns
    report = sync(settings, snapshot_file(tmp_path, "2026-05-21", ("xai",)))
    assert report.ok
    assert private.read_text() == "provider: in-house\nmodels:\n  m1: {name: Ours}\n"
    assert private.stat().st_mtime_ns == mtime


def test_unparseable_file_is_left_exactly_and_others_sync(
    settings: Settings, config_dir: Path, tmp_path: Path
) -> None:
    source = snapshot_file(tmp_path, "2026-05-21", ("anthropic", "xai"))
    sync(settings, source)
    broken = config_dir / "anthropic.yml"
    content = broken.read_bytes().replace(b"  claude-opus-4-1:\n", b"  claude-opus-4-1: [\n", 1)
    broken.write_bytes(content)
    (config_dir / "xai.yml").unlink()
    report = sync(settings, source)
    assert broken.read_bytes() == content
    assert (config_dir / "xai.yml").exists()
    assert not report.ok
    (failed,) = report.failed
    assert re.match(rf"{re.escape(str(broken))}:\d+:\d+: ", failed.error or "")


def test_unsafe_provider_ids_never_become_paths(
    settings: Settings, config_dir: Path, tmp_path: Path
) -> None:
    data = sliced(providers=["xai"])
    for bad in ("../../etc/x", "/abs", "a/b", ".hidden", "", "x" * 300, "UPPER", "a..b"):
        data[bad] = data["xai"]
    source = tmp_path / "api.json"
    source.write_bytes(dumps(data))
    report = sync(settings, source)
    assert report.ok
    assert sorted(p.name for p in config_dir.iterdir()) == ["xai.yml"]
    assert [p.name for p in tmp_path.rglob("x") if p.is_file()] == []
    assert len(report.warnings) == 8


def test_prune_deletes_only_retired_models_without_user_keys(
    settings: Settings, config_dir: Path, tmp_path: Path
) -> None:
    sync(settings, snapshot_file(tmp_path, "2026-03-18", ("google",)))
    path = config_dir / "google.yml"
    path.write_text(_append_to_model(path.read_text(), "gemini-1.5-pro", "    notes: keep me\n"))
    report = sync(
        settings.replace(prune=True),
        snapshot_file(tmp_path, "2026-05-21", ("google",)),
        allow_shrink=True,  # google went from 30 models to 21
    )
    doc = yaml11(path.read_text())
    removed = set(catalog("2026-03-18")["google"]["models"]) - set(
        catalog("2026-05-21")["google"]["models"]
    )
    assert len(removed) == 13
    assert doc["models"]["gemini-1.5-pro"]["available"] is False, "kept: it holds user data"
    assert doc["models"]["gemini-1.5-pro"]["notes"] == "keep me"
    pruned = {c.model for c in report.changes("pruned")}
    assert pruned == removed - {"gemini-1.5-pro"} and len(pruned) == 12
    assert not pruned & set(doc["models"])


def test_pinned_must_name_synced_fields(
    settings: Settings, config_dir: Path, tmp_path: Path
) -> None:
    source = snapshot_file(tmp_path, "2026-05-21", ("xai",))
    sync(settings, source)
    path = config_dir / "xai.yml"
    first = next(iter(yaml11(path.read_text())["models"]))
    text = _append_to_model(path.read_text(), first, "    pinned: [price]\n")
    path.write_text(text)
    (config_dir / "xai.yml").touch()
    report = sync(settings, source)
    assert path.read_text() == text
    assert "'price' is not a synced field" in (report.failed[0].error or "")


@pytest.mark.slow
def test_concurrent_sync_waits_then_fails_clearly(
    settings: Settings, config_dir: Path, tmp_path: Path
) -> None:
    from modelsync.util.fsutil import directory_lock

    source = snapshot_file(tmp_path, "2026-05-21", ("xai",))
    config_dir.mkdir(parents=True)
    with (
        directory_lock(config_dir, 1),
        pytest.raises(modelsync.LockError, match="another modelsync sync"),
    ):
        sync(settings.replace(lock_timeout=0.3), source)
    assert sync(settings, source).ok


def test_synced_files_validate(settings: Settings, config_dir: Path, tmp_path: Path) -> None:
    sync(settings, snapshot_file(tmp_path, "2026-05-21"))
    shutil.rmtree(settings.cache_path)  # no remembered results: check for real
    result = modelsync.validate_configs(settings=settings)
    assert result.ok, result.findings[:3]
    assert len(result.files) == len(PROVIDERS) - 1  # firmware is not in 2026-05-21


def test_line_endings_bom_and_document_markers_survive(
    settings: Settings, config_dir: Path, tmp_path: Path
) -> None:
    sync(settings, snapshot_file(tmp_path, "2026-03-18", ("anthropic",)))
    path = config_dir / "anthropic.yml"
    text = "\ufeff# team header\n---\n" + path.read_text() + "...\n"
    path.write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    report = sync(settings, snapshot_file(tmp_path, "2026-05-21", ("anthropic",)))
    assert report.ok and report.changed_files
    out = path.read_bytes()
    assert out.startswith("\ufeff# team header\r\n---\r\n".encode())
    assert out.endswith(b"...\r\n")
    assert b"\n" not in out.replace(b"\r\n", b"")
    data = yaml11(out.decode("utf-8-sig"))
    upstream = catalog("2026-05-21")["anthropic"]["models"]
    for model_id, raw in upstream.items():
        check_entry(data["models"][model_id], raw, model_id)


def test_canonical_file_with_crlf_stays_crlf(
    settings: Settings, config_dir: Path, tmp_path: Path
) -> None:
    sync(settings, snapshot_file(tmp_path, "2026-03-18", ("anthropic",)))
    path = config_dir / "anthropic.yml"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    assert sync(settings, snapshot_file(tmp_path, "2026-05-21", ("anthropic",))).changed_files
    lf = settings.replace(config_dir=str(tmp_path / "lf"))
    sync(lf, snapshot_file(tmp_path, "2026-03-18", ("anthropic",)))
    sync(lf, snapshot_file(tmp_path, "2026-05-21", ("anthropic",)))
    assert path.read_bytes() == (lf.config_path / "anthropic.yml").read_bytes().replace(
        b"\n", b"\r\n"
    )
