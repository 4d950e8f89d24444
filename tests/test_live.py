"""The live check against loopback emulations of each API family, on provider files
synced from the real snapshots in tests/data (and annotated as this repository's are).

In process (``modelsync.check_live``); the command line is in test_live_cli.py.
"""

from __future__ import annotations

import json
import logging
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import modelsync
from modelsync.live import LiveReport, ProviderCheck
from modelsync.live.render import render
from modelsync.live.vocab import Problem, SkipReason, Status

from .livedata import (
    ANTHROPIC_KEY,
    ANTHROPIC_SERVED,
    GEMINI_KEY,
    GEMINI_SERVED,
    KEYS,
    OPENAI_KEY,
    Emulators,
    annotated_configs,
)
from .liveserver import Answer, LiveServer, OpenAIApp


@pytest.fixture(scope="module")
def synced_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return annotated_configs(tmp_path_factory.mktemp("synced"))


@pytest.fixture
def config(synced_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "config" / "models"
    shutil.copytree(synced_dir, target)
    return target


@pytest.fixture
def emulators(monkeypatch: pytest.MonkeyPatch) -> Iterator[Emulators]:
    monkeypatch.setenv("ANTHROPIC_API_KEY", ANTHROPIC_KEY)
    monkeypatch.setenv("GEMINI_API_KEY", GEMINI_KEY)
    monkeypatch.setenv("OPENAI_API_KEY", OPENAI_KEY)
    with LiveServer() as srv:
        yield Emulators(srv)


def _check(config: Path, emulators: Emulators, **overrides: Any) -> LiveReport:
    settings: dict[str, Any] = {
        "config_dir": str(config),
        "cache_dir": str(config.parent / "cache"),
        "live_endpoints": emulators.endpoints,
        "connect_timeout": 2,
        "read_timeout": 2,
        "retries": 1,
        "retry_after_max": 0.2,
    }
    settings.update(overrides)
    return modelsync.check_live(**settings)


def _by_provider(report: LiveReport) -> dict[str, ProviderCheck]:
    return {p.provider: p for p in report.providers}


def _no_key_anywhere(report: LiveReport, *texts: str) -> None:
    everything = "\n".join([json.dumps(report.to_json()), render(report), repr(report), *texts])
    for key in KEYS:
        for piece in (key, key[:16], key[-16:]):
            assert piece not in everything, f"a key ({piece[:6]}...) leaked"


# --- the three lists, per family --------------------------------------------------------


def test_anthropic_pages_and_the_three_lists(config: Path, emulators: Emulators) -> None:
    report = _check(config, emulators, providers=["anthropic"])
    check = _by_provider(report)["anthropic"]
    assert check.status is Status.CHECKED and check.ok
    # Several pages, each asked for after the last id of the one before.
    seen = emulators.anthropic.seen
    assert [s.query.get("after_id") for s in seen] == [
        None,
        "claude-haiku-4-5-20251001",
        "claude-3-7-sonnet-20250219",
    ]
    assert all(s.query["limit"] == "1000" for s in seen)
    assert all(s.headers["anthropic-version"] == "2023-06-01" for s in seen)
    assert all(s.headers["x-api-key"] == ANTHROPIC_KEY for s in seen)
    assert all("authorization" not in s.headers for s in seen)
    assert check.pages == 3 and check.served_count == len(ANTHROPIC_SERVED)
    assert {(m.id, m.served_as) for m in check.served} == {
        ("claude-opus-4-7", "claude-opus-4-7"),
        ("claude-opus-4-6", "claude-opus-4-6"),
        ("claude-sonnet-4-6", "claude-sonnet-4-6"),
        ("claude-sonnet-4-5", "claude-sonnet-4-5-20250929"),
        ("claude-sonnet-4-5-20250929", "claude-sonnet-4-5-20250929"),
        ("claude-haiku-4-5", "claude-haiku-4-5-20251001"),
        ("claude-haiku-4-5-20251001", "claude-haiku-4-5-20251001"),
        ("claude-opus-4-5", "claude-opus-4-5-20251101"),
        ("claude-opus-4-5-20251101", "claude-opus-4-5-20251101"),
        ("claude-opus-4-1", "claude-opus-4-1-20250805"),
        ("claude-opus-4-1-20250805", "claude-opus-4-1-20250805"),
        ("claude-opus-4-0", "claude-opus-4-20250514"),
        ("claude-opus-4-20250514", "claude-opus-4-20250514"),
        ("claude-sonnet-4-0", "claude-sonnet-4-20250514"),
        ("claude-sonnet-4-20250514", "claude-sonnet-4-20250514"),
        ("claude-3-7-sonnet-20250219", "claude-3-7-sonnet-20250219"),
        ("claude-3-5-haiku-20241022", "claude-3-5-haiku-20241022"),
        ("claude-3-5-haiku-latest", "claude-3-5-haiku-20241022"),
        ("claude-3-haiku-20240307", "claude-3-haiku-20240307"),
    }
    assert [m.id for m in check.not_served] == [
        "acme-claude-support-ft",
        "claude-3-5-sonnet-20240620",
        "claude-3-5-sonnet-20241022",
        "claude-3-opus-20240229",
        "claude-3-sonnet-20240229",
    ]
    assert not any(m.loud for m in check.not_served)
    assert check.not_in_catalog == ["claude-mythos-1-20260301"]
    assert check.default_model == "claude-sonnet-4-5" and check.default_served is True


def test_gemini_pages_and_prefixed_names(config: Path, emulators: Emulators) -> None:
    report = _check(config, emulators, providers=["google"])
    check = _by_provider(report)["google"]
    assert check.status is Status.CHECKED, check.message
    seen = emulators.gemini.seen
    assert len(seen) == 4 and check.pages == 4
    assert seen[0].query == {"pageSize": "1000"} and "pageToken" in seen[1].query
    assert all(s.headers["x-goog-api-key"] == GEMINI_KEY and "key" not in s.query for s in seen)
    assert sorted(m.id for m in check.served) == [
        "gemini-2.0-flash",
        "gemini-2.5-flash",
        "gemini-2.5-pro",
        "gemini-3-pro-preview",
        "gemini-embedding-001",
        "gemini-flash-latest",
        "gemma-4-31b-it",
    ]
    assert {m.served_as for m in check.served} == {f"models/{m.id}" for m in check.served}
    assert check.not_in_catalog == ["aqa", "gemini-2.0-flash-001", "imagen-4.0-generate-001"]
    assert len(check.not_served) == 21 - 7
    assert check.default_served is None and check.ok


@pytest.mark.parametrize("bare_list", [False, True])
def test_openai_compatible_lists_in_both_shapes(
    config: Path, emulators: Emulators, bare_list: bool
) -> None:
    emulators.openai.bare_list = bare_list
    report = _check(config, emulators, providers=["openai"])
    check = _by_provider(report)["openai"]
    assert check.status is Status.CHECKED, check.message
    assert emulators.openai.seen[0].headers["authorization"] == f"Bearer {OPENAI_KEY}"
    assert sorted(m.id for m in check.served) == [
        "gpt-4o",
        "gpt-4o-2024-08-06",
        "gpt-5",
        "gpt-5-mini",
        "o3",
        "text-embedding-3-small",
    ]
    assert check.not_in_catalog == [
        "babbage-002",
        "dall-e-3",
        "davinci-002",
        "gpt-4o-realtime-preview",
        "tts-1",
        "whisper-1",
    ]
    assert len(check.not_served) == 52 - 6
    text = render(report)
    assert "... and 36 more, see --json" in text  # 46 not served, 10 shown


def test_providers_without_a_key_or_a_known_api_are_skipped(
    config: Path, emulators: Emulators
) -> None:
    report = _check(config, emulators)
    checks = _by_provider(report)
    assert {p: c.status for p, c in checks.items()} == {
        "anthropic": Status.CHECKED,
        "azure": Status.SKIPPED,
        "google": Status.CHECKED,
        "mistral": Status.SKIPPED,
        "openai": Status.CHECKED,
        "xai": Status.SKIPPED,
    }
    assert checks["mistral"].skip_reason is SkipReason.NO_KEY
    assert checks["mistral"].message == "MISTRAL_API_KEY not set"
    assert checks["azure"].skip_reason is SkipReason.UNKNOWN_FAMILY
    assert report.ok and report.counts() == {"checked": 3, "failed": 0, "skipped": 3}
    _no_key_anywhere(report)


def test_loud_when_the_default_model_or_a_scored_model_is_not_served(
    config: Path, emulators: Emulators
) -> None:
    text = (config / "anthropic.yml").read_text()
    text = text.replace(
        "  claude-3-opus-20240229:\n",
        "  claude-3-opus-20240229:\n    task_complexity_score: {complex: 4.5}\n",
    )
    (config / "anthropic.yml").write_text(text)
    emulators.anthropic.ids.remove("claude-sonnet-4-5-20250929")
    report = _check(config, emulators, providers=["anthropic"])
    check = _by_provider(report)["anthropic"]
    loud = [(m.id, m.default_model, m.scored) for m in check.not_served if m.loud]
    assert loud == [
        ("claude-3-opus-20240229", False, True),
        ("claude-sonnet-4-5", True, True),
    ]
    assert check.default_served is False and not check.ok and not report.ok
    assert report.problems() == ["anthropic: default model claude-sonnet-4-5 is not served"]
    out = render(report)
    assert "! default model claude-sonnet-4-5: NOT SERVED" in out
    assert "! claude-3-opus-20240229 (scored)" in out
    assert "! claude-sonnet-4-5 (default model, scored)" in out


def test_nothing_is_written_to_the_provider_files(config: Path, emulators: Emulators) -> None:
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in config.iterdir()}
    _check(config, emulators)
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in config.iterdir()} == before


