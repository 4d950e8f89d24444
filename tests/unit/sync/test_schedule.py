"""On-demand syncs from an application: ``sync_if_needed`` and ``last_sync``, against a
loopback catalog, with real processes for the concurrent case."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import modelsync
from modelsync.settings import Settings
from modelsync.sync.record import record_path

from ...conftest import dumps, sliced
from ...httpserver import CatalogServer, Reply

PROVIDERS = ("anthropic", "groq")


def _age_record(settings: Settings, seconds: float) -> None:
    path = record_path(settings)
    data = json.loads(path.read_text())
    data["at"] -= seconds
    path.write_text(json.dumps(data))


def test_syncs_when_stale_and_not_when_fresh(settings: Settings, server: CatalogServer) -> None:
    url = server.serve("/api.json", Reply(dumps(sliced(providers=PROVIDERS))))
    s = settings.replace(api_url=url, cache_ttl=0)
    assert modelsync.last_sync(settings=s) is None
    first = modelsync.sync_if_needed(max_age=3600, settings=s)
    assert first is not None and first.ok and len(first.changed_files) == 2
    assert len(server.hits()) == 1
    last = modelsync.last_sync(settings=s)
    assert last is not None and last.ok and last.origin == "network"
    assert last.catalog_sha256 == first.source.sha256 and last.changed_files == 2
    assert last.age < 60

    # Fresh: no request and no YAML read (a broken file would fail a sync).
    broken = Path(s.config_dir) / "groq.yml"
    broken.write_text("provider: groq\nmodels: [\n")
    assert modelsync.sync_if_needed(max_age=3600, settings=s) is None
    assert len(server.hits()) == 1
    broken.unlink()

    _age_record(s, 7200)
    again = modelsync.sync_if_needed(max_age=3600, settings=s)
    assert again is not None and again.changed_files == [str(broken)]
    assert len(server.hits()) == 2, "stale: one request"


def test_a_failed_or_differently_filtered_sync_is_not_fresh(
    settings: Settings, server: CatalogServer
) -> None:
    url = server.serve("/api.json", Reply(dumps(sliced(providers=PROVIDERS))))
    s = settings.replace(api_url=url, cache_ttl=0, providers=["groq"])
    assert modelsync.sync_if_needed(settings=s) is not None
    assert modelsync.sync_if_needed(settings=s) is None
    everything = s.replace(providers=[], exclude=["nothing*"])
    report = modelsync.sync_if_needed(settings=everything)
    assert report is not None and report.changed_files == [
        str(Path(s.config_dir) / "anthropic.yml")
    ]
    assert modelsync.last_sync(settings=everything) is not None
    assert modelsync.sync_if_needed(settings=everything) is None


def test_clear_cache_forgets_the_last_sync(settings: Settings, server: CatalogServer) -> None:
    url = server.serve("/api.json", Reply(dumps(sliced(providers=PROVIDERS))))
    s = settings.replace(api_url=url)
    modelsync.sync_if_needed(settings=s)
    assert modelsync.last_sync(settings=s) is not None
    modelsync.clear_cache(settings=s, only_config_dir=True)
    assert modelsync.last_sync(settings=s) is None


_WORKER = """
import json, sys, modelsync
report = modelsync.sync_if_needed(
    max_age=3600, config_dir=sys.argv[1], cache_dir=sys.argv[2], api_url=sys.argv[3],
    lock_timeout=30,
)
print(json.dumps(None if report is None else len(report.changed_files)))
"""


@pytest.mark.slow
def test_processes_starting_at_once_sync_once(tmp_path: Path, server: CatalogServer) -> None:
    url = server.serve("/api.json", Reply(dumps(sliced(providers=PROVIDERS)), delay=1.0))
    args = [str(tmp_path / "config"), str(tmp_path / "cache"), url]
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _WORKER, *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=dict(os.environ),
        )
        for _ in range(3)
    ]
    outputs = [p.communicate(timeout=60) for p in procs]
    assert all(p.returncode == 0 for p in procs), outputs
    results = sorted((json.loads(out) for out, _ in outputs), key=lambda r: r is not None)
    assert results == [None, None, 2], outputs
    assert len(server.hits()) == 1


def test_a_fresh_check_imports_nothing_heavy(settings: Settings, server: CatalogServer) -> None:
    url = server.serve("/api.json", Reply(dumps(sliced(providers=PROVIDERS))))
    s = settings.replace(api_url=url)
    modelsync.sync_if_needed(settings=s)
    code = textwrap.dedent(
        f"""
        import sys, modelsync
        s = dict(config_dir={s.config_dir!r}, cache_dir={s.cache_dir!r})
        assert modelsync.sync_if_needed(**s) is None
        heavy = [m for m in ("requests", "ruamel", "yaml", "jsonschema") if m in sys.modules]
        print(heavy)
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
