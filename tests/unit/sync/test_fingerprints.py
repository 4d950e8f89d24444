"""The fast paths: fingerprints must never make the sync skip a needed write."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

import modelsync
from modelsync.settings import Settings
from modelsync.sync import state as state_mod
from modelsync.util import fsutil

from ...conftest import dumps, files_snapshot, run_cli, sliced, yaml11
from ...httpserver import CatalogServer, Reply

PROVIDERS = ("anthropic", "xai", "groq")


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "api.json"
    path.write_bytes(dumps(sliced(providers=PROVIDERS)))
    return path


def sync(settings: Settings, source: Path | str, **kw: object) -> modelsync.SyncReport:
    return modelsync.sync_to_configs(settings=settings, source=str(source), **kw)


def price(config_dir: Path, provider: str, model: str) -> float:
    return float(
        yaml11((config_dir / f"{provider}.yml").read_text())["models"][model]["pricing"]["input"]
    )


def test_a_hand_edit_of_a_synced_value_is_repaired(
    settings: Settings, config_dir: Path, source: Path
) -> None:
    sync(settings, source)
    path = config_dir / "anthropic.yml"
    text = path.read_text()
    path.write_text(text.replace("      input: 15.0\n", "      input: 99.0\n", 1))
    report = sync(settings, source)
    assert [Path(p).name for p in report.changed_files] == ["anthropic.yml"]
    assert path.read_text() == text


def test_a_price_change_upstream_is_applied(
    settings: Settings, config_dir: Path, source: Path
) -> None:
    sync(settings, source)
    data = json.loads(source.read_bytes())
    data["anthropic"]["models"]["claude-opus-4-1"]["cost"]["input"] = 7.5
    source.write_bytes(dumps(data))
    report = sync(settings, source)
    assert price(config_dir, "anthropic", "claude-opus-4-1") == 7.5
    (change,) = [c for c in report.price_changes() if c.field == "input"]
    assert (change.model, change.old, change.new) == ("claude-opus-4-1", 15.0, 7.5)


def test_deleting_the_state_changes_nothing(
    settings: Settings, config_dir: Path, source: Path
) -> None:
    sync(settings, source)
    before = files_snapshot(config_dir)
    state_mod.state_path(settings).unlink()
    report = sync(settings, source)
    assert report.changed_files == [] and files_snapshot(config_dir) == before
    assert state_mod.state_path(settings).exists(), "the state is written again"


@pytest.mark.parametrize(
    "corrupt",
    [
        b"",
        b"\x00\xff garbage",
        b'{"version": 1, "providers": {',
        b"[]",
        b'{"version": 99}',
        b'{"version": 1, "config_dir": 3, "options": [], "providers": {"x": 5}}',
    ],
)
def test_a_corrupt_state_is_ignored(
    settings: Settings, config_dir: Path, source: Path, corrupt: bytes
) -> None:
    sync(settings, source)
    expected = files_snapshot(config_dir)
    path = config_dir / "xai.yml"
    path.write_text(
        path.read_text().replace("source: models.dev", "source: models.dev\n    notes: mine", 1)
    )
    state_mod.state_path(settings).write_bytes(corrupt)
    data = json.loads(source.read_bytes())
    data["anthropic"]["models"]["claude-opus-4-1"]["cost"]["input"] = 7.5
    source.write_bytes(dumps(data))
    report = sync(settings, source)
    assert report.ok
    assert price(config_dir, "anthropic", "claude-opus-4-1") == 7.5
    assert "notes: mine" in path.read_text()
    assert files_snapshot(config_dir)["groq.yml"] == expected["groq.yml"]


def test_a_state_from_another_directory_or_version_is_not_trusted(
    settings: Settings, config_dir: Path, source: Path, tmp_path: Path
) -> None:
    other = settings.replace(config_dir=str(tmp_path / "other"))
    sync(other, source)
    sync(settings, source)
    state_mod.state_path(settings).write_bytes(state_mod.state_path(other).read_bytes())
    (config_dir / "groq.yml").write_text("provider: groq\nmodels: {}\n")
    sync(settings, source)
    assert "source: models.dev" in (config_dir / "groq.yml").read_text()

    state = json.loads(state_mod.state_path(settings).read_bytes())
    state["options"] = state["options"].replace(modelsync.__version__, "0.0.0")
    state_mod.state_path(settings).write_text(json.dumps(state))
    (config_dir / "groq.yml").write_text("provider: groq\nmodels: {}\n")
    sync(settings, source)
    assert "source: models.dev" in (config_dir / "groq.yml").read_text()


def test_touching_a_file_without_changing_it_rewrites_nothing(
    settings: Settings, config_dir: Path, source: Path
) -> None:
    sync(settings, source)
    for path in config_dir.iterdir():
        os.utime(path, (1_000_000_000, 1_000_000_000))
    before = files_snapshot(config_dir)
    assert sync(settings, source).changed_files == []
    assert files_snapshot(config_dir) == before


def test_a_new_or_deleted_file_is_noticed(
    settings: Settings, config_dir: Path, source: Path
) -> None:
    sync(settings, source)
    (config_dir / "groq.yml").unlink()
    (config_dir / "private.yml").write_text("provider: private\nmodels: {}\n")
    report = sync(settings, source)
    assert [Path(p).name for p in report.changed_files] == ["groq.yml"]
    assert (config_dir / "private.yml").read_text() == "provider: private\nmodels: {}\n"


def test_a_filtered_sync_keeps_the_other_fingerprints(
    settings: Settings, config_dir: Path, source: Path
) -> None:
    sync(settings, source)
    data = json.loads(source.read_bytes())
    data["anthropic"]["models"]["claude-opus-4-1"]["cost"]["input"] = 7.5
    data["xai"]["name"] = "xAI (renamed)"
    source.write_bytes(dumps(data))
    report = sync(settings.replace(providers=("anthropic",)), source)
    assert [Path(p).name for p in report.changed_files] == ["anthropic.yml"]
    report = sync(settings, source)
    assert [Path(p).name for p in report.changed_files] == ["xai.yml"]


def test_a_failed_provider_is_planned_again(
    settings: Settings, config_dir: Path, source: Path
) -> None:
    sync(settings, source)
    path = config_dir / "xai.yml"
    good = path.read_text()
    path.write_text(good + "  broken: [\n")
    assert not sync(settings, source).ok
    assert not sync(settings, source).ok, "a failure is not remembered as done"
    path.write_text(good)
    assert sync(settings, source).ok


@pytest.mark.slow
def test_within_the_ttl_a_no_op_sync_imports_no_http_or_yaml_library(
    server: CatalogServer, tmp_path: Path
) -> None:
    url = server.serve("/api.json", Reply(dumps(sliced(providers=PROVIDERS))))
    env = {"XDG_CACHE_HOME": str(tmp_path / "xdg")}
    assert run_cli("modelsync", "sync", "--source", url, cwd=tmp_path, env=env).returncode == 0
    result = run_cli(
        "modelsync",
        "sync",
        "--source",
        url,
        cwd=tmp_path,
        env={**env, "PYTHONPROFILEIMPORTTIME": "1"},
    )
    assert result.returncode == 0, result.stderr
    assert "3 unchanged" in result.stdout
    imported = {
        line.split("|")[-1].strip()
        for line in result.stderr.splitlines()
        if line.startswith("import time:")
    }
    # (PyYAML is not in the list: Invoke imports it to read its own configuration.)
    heavy = {
        m
        for m in imported
        if m.split(".")[0]
        in ("requests", "requests_cache", "ruamel", "jsonschema", "fastjsonschema")
    }
    assert heavy == set()
    assert len(server.hits()) == 1


@pytest.mark.slow
def test_the_quick_path_notices_a_cleared_cache_and_a_changed_ttl(
    server: CatalogServer, settings: Settings
) -> None:
    url = server.serve("/api.json", Reply(dumps(sliced(providers=PROVIDERS))))
    sync(settings, url)
    sync(settings, url)
    assert len(server.hits()) == 1
    sync(settings.replace(cache_ttl=0), url)
    assert len(server.hits()) == 2, "a shorter TTL makes the cached catalog stale"
    settings.http_cache_path.unlink()
    sync(settings, url)
    assert len(server.hits()) == 3


def test_an_edit_in_place_that_keeps_size_and_mtime_is_seen(
    settings: Settings, config_dir: Path, source: Path
) -> None:
    """``touch -r``: same inode, same size, the mtime set back; only the ctime moved."""
    sync(settings, source)
    _edit_in_place_keeping_size_and_mtime(source, '"input": 15,', '"input": 16,')
    report = sync(settings, source)
    assert report.ok and report.price_changes(), "the new price is applied"


def _edit_in_place_keeping_size_and_mtime(path: Path, old: str, new: str) -> None:
    """What ``touch -r`` after an edit leaves: same inode, size and mtime; a new ctime."""
    before = path.stat()
    text = path.read_text()
    assert old in text and len(old) == len(new)
    time.sleep(0.05)  # past the kernel's timestamp granularity
    with path.open("r+") as fh:
        fh.write(text.replace(old, new, 1))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_ino, after.st_size, after.st_mtime_ns) == (
        before.st_ino,
        before.st_size,
        before.st_mtime_ns,
    )


def _opened(paths: set[str]) -> list[str]:
    """Files of ``paths`` opened from now on (a real audit hook of the interpreter)."""
    seen: list[str] = []

    def hook(event: str, args: tuple[object, ...]) -> None:
        if event == "open" and isinstance(args[0], str) and os.path.realpath(args[0]) in paths:
            seen.append(args[0])

    import sys

    sys.addaudithook(hook)
    return seen


def test_a_settled_file_is_told_by_its_signature_and_an_edit_is_still_seen(
    settings: Settings, config_dir: Path, source: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A no-op sync trusts the signature of a file left alone since it was recorded
    (inode, size, mtime, ctime) and reads none of them; an edit that keeps the size and
    sets the mtime back still moves the ctime, and is repaired."""
    monkeypatch.setattr(fsutil, "SETTLED", 0.0)  # every file counts as settled
    sync(settings, source)
    recorded = json.loads(state_mod.state_path(settings).read_text())["providers"]
    assert all(p["signature"] for p in recorded.values())
    files = {os.path.realpath(p) for p in config_dir.glob("*.yml")}
    opened = _opened(files)
    assert sync(settings, source).changed_files == []
    assert opened == [], "a no-op reads no settled file"
    path = config_dir / "anthropic.yml"
    synced = path.read_text()
    _edit_in_place_keeping_size_and_mtime(path, "      input: 15.0\n", "      input: 16.0\n")
    report = sync(settings, source)
    assert [Path(p).name for p in report.changed_files] == ["anthropic.yml"]
    assert path.read_text() == synced


