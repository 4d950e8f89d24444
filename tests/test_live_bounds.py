"""The live check bounded in time and memory, and reading provider files as every other
task does: real ``modelsync live`` subprocesses against loopback servers (slow bodies,
servers that never answer, huge model lists), real signals, peak memory measured from
outside the process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import run_measured
from .httpserver import CatalogServer, Reply
from .liveserver import Answer, LiveServer, OpenAIApp
from .test_hostile_files import GIB, cli

SECRET = "sk-live-0123456789abcdefSECRET"


@pytest.fixture
def live() -> Iterator[LiveServer]:
    with LiveServer() as srv:
        yield srv


def _provider(config: Path, name: str, base: str) -> dict[str, str]:
    """A provider file, and the project's ``invoke.yaml`` saying that its key variable may
    go to ``base`` (a file's own ``env`` and ``api`` choose nothing); the environment that
    holds its key."""
    config.mkdir(parents=True, exist_ok=True)
    variable = f"{name.upper()}_API_KEY"
    (config / f"{name}.yml").write_text(
        f"provider: {name}\nenv: [{variable}]\napi: {base}\n"
        f"default_model: m-{name}\nmodels:\n  m-{name}: {{name: M}}\n"
    )
    project = config.parent.parent / "invoke.yaml"  # YAML reads JSON
    said = json.loads(project.read_text()) if project.exists() else {"modelsync": {}}
    said["modelsync"].setdefault("live_endpoints", {})[name] = base
    said["modelsync"].setdefault("live_keys", {})[name] = variable
    project.write_text(json.dumps(said))
    return {variable: f"key-{name}-0123456789"}


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


# --- live_deadline bounds a whole provider, however slow its server ---------------------


@pytest.mark.slow
@pytest.mark.parametrize("slow", [Reply(trickle=0.2), Reply(trickle_headers=0.2)])
def test_a_slow_server_ends_at_live_deadline_and_the_others_are_reported(
    tmp_path: Path, live: LiveServer, slow: Reply
) -> None:
    """Headers, then one byte every 0.2 s (or one header line every 0.2 s), among five
    providers that answer at once."""
    config = tmp_path / "config" / "models"
    env = _fast(live, config, ["a", "b", "c", "d", "e"])
    with CatalogServer() as trickler:
        trickler.serve("/slow/v1/models", slow)
        env.update(_provider(config, "slow", trickler.url("/slow/v1")))
        env["INVOKE_MODELSYNC_LIVE_DEADLINE"] = "1"
        started = time.monotonic()
        proc = _live(tmp_path, env)
        out, err = proc.communicate(timeout=60)
        elapsed = time.monotonic() - started
    assert proc.returncode == 1, err
    assert err.splitlines() == [
        "modelsync: error: slow: no complete answer within live_deadline (1 s)"
    ]
    assert "5 checked, 1 failed, 0 skipped" in out
    assert all(f"{p}: 1 served" in out for p in "abcde")
    print(f"slow server, live_deadline 1 s: done in {elapsed:.2f} s")
    assert elapsed < 4, f"{elapsed:.1f} s for a 1 s deadline"


# --- SIGTERM and Ctrl-C end the check at once -------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    ("signum", "code", "line"),
    [
        (signal.SIGTERM, 143, "modelsync: terminated"),
        (signal.SIGINT, 130, "modelsync: interrupted"),
    ],
)
def test_a_signal_ends_live_within_a_second(
    tmp_path: Path, live: LiveServer, signum: int, code: int, line: str
) -> None:
    """One server that never answers, one that sends a byte every 0.2 s."""
    config = tmp_path / "config" / "models"
    silent = OpenAIApp(["m"], "key-silent-0123456789")
    silent.delay = 30
    env = _provider(config, "silent", live.mount("/silent/v1", silent))
    with CatalogServer() as trickler:
        trickler.serve("/slow/v1/models", Reply(trickle=0.2))
        env.update(_provider(config, "slow", trickler.url("/slow/v1")))
        proc = _live(tmp_path, env)
        try:
            assert trickler.wait_for_hits(1, "/slow/v1/models"), "never asked"
            limit = time.monotonic() + 20
            while not silent.seen and time.monotonic() < limit:
                time.sleep(0.02)
            time.sleep(0.3)  # both are in the middle of their answers
            sent = time.monotonic()
            proc.send_signal(signum)
            _, err = proc.communicate(timeout=30)
            took = time.monotonic() - sent
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert proc.returncode == code, err
    assert err.strip() == line, err
    print(f"signal {signum}: ended {took:.2f} s after it")
    assert took < 1.0, f"{took:.2f} s after the signal"


# --- memory: per provider and in total --------------------------------------------------


def _openai_list(count: int, pad: int = 0) -> bytes:
    extra = f', "description": "{"x" * pad}"' if pad else ""
    items = ",".join(f'{{"id": "m-{i:07d}"{extra}}}' for i in range(count))
    return f'{{"object": "list", "data": [{items}]}}'.encode()


def _measured(tmp_path: Path, env: dict[str, str]) -> tuple[int, str, float]:
    cmd = [sys.executable, "-m", "modelsync.cli", "live", "--config-dir", "config/models"]
    full = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg"), **env}
    return run_measured(cmd, tmp_path, full)


@pytest.mark.slow
def test_a_list_of_millions_of_ids_is_refused_within_bounded_memory(
    tmp_path: Path, live: LiveServer
) -> None:
    """40 MB, 2.5 million ids: under max_response_bytes, but more objects than allowed."""
    config = tmp_path / "config" / "models"
    base_env = _fast(live, config, ["small"])
    code, err, baseline = _measured(tmp_path, base_env)
    assert code == 0, err
    huge = OpenAIApp([], "key-huge-0123456789")
    huge.faults = [Answer(200, raw=_openai_list(2_500_000))]
    env = {**base_env, **_provider(config, "huge", live.mount("/huge/v1", huge))}
    code, err, peak = _measured(tmp_path, env)
    print(f"2.5 M ids: peak {peak:.0f} MB, baseline {baseline:.0f} MB")
    assert code == 1, err
    assert "huge: more than 100,000 JSON objects in one answer" in err
    assert peak - baseline < 160, f"{peak - baseline:.0f} MB above the baseline"


@pytest.mark.slow
def test_large_answers_of_many_providers_share_one_memory_budget(
    tmp_path: Path, live: LiveServer
) -> None:
    """Eight providers at once, each answering 30 MB (10,000 models with long
    descriptions), under a 50 MB max_response_bytes."""
    config = tmp_path / "config" / "models"
    body = _openai_list(10_000, pad=3000)
    assert 29e6 < len(body) < 31e6
    env = _fast(live, config, ["small"])
    code, err, baseline = _measured(tmp_path, env)
    assert code == 0, err
    for i in range(8):
        app = OpenAIApp([], f"key-big{i}-0123456789")
        app.faults = [Answer(200, raw=body)]
        env.update(_provider(config, f"big{i}", live.mount(f"/big{i}/v1", app)))
    code, err, peak = _measured(tmp_path, env)
    print(f"8 x 30 MB: peak {peak:.0f} MB, baseline {baseline:.0f} MB")
    assert code == 1, err  # their default models are not served
    report = json.dumps(err)
    assert "no complete answer" not in report and "larger than" not in report
    assert peak - baseline < 250, f"{peak - baseline:.0f} MB above the baseline"


@pytest.mark.slow
def test_a_provider_serving_more_ids_than_allowed_over_its_pages_fails_alone(
    tmp_path: Path, live: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """20,001 ids in 21 pages of 1,000: each page is small, all of them are too many."""
    import modelsync
    from modelsync.live.vocab import Problem, Status

    from .liveserver import AnthropicApp

    config = tmp_path / "config" / "models"
    env = _fast(live, config, ["small"])
    many = AnthropicApp([f"m-{i:05d}" for i in range(20_001)], "key-anthropic-0123456789")
    base = live.mount("/anthropic/v1", many)
    env.update(_provider(config, "anthropic", base))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    said = json.loads((tmp_path / "invoke.yaml").read_text())["modelsync"]
    report = modelsync.check_live(
        config_dir=str(config), live_endpoints=said["live_endpoints"], live_keys=said["live_keys"]
    )
    checks = {p.provider: p for p in report.providers}
    assert checks["anthropic"].problem is Problem.TOO_LARGE
    assert checks["anthropic"].message == "more than 20,000 models served"
    assert len(many.seen) == 21
    assert checks["small"].status is Status.CHECKED
