"""Whole runs under pressure: reports that count only what was written, SIGTERM,
concurrent clear-cache, files owned by someone else.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from .conftest import dumps, files_snapshot, sliced
from .httpserver import CatalogServer, Reply
from .test_faults import _read_only, _synced_from_old
from .test_faults import cli as faults_cli
from .test_hostile_output import cli

# --- the report counts what was written ---------------------------------------------


def _json_report(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    report: dict[str, Any] = json.loads(result.stdout)
    return report


@pytest.mark.slow
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


@pytest.mark.slow
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


@pytest.mark.slow
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
    assert server.wait_for_hits(1), "the sync never asked the server"
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


@pytest.mark.slow
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
    # A replaced provider file, not the temporary file it is written to first.
    while proc.poll() is None and not any(
        p.stat().st_mtime_ns > start
        for p in models.iterdir()
        if not p.name.startswith(".modelsync-") and p.exists()
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


# --- clear-cache alongside other processes --------------------------------------------


@pytest.mark.slow
def test_concurrent_clear_cache_runs_never_trace_back(tmp_path: Path) -> None:
    (tmp_path / "api.json").write_bytes(dumps(sliced(providers=("xai",))))
    assert cli("sync", "--source", "api.json", cwd=tmp_path).returncode == 0
    state = tmp_path / "xdg" / "modelsync" / "state"
    for index in range(20000):  # many files: the runs overlap while removing them
        (state / f"{index:024x}.json").write_text("{}")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "modelsync.cli", "clear-cache", "--all"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    results = [(run, *run.communicate(timeout=60)) for run in runs]
    for run, _, err in results:
        assert "Traceback" not in err, err
        assert run.returncode == 0, err
    removed = sum(
        int(line.split()[4])
        for _, out, _ in results
        for line in out.splitlines()
        if line.startswith("removed sync state of")
    )
    assert removed == 20001, "each file removed once, counted once"
    assert not state.exists() or not any(state.iterdir())


@pytest.mark.slow
def test_clear_cache_during_a_sync_keeps_the_cache_it_uses(
    server: CatalogServer, tmp_path: Path
) -> None:
    first, second = (dumps(sliced(providers=p)) for p in (("xai",), ("xai", "groq")))
    url = server.serve("/api.json", Reply(first), Reply(second, delay=2))
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg"), "INVOKE_MODELSYNC_CACHE_TTL": "0"}
    command = [sys.executable, "-m", "modelsync.cli", "sync", "-q", "--source", url]
    assert subprocess.run(command, cwd=tmp_path, env=env).returncode == 0
    running = subprocess.Popen(command, cwd=tmp_path, env=env, stderr=subprocess.PIPE, text=True)
    assert len(server.wait_for_hits(2)) == 2, "the second sync never asked the server"
    cleared = cli("clear-cache", cwd=tmp_path)
    assert cleared.returncode == 0, cleared.stderr
    assert "removed 1 cached response" in cleared.stdout
    _, err = running.communicate(timeout=30)
    assert running.returncode == 0, err
    database = tmp_path / "xdg" / "modelsync" / "http-cache.sqlite"
    assert database.exists(), "the cache the sync was using is still there"
    con = sqlite3.connect(database)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        (count,) = con.execute("SELECT COUNT(*) FROM responses").fetchone()
    finally:
        con.close()
    assert count == 1, "the response the sync saved after the clear is in the cache"
    offline = cli("sync", "--offline", "--source", url, "--json", cwd=tmp_path)
    assert json.loads(offline.stdout)["source"]["origin"] == "stale-cache"


# --- owner and group ------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another user")
def test_a_rewritten_file_keeps_its_owner_group_and_mode(tmp_path: Path) -> None:
    env, models = _synced_from_old(tmp_path)
    path = models / "anthropic.yml"
    before = path.read_bytes()
    os.chown(path, 4321, 8765)
    path.chmod(0o640)
    result = faults_cli("sync", "--source", "new.json", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    st = path.stat()
    assert path.read_bytes() != before, "the file was rewritten"
    assert (st.st_uid, st.st_gid, st.st_mode & 0o7777) == (4321, 8765, 0o640)
