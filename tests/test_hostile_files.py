"""Hostile local files, round two: sources that never end, provider files that are not
files, links to secrets, alias bombs. Each runs the real command in a subprocess, with
a time limit and, where memory is the point, an address-space limit.
"""

from __future__ import annotations

import gzip
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import dumps, files_snapshot, sliced

SMALL = dumps(sliced(providers=("anthropic", "xai", "groq")))
GIB = 1 << 30


def cli(
    *args: str,
    cwd: Path,
    env: dict[str, str] | None = None,
    stdin: int | None = None,
    memory: int | None = None,
    timeout: float = 60,
) -> subprocess.CompletedProcess[str]:
    """``modelsync <args>`` in a subprocess; ``memory``: its address-space limit."""

    def limit() -> None:
        if memory:
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    return subprocess.run(
        [sys.executable, "-m", "modelsync.cli", *args],
        cwd=cwd,
        env={**os.environ, "XDG_CACHE_HOME": str(cwd / "xdg"), **(env or {})},
        stdin=stdin if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=limit,
    )


def one_error(result: subprocess.CompletedProcess[str], *needles: str) -> str:
    assert "Traceback" not in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert errors, result.stderr
    assert all(n in "\n".join(errors) for n in needles), result.stderr
    return errors[0]


# --- sources that are not regular files ------------------------------------------------


def test_dev_zero_as_source_is_read_within_the_size_limit(tmp_path: Path) -> None:
    env = {"INVOKE_MODELSYNC_MAX_RESPONSE_BYTES": "5000000"}
    result = cli("sync", "--source", "/dev/zero", cwd=tmp_path, env=env, memory=GIB)
    assert result.returncode == 1
    one_error(result, "/dev/zero: exceeds the limit of 5,000,000 bytes")
    assert not (tmp_path / "config" / "models").exists() or not any(
        (tmp_path / "config" / "models").iterdir()
    )


def test_stdin_fed_forever_is_read_within_the_size_limit(tmp_path: Path) -> None:
    feeder = subprocess.Popen(["cat", "/dev/zero"], stdout=subprocess.PIPE)
    try:
        assert feeder.stdout is not None
        result = cli(
            "sync", "--source", "/dev/stdin", cwd=tmp_path, stdin=feeder.stdout.fileno(), memory=GIB
        )
    finally:
        feeder.kill()
        feeder.wait()
    assert result.returncode == 1
    one_error(result, "/dev/stdin: exceeds the limit of 52,428,800 bytes")


def test_a_catalog_piped_to_stdin_syncs(tmp_path: Path) -> None:
    (tmp_path / "api.json").write_bytes(SMALL)
    with open(tmp_path / "api.json", "rb") as fh:
        pipe = subprocess.Popen(["cat"], stdin=fh, stdout=subprocess.PIPE)
        assert pipe.stdout is not None
        result = cli("sync", "--source", "/dev/stdin", cwd=tmp_path, stdin=pipe.stdout.fileno())
        pipe.wait()
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "config" / "models" / "xai.yml").exists()


@pytest.mark.slow
def test_a_fifo_as_source_without_a_writer_ends_at_the_deadline(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "api.json")
    start = time.monotonic()
    result = cli(
        "sync",
        "--source",
        "api.json",
        cwd=tmp_path,
        env={"INVOKE_MODELSYNC_FETCH_DEADLINE": "1"},
        timeout=30,
    )
    assert time.monotonic() - start < 15
    assert result.returncode == 1
    one_error(result, "api.json: nothing more to read within 1 s (modelsync.fetch_deadline)")


