"""The live check bounded in time and memory, and reading provider files as every other
task does: real ``modelsync live`` subprocesses against loopback servers (slow bodies,
servers that never answer, huge model lists), real signals, peak memory measured from
outside the process."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from .liveserver import LiveServer, OpenAIApp
from .test_hostile_files import GIB, cli

SECRET = "sk-live-0123456789abcdefSECRET"


@pytest.fixture
def live() -> Iterator[LiveServer]:
    with LiveServer() as srv:
        yield srv


def _provider(config: Path, name: str, base: str) -> dict[str, str]:
    """A provider file asking ``base``; the environment that holds its key."""
    config.mkdir(parents=True, exist_ok=True)
    (config / f"{name}.yml").write_text(
        f"provider: {name}\nenv: [{name.upper()}_API_KEY]\napi: {base}\n"
        f"default_model: m-{name}\nmodels:\n  m-{name}: {{name: M}}\n"
    )
    return {f"{name.upper()}_API_KEY": f"key-{name}-0123456789"}


def _fast(srv: LiveServer, config: Path, names: list[str]) -> dict[str, str]:
    env: dict[str, str] = {}
    for name in names:
        app = OpenAIApp([f"m-{name}"], f"key-{name}-0123456789")
        env.update(_provider(config, name, srv.mount(f"/{name}/v1", app)))
    return env


def _live(tmp_path: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "modelsync.cli", "live", "--config-dir", "config/models"],
        cwd=tmp_path,
        env={**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg"), **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


# --- provider files are read as every task reads them -----------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    ("kind", "said"),
    [
        ("fifo", "config/models/x.yml: is a named pipe (FIFO), not a regular file"),
        ("dev_zero", "config/models/x.yml: is a symlink; modelsync does not read"),
        ("env_link", "config/models/x.yml: is a symlink; modelsync does not read"),
    ],
)
def test_a_provider_file_that_is_not_a_regular_file_is_refused_never_read(
    tmp_path: Path, live: LiveServer, kind: str, said: str
) -> None:
    config = tmp_path / "config" / "models"
    env = _fast(live, config, ["good"])
    hostile = config / "x.yml"
    if kind == "fifo":
        os.mkfifo(hostile)
    elif kind == "dev_zero":
        hostile.symlink_to("/dev/zero")
    else:
        (tmp_path / ".env").write_text(f"env: [X_API_KEY]\napi: {SECRET}\n")
        hostile.symlink_to(Path("..") / ".." / ".env")
    started = time.monotonic()
    result = cli("live", "--config-dir", "config/models", cwd=tmp_path, env=env, memory=GIB)
    assert time.monotonic() - started < 20
    assert result.returncode == 1, result.stderr
    errors = result.stderr.splitlines()
    assert len(errors) == 1 and errors[0].startswith(f"modelsync: error: x: {said}"), errors
    assert f"x: FAILED: {said}" in result.stdout
    assert "good: 1 served" in result.stdout
    assert SECRET not in result.stdout + result.stderr