# --- faults: each provider alone fails, the others go on --------------------------------


def test_a_rejected_key_is_named_for_each_family(config: Path, emulators: Emulators) -> None:
    emulators.anthropic.key = emulators.openai.key = emulators.gemini.key = "another-key"
    report = _check(config, emulators)
    checks = _by_provider(report)
    for provider, variable, code in (
        ("anthropic", "ANTHROPIC_API_KEY", "HTTP 401 authentication_error"),
        ("openai", "OPENAI_API_KEY", "HTTP 401 invalid_api_key"),
        ("google", "GEMINI_API_KEY", "HTTP 400 API_KEY_INVALID"),
    ):
        assert checks[provider].problem is Problem.KEY_REJECTED
        assert checks[provider].message == f"key rejected: {variable} ({code})"
    assert not report.ok and len(report.problems()) == 3
    assert len(emulators.anthropic.seen) == 1, "a rejected key is not retried"


def test_429_is_retried_after_a_capped_retry_after(config: Path, emulators: Emulators) -> None:
    emulators.anthropic.faults = [
        Answer(429, {"type": "error", "error": {"type": "rate_limit_error"}}, {"Retry-After": "30"})
    ]
    started = time.monotonic()
    report = _check(config, emulators, providers=["anthropic"], retry_after_max=0.3)
    elapsed = time.monotonic() - started
    check = _by_provider(report)["anthropic"]
    assert check.status is Status.CHECKED and check.requests == 4  # 429, then 3 pages
    gap = emulators.anthropic.seen[1].time - emulators.anthropic.seen[0].time
    assert 0.25 <= gap < 2 and elapsed < 3


