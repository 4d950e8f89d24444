"""The trust boundary of the live check: catalog data (a provider file's ``env`` and
``api``, synced from models.dev, which anyone can edit) never chooses a key or where it
goes, a filled base URL is never shown, and nothing a server sends back puts a key in a
URL or an output.

Provider files are synced for real from an excerpt of the newest snapshot; providers are
loopback emulations (tests/liveserver.py); the command line runs as a real subprocess.
"""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import modelsync
from modelsync.live import LiveReport, ProviderCheck
from modelsync.live.render import render
from modelsync.live.vocab import Problem, SkipReason, Status

from .conftest import NEWEST, ROOT, run_cli, sliced, write_catalog
from .livedata import GEMINI_KEY, OPENAI_KEY, Emulators, annotated_configs
from .liveserver import Answer, LiveServer, OpenAIApp

GITHUB_TOKEN = "ghp_TESTgithubTokenQ1W2E3R4T5Y6U7I8O9"
AWS_SECRET = "wJalrTESTsecretKEY/K7MDENG/bPxRfiCYEXAMPLE"
DB_PASSWORD = "db-password-TEST-8f3k2m9q"
ACCOUNT = "account-secret-4242"


@pytest.fixture
def server() -> Iterator[tuple[LiveServer, Emulators]]:
    with LiveServer() as srv:
        yield srv, Emulators(srv)


def _check(config: Path, endpoints: dict[str, str], **overrides: Any) -> LiveReport:
    settings: dict[str, Any] = {
        "config_dir": str(config),
        "cache_dir": str(config.parent / "cache"),
        "live_endpoints": endpoints,
        "retries": 0,
        "connect_timeout": 2,
        "read_timeout": 2,
    }
    return modelsync.check_live(**{**settings, **overrides})


def _by_provider(report: LiveReport) -> dict[str, ProviderCheck]:
    return {p.provider: p for p in report.providers}


def _hostile_catalog(srv: LiveServer, stolen: str) -> dict[str, Any]:
    """openai with ``stolen`` listed first in its env; ``evilcorp``, only in the catalog,
    whose env names ``stolen`` and whose api is a loopback server; ``leaky``, whose api
    would carry ``${DB_PASSWORD}``."""
    data = sliced(NEWEST, ("openai", "deepseek"))
    data["openai"]["env"] = [stolen, "OPENAI_API_KEY"]
    evil = data.pop("deepseek")
    leaky = json.loads(json.dumps(evil))
    evil.update(id="evilcorp", name="Evil Corp", env=[stolen])
    evil["api"] = f"http://127.0.0.1:{srv.port}/evil/v1"
    leaky.update(id="leaky", name="Leaky", env=["LEAKY_API_KEY"])
    leaky["api"] = f"http://127.0.0.1:{srv.port}/leaky/${{DB_PASSWORD}}/v1"
    return {**data, "evilcorp": evil, "leaky": leaky}


@pytest.mark.parametrize(
    ("stolen", "secret"),
    [("GITHUB_TOKEN", GITHUB_TOKEN), ("AWS_SECRET_ACCESS_KEY", AWS_SECRET)],
)
def test_catalog_env_and_api_never_choose_a_key_or_where_it_goes(
    tmp_path: Path,
    server: tuple[LiveServer, Emulators],
    monkeypatch: pytest.MonkeyPatch,
    stolen: str,
    secret: str,
) -> None:
    srv, emulators = server
    evil = OpenAIApp(["m"], secret)
    leaky = OpenAIApp(["m"], "leaky-key-0123456789")
    srv.mount("/evil/v1", evil)
    srv.mount("/leaky/", leaky)
    config = tmp_path / "config" / "models"
    source = write_catalog(tmp_path / "api.json", _hostile_catalog(srv, stolen))
    synced = modelsync.sync_to_configs(
        config_dir=str(config), source=source, cache_dir=str(tmp_path / "cache")
    )
    assert not synced.failed and "${DB_PASSWORD}" in (config / "leaky.yml").read_text()
    for name, value in (
        (stolen, secret),
        ("OPENAI_API_KEY", OPENAI_KEY),
        ("LEAKY_API_KEY", "leaky-key-0123456789"),
        ("DB_PASSWORD", DB_PASSWORD),
    ):
        monkeypatch.setenv(name, value)
    report = _check(config, {"openai": emulators.endpoints["openai"]})
    checks = _by_provider(report)
    # openai's documented key, not the variable the catalog lists first, went to openai.
    assert checks["openai"].status is Status.CHECKED, checks["openai"].message
    assert checks["openai"].key_variable == "OPENAI_API_KEY"
    sent = [s.headers["authorization"] for s in emulators.openai.seen]
    assert sent == [f"Bearer {OPENAI_KEY}"]
    # The catalog-only providers are skipped, naming the two settings; nothing was sent.
    assert evil.seen == [] and leaky.seen == []
    for provider in ("evilcorp", "leaky"):
        check = checks[provider]
        assert check.status is Status.SKIPPED and check.skip_reason is SkipReason.UNKNOWN_FAMILY
        message = check.message or ""
        assert f"live_endpoints.{provider}" in message and f"live_keys.{provider}" in message
    everything = json.dumps(report.to_json()) + render(report)
    assert secret not in everything and DB_PASSWORD not in everything


# --- what servers send back ------------------------------------------------------------


@pytest.fixture(scope="module")
def synced_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return annotated_configs(tmp_path_factory.mktemp("synced"))


