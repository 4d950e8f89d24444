"""Sources you can trust: a named source is never replaced, no catalog rolls the configs
back, no network costs little, and the report is the same whatever path the sync took."""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

import modelsync
from modelsync import yamlio
from modelsync.model.catalog import newest_update
from modelsync.settings import Settings
from modelsync.sync import state as state_mod
from modelsync.upstream.fetch import fetch_url

from .conftest import dumps, files_snapshot, raw_snapshot, run_cli, sliced
from .httpserver import CatalogServer, Reply

PROVIDERS = ("anthropic", "xai", "groq")
HEAVY = ("requests", "requests_cache", "urllib3", "ruamel", "jsonschema", "fastjsonschema")


def sync(settings: Settings, **kw: Any) -> modelsync.SyncReport:
    return modelsync.sync_to_configs(settings=settings, **kw)


def error_lines(stderr: str) -> list[str]:
    assert "Traceback" not in stderr, stderr
    return [line for line in stderr.splitlines() if line.startswith("modelsync: error: ")]


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def heavy_imports(stderr: str) -> set[str]:
    imported = {
        line.split("|")[-1].strip()
        for line in stderr.splitlines()
        if line.startswith("import time:")
    }
    return {m for m in imported if m.split(".")[0] in HEAVY}


# --- a named source is never substituted -----------------------------------------------


@pytest.mark.slow
def test_a_failing_named_source_is_an_error_not_the_bundled_snapshot(
    server: CatalogServer, tmp_path: Path
) -> None:
    url = server.url("/nope.json")  # 404
    env = {"XDG_CACHE_HOME": str(tmp_path / "xdg")}
    result = run_cli("modelsync", "sync", "--source", url, cwd=tmp_path, env=env)
    assert result.returncode == 1, result.stdout + result.stderr
    (line,) = error_lines(result.stderr)
    assert url in line and "HTTP 404" in line
    assert "using the bundled snapshot" not in result.stderr
    assert not list(tmp_path.rglob("*.yml")), "nothing written"


@pytest.mark.slow
def test_a_failing_named_source_in_the_api_raises(
    server: CatalogServer, settings: Settings, config_dir: Path
) -> None:
    url = server.url("/nope.json")
    with pytest.raises(modelsync.FetchError, match=r"nope\.json: HTTP 404"):
        sync(settings, source=url)
    assert not list(config_dir.parent.rglob("*.yml"))
    with pytest.raises(modelsync.FetchError, match="HTTP 404"):
        modelsync.fetch_all(settings=settings, source=url)