def test_5xx_is_retried_then_fails_other_statuses_are_not_retried(
    config: Path, emulators: Emulators
) -> None:
    emulators.openai.faults = [Answer(503, {"error": {"type": "server_error"}})] * 2
    emulators.gemini.faults = [Answer(404, {"error": {"status": "NOT_FOUND", "code": 404}})]
    report = _check(config, emulators, retries=1)
    checks = _by_provider(report)
    assert checks["openai"].problem is Problem.HTTP_ERROR
    assert checks["openai"].message == "HTTP 503 server_error after 2 attempt(s)"
    assert len(emulators.openai.seen) == 2
    assert checks["google"].message == "HTTP 404 NOT_FOUND" and len(emulators.gemini.seen) == 1
    assert checks["anthropic"].status is Status.CHECKED


def test_a_timeout_fails_one_provider_only(config: Path, emulators: Emulators) -> None:
    emulators.gemini.delay = 1.5
    started = time.monotonic()
    report = _check(config, emulators, read_timeout=0.3)
    checks = _by_provider(report)
    assert checks["google"].problem is Problem.TIMEOUT
    assert checks["google"].message == "timed out waiting for the answer"
    assert len(emulators.gemini.seen) == 1, "a timeout is not retried"
    assert checks["anthropic"].status is checks["openai"].status is Status.CHECKED
    assert time.monotonic() - started < 1.4


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (Answer(200, raw=b"<html>maintenance</html>"), "the answer is not JSON"),
        (Answer(200, {"models": []}), "not a openai-compatible model list: expected a JSON"),
        (Answer(200, {"data": [{"name": "gpt-5"}]}), "data[0] has no 'id' string"),
    ],
)
def test_a_malformed_body_fails_one_provider_only(
    config: Path, emulators: Emulators, answer: Answer, message: str
) -> None:
    emulators.openai.faults = [answer]
    report = _check(config, emulators)
    checks = _by_provider(report)
    assert checks["openai"].problem is Problem.MALFORMED_RESPONSE
    assert message in (checks["openai"].message or "")
    assert checks["anthropic"].status is checks["google"].status is Status.CHECKED


