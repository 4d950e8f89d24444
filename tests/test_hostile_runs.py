"""Whole runs under pressure: reports that count only what was written, SIGTERM,
concurrent clear-cache, files owned by someone else.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from .conftest import dumps, files_snapshot, sliced
from .httpserver import CatalogServer, Reply
from .test_faults import _read_only, _synced_from_old
from .test_faults import cli as faults_cli


def cli(*args: str, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_CACHE_HOME": str(cwd / "xdg")}
    return subprocess.run(
        [sys.executable, "-m", "modelsync.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


# --- the report counts what was written ---------------------------------------------


def _json_report(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def test_a_read_only_directory_reports_no_changes_only_failures(tmp_path: Path) -> None:
    env, models = _synced_from_old(tmp_path)
    before = files_snapshot(models)
    wrap, undo = _read_only(models)
    try:
        text = faults_cli("sync", "--source", "new.json", cwd=tmp_path, env=env, wrap=wrap)
        data = faults_cli(
            "sync", "--source", "new.json", "--json", cwd=tmp_path, env=env, wrap=wrap
        )
    finally:
        undo()
    assert files_snapshot(models) == before
    assert text.returncode == 1 and data.returncode == 1
    report = _json_report(data)
    assert {p["status"] for p in report["providers"]} == {"failed"}
    assert all(not changes for changes in report["changes"].values()), report["changes"]
    assert report["counts"]["models"]["price_changed"] == 0
    assert "Price changes" not in text.stdout
    assert "0 added, 0 changed, 0 unchanged, 2 failed" in text.stdout
    assert "Models: 0 added, 0 removed (now unavailable), 0 back; 0 price changes" in text.stdout


def test_a_full_disk_counts_only_the_files_written(tmp_path: Path) -> None:
    env, models = _synced_from_old(tmp_path)
    (models / "groq.yml").unlink()  # groq is added again: a small file that fits

    def disk_full() -> None:  # files past 12.5 KB cannot be written (groq: 12 KB)
        import resource

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (12800, 12800))

    result = faults_cli(
        "sync", "--source", "new.json", "--json", cwd=tmp_path, env=env, preexec=disk_full
    )
    assert result.returncode == 1
    report = _json_report(result)
    status = {p["id"]: p["status"] for p in report["providers"]}
    assert status == {"anthropic": "failed", "groq": "added"}, status
    changed = {c["provider"] for kind in report["changes"].values() for c in kind}
    assert changed <= {"groq"}, "changes of the failed provider are not reported"
    added = [c for c in report["changes"]["added"] if c["provider"] == "groq"]
    assert report["counts"]["models"]["added"] == len(added) > 0


# --- SIGTERM ends a sync like Ctrl-C -------------------------------------------------


def test_sigterm_during_the_download_ends_with_one_line_and_143(
    server: CatalogServer, tmp_path: Path
) -> None:
    url = server.serve("/api.json", Reply(dumps(sliced()), delay=30))
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "modelsync.cli", "sync", "--source", url],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 20
    while not server.hits() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.hits(), "the sync never asked the server"
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=10)
    assert proc.returncode == 143, (proc.returncode, err)
    assert err.strip() == "modelsync: terminated", err
    models = tmp_path / "config" / "models"
    assert not [p for p in models.iterdir() if p.name.startswith(".modelsync-")]
    lock_free = subprocess.run(
        [
            sys.executable,
            "-c",
            "import fcntl, os, sys; fd = os.open(sys.argv[1], os.O_RDONLY); "
            "fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)",
            str(models),
        ],
        timeout=10,
    )
    assert lock_free.returncode == 0, "the directory lock is released"


def test_sigterm_during_the_writes_leaves_no_temporary_file(tmp_path: Path) -> None:
    from .conftest import catalog

    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_bytes(dumps(catalog("2026-03-18")))
    new.write_bytes(dumps(catalog("2026-05-21")))
    assert cli("sync", "--source", str(old), cwd=tmp_path).returncode == 0
    models = tmp_path / "config" / "models"
    before = {p.name: p.read_bytes() for p in models.iterdir()}
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    start = time.time_ns()
    proc = subprocess.Popen(
        [sys.executable, "-m", "modelsync.cli", "sync", "-q", "--source", str(new)],
        cwd=tmp_path,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    while proc.poll() is None and not any(
        p.stat().st_mtime_ns > start for p in models.iterdir() if p.exists()
    ):
        time.sleep(0.002)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode in (143, 0), (proc.returncode, err)
    if proc.returncode == 143:
        assert err.strip() == "modelsync: terminated", err
    assert not [p.name for p in models.iterdir() if p.name.startswith(".modelsync-")]
    changed = [n for n, content in before.items() if (models / n).read_bytes() != content]
    assert changed, "the signal came after the first write"