def test_a_file_changed_right_after_a_sync_is_read_not_trusted(
    settings: Settings, config_dir: Path, source: Path
) -> None:
    """Within the file system clock's tick a change can keep every part of a signature,
    so a file changed less than ``SETTLED`` seconds before the sync recorded it has no
    signature: its content is what tells."""
    sync(settings, source)
    recorded = json.loads(state_mod.state_path(settings).read_text())["providers"]
    assert all(p["signature"] is None for p in recorded.values()), "all just written"
    path = config_dir / "anthropic.yml"
    synced = path.read_text()
    _edit_in_place_keeping_size_and_mtime(path, "      input: 15.0\n", "      input: 16.0\n")
    assert [Path(p).name for p in sync(settings, source).changed_files] == ["anthropic.yml"]
    assert path.read_text() == synced


def test_a_no_op_records_the_signatures_of_files_settled_since(
    settings: Settings, config_dir: Path, source: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sync(settings, source)  # every file just written: no signature
    monkeypatch.setattr(fsutil, "SETTLED", 0.0)  # as if two seconds had passed
    assert sync(settings, source, dry_run=True).changed_files == []
    recorded = json.loads(state_mod.state_path(settings).read_text())["providers"]
    assert all(p["signature"] is None for p in recorded.values()), "a dry run records nothing"
    assert sync(settings, source).changed_files == []
    recorded = json.loads(state_mod.state_path(settings).read_text())["providers"]
    assert all(p["signature"] for p in recorded.values())