def test_a_provider_file_that_cannot_be_read_fails_alone(
    config: Path, emulators: Emulators
) -> None:
    (config / "openai.yml").write_text("provider: openai\nenv: [OPENAI_API_KEY\n")
    report = _check(config, emulators)
    checks = _by_provider(report)
    assert checks["openai"].problem is Problem.CONFIG_ERROR
    assert f"{config / 'openai.yml'}:3:1:" in (checks["openai"].message or "")
    assert checks["anthropic"].status is checks["google"].status is Status.CHECKED
    assert emulators.openai.seen == []


def test_pagination_that_does_not_advance_is_cut_off(config: Path, emulators: Emulators) -> None:
    loop = {"data": [{"id": "a"}], "has_more": True, "first_id": "a", "last_id": "a"}
    emulators.anthropic.faults = [Answer(200, loop)] * 3
    check = _by_provider(_check(config, emulators, providers=["anthropic"]))["anthropic"]
    assert check.message == "pagination does not advance" and len(emulators.anthropic.seen) == 2


@pytest.mark.slow
def test_the_deadline_bounds_a_slow_provider(config: Path, emulators: Emulators) -> None:
    emulators.anthropic.page_max = 1
    emulators.anthropic.delay = 0.25
    started = time.monotonic()
    report = _check(config, emulators, live_deadline=1.0)
    elapsed = time.monotonic() - started
    checks = _by_provider(report)
    assert checks["anthropic"].problem is Problem.DEADLINE
    assert checks["anthropic"].message == "no complete answer within live_deadline (1 s)"
    assert 1 <= elapsed < 1.8
    assert checks["openai"].status is Status.CHECKED


def test_a_redirect_is_not_followed_so_the_key_stays_home(
    config: Path, emulators: Emulators
) -> None:
    with LiveServer() as other:
        elsewhere = OpenAIApp(["gpt-5"], OPENAI_KEY)
        target = other.mount("/v1", elsewhere, host="localhost")
        emulators.openai.faults = [
            Answer(302, {}, {"Location": f"{target}/models?stolen={OPENAI_KEY}"})
        ]
        report = _check(config, emulators, providers=["openai"])
    check = _by_provider(report)["openai"]
    assert check.problem is Problem.REDIRECT_REFUSED
    assert check.message == (
        "HTTP 302 redirect to http://localhost not followed "
        "(the key goes only to the configured base URL)"
    )
    assert elsewhere.seen == []
    _no_key_anywhere(report)