def test_a_multi_member_gzip_source_is_read_whole(tmp_path: Path) -> None:
    half = len(SMALL) // 2
    (tmp_path / "api.json.gz").write_bytes(
        gzip.compress(SMALL[:half]) + gzip.compress(SMALL[half:])
    )
    result = cli("sync", "--source", "api.json.gz", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert {p.name for p in (tmp_path / "config" / "models").iterdir()} == {
        "anthropic.yml",
        "groq.yml",
        "xai.yml",
    }


def test_a_file_url_on_another_host_is_refused(tmp_path: Path) -> None:
    (tmp_path / "api.json").write_bytes(SMALL)
    remote = cli("sync", "--source", f"file://fileserver{tmp_path}/api.json", cwd=tmp_path)
    assert remote.returncode == 1
    one_error(remote, "a file URL on host 'fileserver' is not a local file")
    assert not list(tmp_path.glob("config/models/*.yml"))
    local = cli("sync", "--source", f"file://localhost{tmp_path}/api.json", cwd=tmp_path)
    assert local.returncode == 0, local.stderr


# --- provider files that are not regular files ------------------------------------------


def _synced(tmp_path: Path) -> Path:
    (tmp_path / "api.json").write_bytes(SMALL)
    assert cli("sync", "--source", "api.json", cwd=tmp_path).returncode == 0
    return tmp_path / "config" / "models"


@pytest.mark.slow
@pytest.mark.parametrize("task", ["sync", "validate", "models"])
def test_a_fifo_named_like_a_provider_file_is_an_error_never_opened(
    task: str, tmp_path: Path
) -> None:
    models = _synced(tmp_path)
    (models / "xai.yml").unlink()
    os.mkfifo(models / "x.yml")
    before = files_snapshot(models)
    args = ["sync", "--source", "api.json"] if task == "sync" else [task]
    start = time.monotonic()
    result = cli(*args, cwd=tmp_path, timeout=30)
    assert time.monotonic() - start < 20
    assert result.returncode == 1, result.stderr
    text = result.stdout + result.stderr
    assert "config/models/x.yml" in text and "is a named pipe (FIFO), not a regular file" in text
    assert "Traceback" not in result.stderr
    if task == "sync":
        assert (models / "xai.yml").exists(), "the other providers are synced"
        assert {k: v for k, v in files_snapshot(models).items() if k != "xai.yml"} == before


@pytest.mark.slow
def test_validate_refuses_a_symlink_and_never_prints_its_target(tmp_path: Path) -> None:
    models = _synced(tmp_path)
    secret = "GITHUB_TOKEN=ghp_0123456789abcdefghijklmnopqrstuvwxyzAB"
    (tmp_path / ".env").write_text(secret + "\n")
    (models / "b.yml").symlink_to(Path("..") / ".." / ".env")
    result = cli("validate", cwd=tmp_path)
    assert result.returncode == 1
    assert "ghp_" not in result.stdout + result.stderr
    assert "config/models/b.yml: is a symlink" in result.stdout
    sync = cli("sync", "--source", "api.json", cwd=tmp_path)
    assert "ghp_" not in sync.stdout + sync.stderr
    one_error(sync, "config/models/b.yml: is a symlink")


# --- YAML alias bombs -------------------------------------------------------------------


def alias_bomb(levels: int = 9) -> str:
    """``a1: &a1 [x, ...]``, ``a2: &a2 [*a1, ...]``... and ``notes: *a<levels>``: 10^levels
    values once expanded, in about 1 KB."""
    lines = ["a1: &a1 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(2, levels + 1)]
    return "\n".join([*lines, f"notes: *a{levels}", ""])


@pytest.mark.slow
def test_an_alias_bomb_is_refused_by_sync_and_validate_alike(tmp_path: Path) -> None:
    models = _synced(tmp_path)
    path = models / "xai.yml"
    original = path.read_text()
    path.write_text(original + alias_bomb())
    first_bomb_line = original.count("\n") + 1
    start = time.monotonic()
    validate = cli("validate", cwd=tmp_path, memory=2 * GIB, timeout=60)
    sync = cli("sync", "--source", "api.json", cwd=tmp_path, memory=2 * GIB, timeout=60)
    assert time.monotonic() - start < 20
    assert validate.returncode == 1 and sync.returncode == 1
    assert "Traceback" not in validate.stderr
    found = [line for line in validate.stdout.splitlines() if "xai.yml" in line]
    assert len(found) == 1, validate.stdout
    error = one_error(sync, "config/models/xai.yml:", "alias bomb")
    where = found[0].split(": ")[0]
    assert error == f"modelsync: error: {found[0]}", "validate and sync say the same"
    line = int(where.split(":")[1])
    assert first_bomb_line < line <= first_bomb_line + 9
    assert path.read_text() == original + alias_bomb()


@pytest.mark.slow
def test_aliases_within_reason_still_work(tmp_path: Path) -> None:
    models = _synced(tmp_path)
    path = models / "xai.yml"
    path.write_text(path.read_text() + alias_bomb(levels=3))
    assert cli("validate", cwd=tmp_path).returncode == 0
    result = cli("sync", "--source", "api.json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
