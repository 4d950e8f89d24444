"""Shared fixtures: real catalog snapshots, a loopback HTTP server, isolated caches.

No test reaches the internet: every test runs with ``HTTP(S)_PROXY`` pointing at a closed
port on 127.0.0.1 (``NO_PROXY`` exempts loopback), so a request that would leave the
machine fails at once, in this process and in every subprocess the tests start.
"""

from __future__ import annotations

import copy
import functools
import gzip
import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from modelsync.settings import Settings, make_settings

from .httpserver import CatalogServer

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).parent.parent
DATES = ("2026-01-10", "2026-03-18", "2026-05-21")
NEWEST = DATES[-1]

#: A small slice of the catalog that still has every quirk: ids with '/', ':' and '@',
#: long-context tiers, a 'fast' mode, deprecated and beta models, models without cost.
SMALL = ("anthropic", "xai", "google-vertex-anthropic", "synthetic", "groq", "wafer.ai", "xiaomi")


@functools.cache
def _raw(date: str) -> bytes:
    return gzip.decompress((DATA / f"api-{date}.json.gz").read_bytes())


def catalog(date: str = NEWEST) -> dict[str, Any]:
    """A fresh copy of a real snapshot."""
    return copy.deepcopy(_parsed(date))


@functools.cache
def _parsed(date: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(_raw(date))
    return data


def raw_snapshot(date: str = NEWEST) -> bytes:
    return _raw(date)


def sliced(date: str = NEWEST, providers: Sequence[str] = SMALL) -> dict[str, Any]:
    full = _parsed(date)
    return copy.deepcopy({p: full[p] for p in providers if p in full})


def yaml11(text: str | bytes) -> Any:
    """Read YAML the way YAML 1.1 consumers do: PyYAML's safe loader (libyaml's C parser
    where available, for speed; same semantics)."""
    import yaml

    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def dumps(data: Any) -> bytes:
    return json.dumps(data).encode()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


_DEAD_PROXY = f"http://127.0.0.1:{_closed_port()}"


@pytest.fixture(scope="session", autouse=True)
def _outside_this_repository(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Module fixtures too run outside this repository, whose ``invoke.yaml`` the API
    would read."""
    before = os.getcwd()
    os.chdir(tmp_path_factory.mktemp("elsewhere"))
    yield
    os.chdir(before)


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Own cache, no internet, no colour, no stray invoke config, no provider keys, and
    a current directory outside this repository (whose ``invoke.yaml`` the API would
    read)."""
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY"):
        monkeypatch.setenv(var, _DEAD_PROXY)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.setenv("NO_COLOR", "1")
    for var in list(os.environ):
        # No real key of the developer's environment reaches a test (or a provider).
        if var.startswith("INVOKE_") or var.upper().endswith(("_API_KEY", "_KEY", "_TOKEN")):
            monkeypatch.delenv(var)


@pytest.fixture
def server() -> Iterator[CatalogServer]:
    with CatalogServer() as srv:
        yield srv


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    return tmp_path / "repo" / "config" / "models"


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    return tmp_path / "cache"


@pytest.fixture
def settings(config_dir: Path, cache_dir: Path) -> Settings:
    """Settings for in-process syncs: temp dirs, short timeouts, quick retries."""
    return make_settings(
        config_dir=str(config_dir),
        cache_dir=str(cache_dir),
        connect_timeout=2,
        read_timeout=2,
        retries=1,
        retry_after_max=1,
        lock_timeout=1,
    )


def write_catalog(path: Path, data: Any) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(dumps(data))
    return str(path)


def run_cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m invoke`` (with this repo's tasks.py when cwd is the repo) or a
    ``modelsync`` command as a real subprocess."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    if args and args[0] == "modelsync":
        cmd = [sys.executable, "-m", "modelsync.cli", *args[1:]]
    else:
        cmd = [sys.executable, "-m", "invoke", *args]
    return subprocess.run(
        cmd, cwd=cwd, env=full_env, capture_output=True, text=True, timeout=timeout
    )


def files_snapshot(directory: Path) -> dict[str, tuple[bytes, int]]:
    """Contents and mtimes of every file, to prove that nothing was touched."""
    return {
        str(p.relative_to(directory)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


_PEAK_LAUNCHER = """
import json, os, sys
cmd, err_path = json.loads(sys.argv[1]), sys.argv[2]
pid = os.fork()
if pid == 0:
    fd = os.open(err_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    os.dup2(fd, 2)
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.execv(cmd[0], cmd)
_, status, usage = os.wait4(pid, 0)
print(json.dumps([os.waitstatus_to_exitcode(status), usage.ru_maxrss]))
"""


def run_measured(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[int, str, float]:
    """Run ``cmd``; return its exit code, stderr and peak resident memory in MB.

    The command is started by a small launcher process, because Linux counts the memory
    of the process that forked (here: pytest, which may be large) in the child's peak.
    """
    err_path = cwd / ".measured-stderr"
    out = subprocess.run(
        [sys.executable, "-c", _PEAK_LAUNCHER, json.dumps(cmd), str(err_path)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    code, peak_kb = json.loads(out.stdout.strip().splitlines()[-1])
    stderr = err_path.read_text()
    err_path.unlink()
    return int(code), stderr, peak_kb / 1024