def test_a_catalog_api_over_plain_http_is_never_asked(
    config: Path, emulators: Emulators, monkeypatch: pytest.MonkeyPatch
) -> None:
    (config / "acme.yml").write_text(
        "provider: acme\nenv: [ACME_API_KEY]\napi: http://models.acme.example/v1\nmodels: {}\n"
    )
    monkeypatch.setenv("ACME_API_KEY", "acme-key-0123456789")
    check = _by_provider(_check(config, emulators, providers=["acme"]))["acme"]
    assert check.status is Status.SKIPPED and check.requests == 0
    assert check.skip_reason is SkipReason.UNKNOWN_FAMILY
    assert "set live_endpoints.acme" in (check.message or "")


def test_an_echoed_key_never_reaches_the_report_or_the_logs(
    config: Path, emulators: Emulators, caplog: pytest.LogCaptureFixture
) -> None:
    emulators.openai.echo_key = emulators.anthropic.echo_key = emulators.gemini.echo_key = True
    emulators.openai.key = emulators.anthropic.key = "another-key"
    # Gemini answers, and lists the key (whole and in part) among its models.
    emulators.gemini.ids += [GEMINI_KEY, f"tuned-{GEMINI_KEY[:20]}", f"{GEMINI_KEY[6:30]}-x"]
    caplog.set_level(logging.DEBUG)
    report = _check(config, emulators)
    checks = _by_provider(report)
    assert checks["openai"].problem is checks["anthropic"].problem is Problem.KEY_REJECTED
    assert checks["google"].status is Status.CHECKED
    assert checks["google"].served_count == len(GEMINI_SERVED) + 3
    assert checks["google"].not_in_catalog[0] == "[redacted]"
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "modelsync.live" in {r.name.rsplit(".", 1)[0] for r in caplog.records}
    _no_key_anywhere(report, logged, caplog.text)


def test_an_echoed_key_in_a_server_error_body(config: Path, emulators: Emulators) -> None:
    body = {"error": {"message": f"upstream said {OPENAI_KEY}", "code": OPENAI_KEY}}
    emulators.openai.faults = [Answer(500, body)] * 2
    report = _check(config, emulators, providers=["openai"])
    assert _by_provider(report)["openai"].message == "HTTP 500 after 2 attempt(s)"
    _no_key_anywhere(report)


# --- concurrency ------------------------------------------------------------------------


@pytest.mark.slow
def test_twenty_providers_take_about_as_long_as_the_slowest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config" / "models"
    config.mkdir(parents=True)
    delays = [0.5] * 19 + [0.9]
    endpoints: dict[str, str] = {}
    keys: dict[str, str] = {}
    with LiveServer() as srv:
        for i, delay in enumerate(delays):
            app = OpenAIApp([f"m-{i}"], f"key-{i:02d}-0123456789")
            app.delay = delay
            endpoints[f"p{i:02d}"] = srv.mount(f"/p{i:02d}/v1", app)
            keys[f"p{i:02d}"] = f"P{i:02d}_API_KEY"
            (config / f"p{i:02d}.yml").write_text(
                f"provider: p{i:02d}\nenv: [P{i:02d}_API_KEY]\n"
                f"default_model: m-{i}\nmodels:\n  m-{i}: {{name: M}}\n"
            )
            monkeypatch.setenv(f"P{i:02d}_API_KEY", f"key-{i:02d}-0123456789")
        started = time.monotonic()
        report = modelsync.check_live(
            config_dir=str(config), read_timeout=5, live_endpoints=endpoints, live_keys=keys
        )
        wall = time.monotonic() - started
    assert report.ok and report.counts()["checked"] == 20
    slowest = max(p.seconds for p in report.providers)
    total = sum(p.seconds for p in report.providers)
    print(f"20 providers: wall {wall:.2f} s, slowest {slowest:.2f} s, sum {total:.2f} s")
    assert slowest >= 0.9 and total >= sum(delays)
    assert wall < slowest + 0.6, (wall, slowest)