def test_a_failing_named_source_uses_its_own_cached_response(
    server: CatalogServer, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    url = server.serve("/mirror.json", Reply(dumps(sliced(providers=PROVIDERS))), Reply(b"", 500))
    s = settings.replace(cache_ttl=0, retries=0)
    sync(s, source=url)
    with caplog.at_level(logging.WARNING, logger="modelsync"):
        report = sync(s, source=url)
    assert report.source.origin == "stale-cache" and report.source.source == url
    assert "HTTP 500" in caplog.text and "using the cached catalog" in caplog.text


@pytest.mark.slow
def test_offline_and_the_default_source_still_fall_back_to_the_bundled_snapshot(
    server: CatalogServer, settings: Settings
) -> None:
    url = server.url("/nope.json")
    assert sync(settings.replace(api_url=url), check=True).source.origin == "bundled"
    report = sync(settings.replace(offline=True), source=url, check=True)
    assert report.source.origin == "bundled"


# --- no rollback from any source ---------------------------------------------------------


@pytest.fixture
def two_catalogs(tmp_path: Path) -> tuple[str, str]:
    old, new = sliced("2026-03-18", PROVIDERS), sliced("2026-05-21", PROVIDERS)
    old_date, new_date = newest_update(old), newest_update(new)
    assert old_date and new_date and old_date < new_date
    (tmp_path / "old.json").write_bytes(dumps(old))
    (tmp_path / "new.json").write_bytes(dumps(new))
    return old_date, new_date


@pytest.mark.slow
def test_an_older_catalog_is_not_applied_without_allow_older(
    tmp_path: Path, two_catalogs: tuple[str, str]
) -> None:
    old_date, new_date = two_catalogs
    env = {"XDG_CACHE_HOME": str(tmp_path / "xdg")}

    def cli(*args: str) -> Any:
        return run_cli("modelsync", "sync", *args, cwd=tmp_path, env=env)

    assert cli("--source", "new.json").returncode == 0
    models = tmp_path / "config" / "models"
    before = files_snapshot(models)

    refused = cli("--source", "old.json")
    assert refused.returncode == 1
    (line,) = error_lines(refused.stderr)
    assert old_date in line and new_date in line and "--allow-older" in line
    assert files_snapshot(models) == before

    check = cli("--check", "--source", "old.json")
    assert check.returncode == 1 and "Not applied" in check.stdout
    dry_text = cli("--dry-run", "--source", "old.json")
    assert dry_text.returncode == 1
    assert "\nNot applied: " in dry_text.stdout and "+++ " not in dry_text.stdout, "no diff"
    dry = cli("--dry-run", "--json", "--source", "old.json")
    assert dry.returncode == 1
    report = json.loads(dry.stdout)
    assert report["ok"] is False and old_date in report["refused"]
    assert report["refusal"] == {
        "guard": "older",
        "catalog_updated": old_date,
        "configs_updated": new_date,
        "would_change": [f"config/models/{p}.yml" for p in sorted(PROVIDERS)],
    }
    assert report["changed_files"] == []
    assert report["source"]["newest_update"] == old_date
    assert files_snapshot(models) == before

    applied = cli("--allow-older", "--source", "old.json")
    assert applied.returncode == 0, applied.stderr
    assert files_snapshot(models) != before
    again = cli("--source", "old.json")
    assert again.returncode == 0, "the configs are now from the older catalog"


def test_an_older_catalog_is_refused_on_a_machine_without_sync_state(
    tmp_path: Path, settings: Settings, config_dir: Path, two_catalogs: tuple[str, str]
) -> None:
    sync(settings, source=str(tmp_path / "new.json"))
    before = files_snapshot(config_dir)
    modelsync.clear_cache(settings=settings)  # a fresh CI machine: the files only
    report = sync(settings, source=str(tmp_path / "old.json"))
    assert report.refused and report.changed_files == []
    assert report.refusal and report.refusal["would_change"]
    assert files_snapshot(config_dir) == before
    report = sync(settings, source=str(tmp_path / "new.json"))
    assert report.ok and report.changed_files == []


def test_an_older_cached_response_does_not_roll_back_files_synced_elsewhere(
    server: CatalogServer, tmp_path: Path, settings: Settings, config_dir: Path
) -> None:
    old_url = server.serve("/api.json", Reply(dumps(sliced("2026-03-18", PROVIDERS))))
    sync(settings, source=old_url)
    # A teammate syncs the newer catalog and the files arrive with a pull; the HTTP
    # cache here still holds the older response, fresh.
    (tmp_path / "new.json").write_bytes(dumps(sliced("2026-05-21", PROVIDERS)))
    sync(settings.replace(cache_dir=str(tmp_path / "elsewhere")), source=str(tmp_path / "new.json"))
    before = files_snapshot(config_dir)
    report = sync(settings, source=old_url)
    assert report.refused and "older" in report.refused
    assert files_snapshot(config_dir) == before


# --- retries: only what can be transient ---------------------------------------------


@pytest.mark.parametrize("fault", ["dns", "refused"])
def test_no_network_is_not_retried(
    fault: str, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    if fault == "dns":
        host = "modelsync-test.invalid"
        monkeypatch.setenv("NO_PROXY", f"127.0.0.1,localhost,{host}")
        monkeypatch.setenv("no_proxy", f"127.0.0.1,localhost,{host}")
        url = f"https://{host}/api.json"
    else:
        url = f"http://127.0.0.1:{closed_port()}/api.json"
    s = settings.replace(retries=3)  # with backoff, three retries wait 0 + 1 + 2 s
    start = time.monotonic()
    with pytest.raises(modelsync.FetchError):
        fetch_url(url, s)
    assert time.monotonic() - start < 1.0


@pytest.mark.slow
def test_verbose_logs_each_retry_and_its_wait(server: CatalogServer, tmp_path: Path) -> None:
    url = server.serve(
        "/api.json",
        Reply(b"busy", 503),
        Reply(b"busy", 503),
        Reply(dumps(sliced(providers=("xai",)))),
    )
    env = {"XDG_CACHE_HOME": str(tmp_path / "xdg"), "INVOKE_MODELSYNC_RETRIES": "2"}
    result = run_cli("modelsync", "sync", "-vv", "--source", url, cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    retries = [line for line in result.stderr.splitlines() if "retrying" in line]
    assert len(retries) == 2, result.stderr
    assert "attempt 2 of 3" in retries[0] and "HTTP 503" in retries[0]
    assert "in 0.0 s" in retries[0] and "in 1.0 s" in retries[1]


@pytest.mark.slow
def test_the_api_tries_a_failing_source_once_per_ttl_and_warns_once(
    server: CatalogServer, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    url = server.serve("/api.json", Reply(b"down", 503))
    s = settings.replace(api_url=url, retries=0, cache_ttl=600)
    with caplog.at_level(logging.WARNING, logger="modelsync"):
        modelsync.fetch_all(settings=s)
        modelsync.get_model("anthropic", "claude-opus-4-1", settings=s)
        modelsync.sync_to_configs(settings=s)
    assert len(server.hits()) == 1
    fallbacks = [r for r in caplog.records if "bundled snapshot" in r.getMessage()]
    assert len(fallbacks) == 1, [r.getMessage() for r in fallbacks]
    # Once the TTL window is over, the source is tried again (a short window of its own,
    # so that a loaded machine cannot close it before the first call is done).
    other = server.serve("/other.json", Reply(b"down", 503))
    short = settings.replace(api_url=other, retries=0, cache_ttl=1)
    modelsync.get_model("anthropic", "claude-opus-4-1", settings=short)
    time.sleep(1.1)  # the window itself is the behaviour under test
    modelsync.get_model("anthropic", "claude-opus-4-1", settings=short)
    assert len(server.hits("/other.json")) == 2


# --- fingerprints cover every origin -------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("origin", ["offline", "no network", "file"])
def test_a_no_op_from_the_bundled_snapshot_or_a_file_takes_the_fast_path(
    origin: str, tmp_path: Path
) -> None:
    (tmp_path / "api.json").write_bytes(dumps(sliced(providers=PROVIDERS)))
    args = {"offline": ["--offline"], "no network": [], "file": ["--source", "api.json"]}[origin]
    env = {"XDG_CACHE_HOME": str(tmp_path / "xdg"), "PYTHONPROFILEIMPORTTIME": "1"}
    if origin == "no network":  # no proxy, and a default source whose name never resolves
        env.update({v: "" for v in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy")})
        env.update(https_proxy="", all_proxy="")
        env["INVOKE_MODELSYNC_API_URL"] = "https://modelsync-test.invalid/api.json"
    first = run_cli("modelsync", "sync", *args, cwd=tmp_path, env=env)
    assert first.returncode == 0, first.stderr
    assert not {m for m in heavy_imports(first.stderr) if m.startswith(("requests", "urllib3"))}
    again = run_cli("modelsync", "sync", "-v", *args, cwd=tmp_path, env=env)
    assert again.returncode == 0, again.stderr
    assert "files unchanged since the last sync" in again.stderr
    assert heavy_imports(again.stderr) == set()
    assert (
        "\nCatalog: api.json (file)\n" if origin == "file" else "\nCatalog: bundled snapshot"
    ) in (again.stdout)


# --- one report, whatever the path ---------------------------------------------------------


def _edit(path: Path, model: str, change: Any) -> None:
    doc = yamlio.load(path.read_bytes())
    change(doc["models"][model])
    path.write_text(yamlio.dump(doc))


def _pin(entry: dict[str, Any]) -> None:
    entry["pinned"] = ["pricing"]
    entry["pricing"]["input"] = 2.7


def _hand_written(entry: dict[str, Any]) -> None:
    del entry["source"]


def _comparable(report: modelsync.SyncReport) -> dict[str, Any]:
    data = report.to_json()
    data["source"].pop("age_seconds")
    return data


STATES = [
    "pinned",
    "shadowed",
    "stale-cache",
    pytest.param("bundled", marks=pytest.mark.slow),
    "file",
]


@pytest.mark.parametrize("state", STATES)
def test_the_fast_and_the_full_path_give_the_same_report(
    state: str,
    server: CatalogServer,
    settings: Settings,
    config_dir: Path,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    source = tmp_path / "api.json"
    source.write_bytes(dumps(sliced(providers=PROVIDERS)))
    s = settings.replace(source=str(source))
    if state == "stale-cache":
        url = server.serve("/api.json", Reply(source.read_bytes()))
        sync(settings.replace(cache_ttl=0), source=url)
        s = settings.replace(source=url, offline=True, cache_ttl=0)
    elif state == "bundled":
        s = settings.replace(offline=True)
    first = sync(s)
    if state == "pinned":
        _edit(config_dir / "anthropic.yml", "claude-opus-4-1", _pin)
    elif state == "shadowed":
        _edit(config_dir / "xai.yml", "grok-4.3", _hand_written)
    reports = {"after the edit": sync(s)}
    with caplog.at_level(logging.INFO, logger="modelsync"):
        reports["fast path"] = sync(s)
    assert "files unchanged since the last sync" in caplog.text
    path = state_mod.state_path(s)
    recorded = json.loads(path.read_bytes())
    recorded["catalog"] = None
    path.write_text(json.dumps(recorded))
    reports["fingerprints per provider"] = sync(s)
    path.unlink()
    reports["no state"] = sync(s)

    expected = _comparable(reports["no state"])
    for name, report in reports.items():
        assert _comparable(report) == expected, name
    assert (
        expected["source"]["origin"]
        == {
            "pinned": "file",
            "shadowed": "file",
            "stale-cache": "stale-cache",
            "bundled": "bundled",
            "file": "file",
        }[state]
    )
    counts = expected["counts"]["models"]
    if state == "pinned":
        assert counts["pinned_differs"] == 1 and expected["changes"]["pinned"]
    if state == "shadowed":
        assert [c["model"] for c in expected["changes"]["shadowed"]] == ["grok-4.3"]
    if state in ("file", "bundled"):
        assert first.changed_files and expected["changed_files"] == []


@pytest.mark.slow
def test_two_runs_over_a_pinned_difference_print_the_same_report(tmp_path: Path) -> None:
    (tmp_path / "api.json").write_bytes(dumps(sliced(providers=PROVIDERS)))
    env = {"XDG_CACHE_HOME": str(tmp_path / "xdg")}
    first = run_cli("modelsync", "sync", "--source", "api.json", cwd=tmp_path, env=env)
    assert first.returncode == 0, first.stderr
    _edit(tmp_path / "config" / "models" / "anthropic.yml", "claude-opus-4-1", _pin)
    outputs = [
        run_cli("modelsync", "sync", "--source", "api.json", cwd=tmp_path, env=env).stdout
        for _ in range(3)
    ]
    assert "Pinned, upstream differs (1):" in outputs[0]
    assert "anthropic/claude-opus-4-1: pricing: input 2.7 (upstream 15.0)" in outputs[0]
    assert outputs[1] == outputs[0] and outputs[2] == outputs[0]


# --- progress on long downloads ------------------------------------------------------------


class _Run:
    """``modelsync sync`` with stderr on a pseudo-terminal (or a pipe), started now."""

    def __init__(self, url: str, cwd: Path, *flags: str, tty: bool = True, term: str = "xterm"):
        cwd = cwd / f"run-{time.monotonic_ns()}"  # own config dir: runs at once, no lock
        cwd.mkdir()
        env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
        env.update(XDG_CACHE_HOME=str(cwd / "xdg"), TERM=term)
        cmd = [sys.executable, "-m", "modelsync.cli", "sync", "--source", url]
        self.master, slave = os.openpty() if tty else (-1, subprocess.PIPE)
        self.proc = subprocess.Popen(
            [*cmd, "--provider", "xai", *flags],
            cwd=cwd,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=slave,
        )
        if tty:
            os.close(slave)

    def stderr(self) -> str:
        if self.master < 0:
            _, err = self.proc.communicate(timeout=60)
            received = bytes(err)
        else:
            received = b""
            while True:
                try:
                    data = os.read(self.master, 65536)
                except OSError:  # EIO: the child closed the terminal
                    break
                if not data:
                    break
                received += data
            os.close(self.master)
        assert self.proc.wait(timeout=60) == 0, received
        return received.decode()


@pytest.mark.slow
def test_a_slow_download_shows_its_progress_on_a_terminal_only(
    server: CatalogServer, tmp_path: Path
) -> None:
    body = raw_snapshot()
    url = server.serve("/api.json", Reply(body, pace=1.5 / (len(body) // (16 * 1024) + 1)))
    runs = {
        "terminal": _Run(url, tmp_path),
        "-q": _Run(url, tmp_path, "-q"),
        "--json": _Run(url, tmp_path, "--json"),
        "TERM=dumb": _Run(url, tmp_path, term="dumb"),
        "not a terminal": _Run(url, tmp_path, tty=False),
    }
    shown = runs.pop("terminal").stderr()
    assert f"modelsync: downloading {url}: " in shown
    assert " MB received" in shown
    last = shown.rindex(" received")
    assert "\r\x1b[K" in shown[last:], "the line is cleared at the end"
    assert "\n" not in shown[: shown.index("downloading")], "one line, redrawn in place"
    for name, run in runs.items():
        assert "downloading" not in run.stderr(), name
