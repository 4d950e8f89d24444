"""Hostile inputs and failures: nothing is lost, nothing escapes, every error is one line.

Each test drives the real code path: a loopback HTTP server, real files, real processes
(killed with SIGKILL, limited with RLIMIT_FSIZE, or given a read-only file system).
"""

from __future__ import annotations

import gzip
import json
import os
import random
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

import modelsync
from modelsync.settings import Settings

from .conftest import catalog, dumps, files_snapshot, raw_snapshot, run_measured, sliced, yaml11
from .httpserver import CatalogServer, Reply

SMALL = dumps(sliced(providers=("anthropic", "xai", "groq")))


def sync(settings: Settings, source: str, **kw: object) -> modelsync.SyncReport:
    return modelsync.sync_to_configs(settings=settings, source=source, **kw)


def cli(
    *args: str,
    cwd: Path,
    env: dict[str, str] | None = None,
    preexec: Callable[[], None] | None = None,
    wrap: list[str] | None = None,
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    cmd = [*(wrap or []), sys.executable, "-m", "modelsync.cli", *args]
    return subprocess.run(
        cmd, cwd=cwd, env=full_env, capture_output=True, text=True, timeout=300, preexec_fn=preexec
    )


def one_error_line(stderr: str, *needles: str) -> str:
    assert "Traceback" not in stderr, stderr
    errors = [line for line in stderr.splitlines() if ": error: " in line]
    assert errors, stderr
    assert all(n in "\n".join(errors) for n in needles), stderr
    return errors[0]


# --- upstream over HTTP ----------------------------------------------------------------

BAD_BODIES = {
    "truncated JSON": raw_snapshot()[:5000],
    "invalid JSON": b"{'providers': nope}",
    "a list": b"[1, 2, 3]",
    "an empty object": b"{}",
    "an HTML error page": b"<html><body><h1>502 Bad Gateway</h1></body></html>",
}


@pytest.mark.slow
@pytest.mark.parametrize("kind", sorted(BAD_BODIES))
def test_a_bad_body_uses_the_stale_cache_and_is_not_cached(
    kind: str, server: CatalogServer, settings: Settings, config_dir: Path
) -> None:
    url = server.serve("/api.json", Reply(SMALL), Reply(BAD_BODIES[kind], content_type="text/html"))
    s = settings.replace(cache_ttl=0)
    sync(s, url)
    before = files_snapshot(config_dir)
    report = sync(s, url)
    assert report.source.origin == "stale-cache"
    assert report.changed_files == [] and files_snapshot(config_dir) == before
    offline = sync(s.replace(offline=True), url)
    assert offline.source.sha256 == report.source.sha256, "the good response is still cached"


@pytest.mark.slow
def test_a_bad_body_without_cache_is_never_applied(
    server: CatalogServer, settings: Settings, config_dir: Path, tmp_path: Path
) -> None:
    config_dir.mkdir(parents=True)
    newer = sliced(providers=["xai"])
    next(iter(newer["xai"]["models"].values()))["last_updated"] = "2099-01-01"
    (tmp_path / "newer.json").write_bytes(dumps(newer))
    sync(settings, str(tmp_path / "newer.json"))
    before = files_snapshot(config_dir)
    url = server.serve("/api.json", Reply(b"<html>oops</html>"))
    with pytest.raises(modelsync.FetchError, match="not valid JSON"):
        sync(settings, url)
    assert files_snapshot(config_dir) == before


@pytest.mark.slow
@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (Reply(b"gone", 404), "HTTP 404"),
        (Reply(b"slow down", 429, headers={"Retry-After": "120"}), "HTTP 429"),
        (Reply(b"boom", 500), "HTTP 500"),
        (Reply(b"busy", 503), "HTTP 503"),
        (Reply(SMALL, delay=3), "timed out"),
        (Reply(SMALL, drop=True), "the server closed the connection without answering"),
    ],
    ids=["404", "429", "500", "503", "read-timeout", "dropped"],
)
def test_http_failures_fall_back_within_a_bounded_time(
    reply: Reply,
    message: str,
    server: CatalogServer,
    settings: Settings,
    config_dir: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    url = server.serve("/api.json", Reply(SMALL), reply)
    s = settings.replace(cache_ttl=0, retries=2, read_timeout=0.5, retry_after_max=0.2)
    sync(s, url)
    before = files_snapshot(config_dir)
    start = time.monotonic()
    report = sync(s, url)
    elapsed = time.monotonic() - start
    assert report.source.origin == "stale-cache"
    assert files_snapshot(config_dir) == before
    assert elapsed < 10, f"took {elapsed:.1f} s"
    attempts = len(server.hits()) - 1
    expected = 1 if reply.status == 404 else 3  # 404 is final; the rest retried twice
    assert attempts == expected
    assert message in " ".join(r.getMessage() for r in caplog.records)


@pytest.mark.slow
def test_connection_refused_falls_back_to_the_stale_cache(
    settings: Settings, config_dir: Path
) -> None:
    with CatalogServer() as srv:  # a port that answered once, then closed
        url = srv.serve("/api.json", Reply(SMALL))
        sync(settings.replace(cache_ttl=0), url)
    before = files_snapshot(config_dir)
    start = time.monotonic()
    report = sync(settings.replace(cache_ttl=0), url)
    assert report.source.origin == "stale-cache"
    assert files_snapshot(config_dir) == before
    assert time.monotonic() - start < 10


def test_a_dns_failure_with_nothing_to_fall_back_on_is_one_clear_error(
    settings: Settings, config_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    newer = sliced(providers=["xai"])  # configs newer than the bundled snapshot
    next(iter(newer["xai"]["models"].values()))["last_updated"] = "2099-01-01"
    (tmp_path / "newer.json").write_bytes(dumps(newer))
    sync(settings, str(tmp_path / "newer.json"))
    before = files_snapshot(config_dir)
    host = "modelsync-test.invalid"  # a reserved name that never resolves
    monkeypatch.setenv("NO_PROXY", f"127.0.0.1,localhost,{host}")
    monkeypatch.setenv("no_proxy", f"127.0.0.1,localhost,{host}")
    start = time.monotonic()
    with pytest.raises(modelsync.FetchError, match=r"cannot resolve the host name"):
        sync(settings, f"https://{host}/api.json")
    assert time.monotonic() - start < 20
    assert files_snapshot(config_dir) == before


@pytest.mark.slow
def test_a_huge_response_is_refused_without_reading_it(
    server: CatalogServer, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    url = server.serve("/api.json", Reply(stream_bytes=500 * 1024 * 1024))
    start = time.monotonic()
    limited = settings.replace(max_response_bytes=1_000_000, retries=0)
    report = modelsync.sync_to_configs(settings=limited, api_url=url)
    assert report.source.origin == "bundled", "the documented fallback, not the response"
    assert time.monotonic() - start < 10
    assert "response exceeds the limit of 1,000,000 bytes" in caplog.text
    streamed = server.wait_for_streamed()  # the server notices the hang-up
    assert streamed and streamed[0] < 100 * 1024 * 1024, streamed
    declared = server.serve("/big.json", Reply(b"x" * 2_000_000, validators=False))
    with pytest.raises(modelsync.FetchError, match="response of 2,000,000 bytes exceeds"):
        sync(settings.replace(max_response_bytes=1_000_000), declared)


@pytest.mark.slow
def test_a_decompression_bomb_is_refused_in_bounded_memory(
    server: CatalogServer, tmp_path: Path
) -> None:
    bomb = gzip.compress(b" " * (400 * 1024 * 1024), compresslevel=9)
    assert len(bomb) < 1_000_000  # 400 MB once inflated
    server.serve("/api.json", Reply(bomb, headers={"Content-Encoding": "gzip"}, validators=False))
    env = {
        **os.environ,
        "XDG_CACHE_HOME": str(tmp_path / "xdg"),
        "INVOKE_MODELSYNC_RETRIES": "0",
        "INVOKE_MODELSYNC_API_URL": server.url(),
    }
    code, err, peak_mb = run_measured(
        [sys.executable, "-m", "modelsync.cli", "sync"],
        cwd=tmp_path,
        env=env,
    )
    assert code == 0, err
    assert "exceeds the limit of 52,428,800 bytes" in err
    assert "using the bundled snapshot" in err, "the documented fallback"
    assert peak_mb < 200, f"peak {peak_mb:.0f} MB for a 400 MB bomb (limit 50 MB)"


@pytest.mark.slow
def test_redirects_to_another_host_are_refused(
    server: CatalogServer, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    elsewhere = server.serve("/moved.json", Reply(SMALL))
    other_host = elsewhere.replace("127.0.0.1", "localhost")
    url = server.serve(
        "/api.json", Reply(status=302, headers={"Location": other_host}, validators=False)
    )
    report = modelsync.sync_to_configs(settings=settings, api_url=url)
    assert report.source.origin == "bundled", "the documented fallback, not the redirect"
    assert server.hits("/moved.json") == []
    assert (
        f"refusing a redirect from http://127.0.0.1:{server.port} to http://localhost:{server.port}"
    ) in caplog.text
    same_host = server.serve(
        "/old.json", Reply(status=301, headers={"Location": "/moved.json"}, validators=False)
    )
    followed = sync(settings, same_host, allow_shrink=True)
    assert followed.source.origin == "network" and len(server.hits("/moved.json")) == 1


def test_plain_http_to_another_host_warns(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    modelsync.fetch_all(
        settings=settings.replace(offline=True), source="http://example.invalid/api.json"
    )
    messages = " ".join(r.getMessage() for r in caplog.records)
    assert "source http://example.invalid/api.json is plain http" in messages


@pytest.mark.slow
def test_a_shrinking_catalog_is_refused_unless_allowed(
    tmp_path: Path, settings: Settings, config_dir: Path
) -> None:
    full = catalog()
    (tmp_path / "full.json").write_bytes(dumps(full))
    sync(settings, str(tmp_path / "full.json"))
    before = files_snapshot(config_dir)
    shrunk = {k: full[k] for k in sorted(full)[:100]}
    (tmp_path / "shrunk.json").write_bytes(dumps(shrunk))
    report = sync(settings, str(tmp_path / "shrunk.json"))
    assert report.refused and "132" in report.refused and "100 providers" in report.refused
    assert not report.ok and files_snapshot(config_dir) == before
    applied = sync(settings, str(tmp_path / "shrunk.json"), allow_shrink=True)
    assert applied.ok and applied.changed_files


@pytest.mark.slow
def test_one_provider_losing_most_of_its_models_syncs(
    tmp_path: Path, settings: Settings, config_dir: Path
) -> None:
    old, new = catalog("2026-03-18"), catalog("2026-05-21")
    assert len(old["xai"]["models"]) > 3 * len(new["xai"]["models"])
    (tmp_path / "old.json").write_bytes(dumps(old))
    (tmp_path / "new.json").write_bytes(dumps(new))
    sync(settings, str(tmp_path / "old.json"))
    report = sync(settings, str(tmp_path / "new.json"))
    assert report.ok and str(config_dir / "xai.yml") in report.changed_files


def test_values_of_the_wrong_type_or_range_skip_only_that_model(
    tmp_path: Path, settings: Settings, config_dir: Path
) -> None:
    data = sliced(providers=["anthropic"])
    ids = sorted(data["anthropic"]["models"])
    models = data["anthropic"]["models"]
    models[ids[2]]["cost"]["input"] = "NAN_HERE"
    models[ids[3]]["cost"]["output"] = "INF_HERE"
    models[ids[0]]["cost"]["input"] = -3
    models[ids[1]]["limit"]["context"] = "lots"
    text = json.dumps(data).replace('"NAN_HERE"', "NaN").replace('"INF_HERE"', "1e309")
    (tmp_path / "api.json").write_text(text)
    report = sync(settings, str(tmp_path / "api.json"))
    skipped = {m: why for _, m, why in report.skipped_models()}
    assert set(skipped) == set(ids[:4])
    assert "minimum" in skipped[ids[0]] and "integer" in skipped[ids[1]]
    assert "finite" in skipped[ids[2]] and (
        "finite" in skipped[ids[3]] or "maximum" in skipped[ids[3]]
    )
    doc = yaml11((config_dir / "anthropic.yml").read_text())
    assert set(doc["models"]) == set(ids[4:])


# --- local state ----------------------------------------------------------------------


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_a_corrupt_http_cache_is_discarded_and_refetched(
    damage: str,
    server: CatalogServer,
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    url = server.serve("/api.json", Reply(SMALL))
    sync(settings, url)
    db = settings.http_cache_path
    if damage == "garbage":
        db.write_bytes(b"this is not a database" * 100)
    else:
        content = db.read_bytes()
        db.write_bytes(content[: len(content) // 3])
    shutil.rmtree(settings.cache_path / "state")  # so the damage is not skipped over
    report = sync(settings, url)
    assert report.ok and report.source.origin == "network"
    assert len(server.hits()) == 2
    assert any("unreadable" in r.getMessage() for r in caplog.records)
    sqlite3.connect(db).execute("PRAGMA quick_check").fetchone()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("damage", "where"),
    [
        (lambda t: t.replace("\n  claude-opus-4-1:\n", "\n  claude-opus-4-1: [\n", 1), ":"),
        (
            lambda t: t.replace("\nname: Anthropic\n", "\nname: Anthropic\nname: Again\n", 1),
            ":3:1: ",
        ),
        (lambda t: "- " + t.replace("\n", "\n  "), ":"),
        (lambda t: t.replace("Anthropic", "Anthropic \udcff", 1), ":2:"),
    ],
    ids=["syntax", "duplicate-key", "top-level-list", "non-utf8"],
)
def test_an_unreadable_file_is_left_byte_for_byte(
    damage: Callable[[str], str], where: str, tmp_path: Path
) -> None:
    source = tmp_path / "api.json"
    source.write_bytes(SMALL)
    env = {"XDG_CACHE_HOME": str(tmp_path / "xdg")}
    assert cli("sync", "--source", str(source), cwd=tmp_path, env=env).returncode == 0
    models = tmp_path / "config" / "models"
    path = models / "anthropic.yml"
    broken = damage(path.read_text()).encode("utf-8", "surrogateescape")
    path.write_bytes(broken)
    (models / "xai.yml").unlink()
    result = cli("sync", "--source", str(source), cwd=tmp_path, env=env)
    assert result.returncode == 1
    assert path.read_bytes() == broken
    assert (models / "xai.yml").exists(), "the other providers are synced"
    line = one_error_line(result.stderr, "config/models/anthropic.yml" + where)
    assert line.startswith("modelsync: error: config/models/anthropic.yml")


def _read_only(directory: Path) -> tuple[list[str] | None, Callable[[], None]]:
    """A way to make ``directory`` read-only for a child process, even when run as root:
    a read-only bind mount in a private mount namespace (or chattr +i, or chmod)."""
    if os.geteuid() != 0:
        directory.chmod(0o555)
        return None, lambda: directory.chmod(0o755)
    probe = subprocess.run(
        ["unshare", "-rm", "sh", "-c", f"mount --bind -o ro '{directory}' '{directory}'"],
        capture_output=True,
    )
    if probe.returncode == 0:
        return [
            "unshare",
            "-rm",
            "sh",
            "-c",
            f"mount --bind -o ro '{directory}' '{directory}' && exec \"$@\"",
            "sh",
        ], (lambda: None)
    subprocess.run(["chattr", "+i", str(directory)], check=True)
    return None, lambda: subprocess.run(["chattr", "-i", str(directory)], check=True)


def _synced_from_old(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """A directory synced from 2026-03-18 (old.json), with 2026-05-21 in new.json."""
    (tmp_path / "old.json").write_bytes(dumps(sliced("2026-03-18", ("anthropic", "groq"))))
    (tmp_path / "new.json").write_bytes(dumps(sliced("2026-05-21", ("anthropic", "groq"))))
    env = {"XDG_CACHE_HOME": str(tmp_path / "xdg")}
    assert cli("sync", "--source", "old.json", cwd=tmp_path, env=env).returncode == 0
    return env, tmp_path / "config" / "models"


@pytest.mark.slow
def test_a_read_only_config_directory_keeps_every_file(tmp_path: Path) -> None:
    env, models = _synced_from_old(tmp_path)
    before = files_snapshot(models)
    wrap, undo = _read_only(models)
    try:
        result = cli(
            "sync", "--source", str(tmp_path / "new.json"), cwd=tmp_path, env=env, wrap=wrap
        )
    finally:
        undo()
    assert result.returncode == 1, result.stderr
    assert files_snapshot(models) == before, "old files intact, no temporary files"
    one_error_line(result.stderr, "cannot write")


@pytest.mark.slow
def test_a_full_disk_during_a_write_keeps_the_old_file(tmp_path: Path) -> None:
    env, models = _synced_from_old(tmp_path)
    before = files_snapshot(models)

    def disk_full() -> None:  # writes past 4 KB fail with EFBIG, as on a full disk
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))

    result = cli("sync", "--source", "new.json", cwd=tmp_path, env=env, preexec=disk_full)
    assert result.returncode == 1
    assert files_snapshot(models) == before
    one_error_line(result.stderr, "cannot write: File too large")
    assert cli("sync", "--source", "new.json", cwd=tmp_path, env=env).returncode == 0


def _written_since(directory: Path, start_ns: int) -> bool:
    for entry in os.scandir(directory):
        try:
            if entry.stat().st_mtime_ns > start_ns:
                return True
        except FileNotFoundError:  # a temporary file renamed away meanwhile
            continue
    return False


@pytest.mark.slow
def test_sigkill_at_random_points_leaves_old_or_new_files(tmp_path: Path) -> None:
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_bytes(dumps(catalog("2026-03-18")))
    new.write_bytes(dumps(catalog("2026-05-21")))
    env = {"XDG_CACHE_HOME": str(tmp_path / "xdg")}
    reference = tmp_path / "reference"
    reference.mkdir()
    assert cli("sync", "--source", str(old), cwd=reference, env=env).returncode == 0
    old_files = files_snapshot(reference / "config" / "models")
    assert cli("sync", "--source", str(new), cwd=reference, env=env).returncode == 0
    new_files = files_snapshot(reference / "config" / "models")

    work = tmp_path / "work"
    models = work / "config" / "models"
    rng = random.Random(20261124)
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "kx")}
    cmd = [sys.executable, "-m", "modelsync.cli", "sync", "-q", "--source", str(new)]
    mixed = 0  # rounds killed between two file replacements
    for round_ in range(10):
        shutil.rmtree(models, ignore_errors=True)
        models.mkdir(parents=True)
        for name, (content, _) in old_files.items():
            (models / name).write_bytes(content)
        start = time.time_ns()
        proc = subprocess.Popen(cmd, cwd=work, env=env)
        if round_ % 2:  # somewhere in the whole run
            time.sleep(rng.uniform(0.05, 1.5))
        else:  # in the middle of the writes: right after the first file is replaced
            while proc.poll() is None and not _written_since(models, start):
                time.sleep(0.002)
            time.sleep(rng.uniform(0, 0.03))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        states = set()
        for path in models.iterdir():
            if path.name.startswith(".modelsync-"):
                continue  # a temporary file: SIGKILL leaves no chance to remove it
            content = path.read_bytes()
            old_content = old_files.get(path.name, (None,))[0]
            assert content in (old_content, new_files[path.name][0]), (
                f"round {round_}: {path.name} torn"
            )
            yaml11(content)
            if old_content != new_files[path.name][0]:
                states.add("old" if content == old_content else "new")
        mixed += states == {"old", "new"}
        if round_ % 3 == 2 or round_ == 9:
            done = subprocess.run(cmd, cwd=work, env=env, capture_output=True, text=True)
            assert done.returncode == 0, done.stderr
            assert {n: c for n, (c, _) in files_snapshot(models).items()} == {
                n: c for n, (c, _) in new_files.items()
            }, "the next sync completes and tidies"
    assert mixed >= 1, "no kill landed in the middle of the writes"


@pytest.mark.slow
def test_two_syncs_at_once_one_waits_and_files_end_complete(tmp_path: Path) -> None:
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_bytes(dumps(catalog("2026-03-18")))
    new.write_bytes(dumps(catalog("2026-05-21")))
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    assert cli("sync", "--source", str(old), cwd=tmp_path, env=env).returncode == 0
    cmd = [sys.executable, "-m", "modelsync.cli", "sync", "-q", "--source", str(new)]
    procs = [
        subprocess.Popen(cmd, cwd=tmp_path, env=env, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0 or "another modelsync sync is running" in err, err
    models = tmp_path / "config" / "models"
    assert modelsync.validate_configs(config_dir=str(models), use_cache=False).ok

    # A sync that cannot get the lock in time fails clearly and changes nothing.
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, os, sys, time; fd = os.open(sys.argv[1], os.O_RDONLY); "
            "fcntl.flock(fd, fcntl.LOCK_EX); print('held', flush=True); time.sleep(30)",
            str(models),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    before = files_snapshot(models)
    blocked = cli(
        "sync",
        "--source",
        str(old),
        "--allow-shrink",
        cwd=tmp_path,
        env={"XDG_CACHE_HOME": str(tmp_path / "xdg"), "INVOKE_MODELSYNC_LOCK_TIMEOUT": "0.5"},
    )
    holder.kill()
    holder.wait()
    assert blocked.returncode == 1
    one_error_line(blocked.stderr, "another modelsync sync is running on it (waited 0.5 s")
    assert files_snapshot(models) == before


def test_a_symlinked_provider_file_is_not_written_through(
    tmp_path: Path, settings: Settings, config_dir: Path
) -> None:
    (tmp_path / "old.json").write_bytes(dumps(sliced("2026-03-18", ("anthropic", "groq"))))
    (tmp_path / "new.json").write_bytes(dumps(sliced("2026-05-21", ("anthropic", "groq"))))
    sync(settings, str(tmp_path / "old.json"))
    outside = tmp_path / "outside.yml"
    shutil.move(config_dir / "groq.yml", outside)
    before = outside.read_bytes()
    (config_dir / "groq.yml").symlink_to(outside)
    report = sync(settings, str(tmp_path / "new.json"))
    assert outside.read_bytes() == before
    assert (config_dir / "groq.yml").is_symlink()
    assert any("is a symlink" in (p.error or "") for p in report.failed)
    assert str(config_dir / "anthropic.yml") in report.changed_files