@pytest.fixture
def config(synced_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "config" / "models"
    shutil.copytree(synced_dir, target)
    return target


def test_a_key_in_a_redirect_host_is_redacted_before_the_host_is_lowercased(
    config: Path, server: tuple[LiveServer, Emulators], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, emulators = server
    key = "KEYA1B2C3D4E5F6G7H8J9K0LMNPQRSTU"  # every 8 characters hold a capital
    monkeypatch.setenv("OPENAI_API_KEY", key)
    emulators.openai.key = key
    emulators.openai.faults = [Answer(302, {}, {"Location": f"http://{key}.example/v1/models"})]
    report = _check(config, emulators.endpoints, providers=["openai"])
    check = _by_provider(report)["openai"]
    assert check.problem is Problem.REDIRECT_REFUSED
    assert check.message == (
        "HTTP 302 redirect to http://[redacted].example not followed "
        "(the key goes only to the configured base URL)"
    )
    everything = json.dumps(report.to_json()) + render(report)
    assert key not in everything and key.lower() not in everything


def test_a_key_returned_as_after_id_is_neither_sent_back_nor_logged(
    config: Path,
    server: tuple[LiveServer, Emulators],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    _, emulators = server
    # A backslash every 5 characters at most: its repr() holds no 8 characters of it.
    key = "sk\\ant0\\api23\\key5\\abcd\\ghij\\klmn"
    monkeypatch.setenv("ANTHROPIC_API_KEY", key)
    emulators.anthropic.key = key
    page = {"data": [{"id": "claude-x"}], "has_more": True, "last_id": key}
    emulators.anthropic.faults = [Answer(200, page)]
    caplog.set_level(logging.DEBUG)
    report = _check(config, emulators.endpoints, providers=["anthropic"])
    logged = caplog.text + json.dumps(report.to_json())
    assert key not in logged and repr(key)[1:-1] not in logged
    assert [s.query.get("after_id") for s in emulators.anthropic.seen] == [None]
    check = _by_provider(report)["anthropic"]
    assert check.problem is Problem.MALFORMED_RESPONSE
    assert check.message == "the next-page cursor (after_id) is not a plain token; not sent back"


def test_a_key_returned_as_page_token_is_not_sent_back_in_a_url(
    config: Path, server: tuple[LiveServer, Emulators], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, emulators = server
    monkeypatch.setenv("GEMINI_API_KEY", GEMINI_KEY)
    page = {"models": [{"name": "models/gemini-x"}], "nextPageToken": GEMINI_KEY}
    emulators.gemini.faults = [Answer(200, page)]
    report = _check(config, emulators.endpoints, providers=["google"])
    check = _by_provider(report)["google"]
    assert check.message == "the next-page cursor (pageToken) is not a plain token; not sent back"
    assert [s.query for s in emulators.gemini.seen] == [{"pageSize": "1000"}]


# --- the command line -------------------------------------------------------------------


@pytest.mark.slow
def test_a_filled_base_url_is_used_but_only_its_template_is_shown(
    config: Path, tmp_path: Path, server: tuple[LiveServer, Emulators]
) -> None:
    srv, _ = server
    acme = OpenAIApp(["acme-1"], "acme-key-0123456789")
    srv.mount(f"/gw/{ACCOUNT}/v1", acme)
    repo = tmp_path / "repo"
    shutil.copytree(config, repo / "config" / "models")
    shutil.copy(ROOT / "tasks.py", repo)
    for name in ("acme", "acme2"):
        (repo / "config" / "models" / f"{name}.yml").write_text(
            f"provider: {name}\nenv: [ACME_API_KEY]\nmodels:\n  acme-1: {{name: A}}\n"
        )
    template = f"http://127.0.0.1:{srv.port}/gw/${{ACME_ACCOUNT}}/v1"
    (repo / "invoke.yaml").write_text(
        "modelsync:\n  providers: [acme, acme2]\n  retries: 0\n"
        f"  live_endpoints:\n    acme: '{template}'\n    acme2: 'https://${{ACME2_HOST}}/v1'\n"
        "  live_keys:\n    acme: ACME_API_KEY\n    acme2: ACME_API_KEY\n"
    )
    env = {
        "ACME_API_KEY": "acme-key-0123456789",
        "ACME_ACCOUNT": ACCOUNT,
        "ACME2_HOST": f"gw.example/v1?account={ACCOUNT}#",
    }
    result = run_cli("live", "-vv", "--json", cwd=repo, env=env)
    assert result.returncode == 1, result.stderr
    assert [s.path for s in acme.seen] == [f"/gw/{ACCOUNT}/v1/models"]
    checks = {p["provider"]: p for p in json.loads(result.stdout)["providers"]}
    assert checks["acme"]["status"] == "checked"
    assert checks["acme"]["endpoint"] == template.replace("/v1", "/v1/models")
    assert checks["acme2"]["reason"] == "unsafe_endpoint"
    assert checks["acme2"]["message"] == (
        "live_endpoints.acme2 'https://${ACME2_HOST}/v1': "
        "a base URL carries no credentials, query or fragment"
    )
    assert "modelsync: error: acme2: live_endpoints.acme2 'https://${ACME2_HOST}/v1'" in (
        result.stderr
    )
    assert "GET http://127.0.0.1:" in result.stderr
    assert ACCOUNT not in result.stdout + result.stderr


def test_settings_naming_a_provider_without_a_file_are_warned_about(
    config: Path, server: tuple[LiveServer, Emulators], caplog: pytest.LogCaptureFixture
) -> None:
    _, emulators = server
    caplog.set_level(logging.WARNING)
    _check(config, emulators.endpoints, providers=["mistral"], live_keys={"opnai": "X_KEY"})
    assert "live_keys names 'opnai', which has no provider file" in caplog.text
    assert "did you mean" in caplog.text and "openai" in caplog.text
