"""The live check's pure parts: id matching, the families' shapes, key redaction, which
provider is checked where with which key, and the ``live_endpoints`` setting."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from modelsync.errors import UsageError
from modelsync.live.families import (
    Family,
    MalformedResponse,
    auth_headers,
    error_code,
    first_params,
    key_rejected,
    parse_page,
)
from modelsync.live.ids import Match, match, normalise
from modelsync.live.providerfile import Entry, ProviderFile
from modelsync.live.reconcile import reconcile
from modelsync.live.redact import REDACTED, Redactor
from modelsync.live.targets import Refused, Skip, Target, plan
from modelsync.live.vocab import Problem, SkipReason
from modelsync.settings import make_settings, resolve

# --- id normalisation -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("served", "expected"),
    [
        ("models/gemini-2.5-flash", "gemini-2.5-flash"),
        ("gemini-2.5-flash", "gemini-2.5-flash"),
        ("models/", "models/"),
        ("accounts/fireworks/models/llama-v3p1-8b", "accounts/fireworks/models/llama-v3p1-8b"),
        ("gemma3:12b", "gemma3:12b"),
        ("claude-opus-4-1@20250805", "claude-opus-4-1@20250805"),
        ("@cf/meta/llama-3.1-8b-instruct", "@cf/meta/llama-3.1-8b-instruct"),
        (" gpt-5 ", "gpt-5"),
    ],
)
def test_normalise_strips_only_the_models_prefix(served: str, expected: str) -> None:
    assert normalise(served) == expected


def test_colon_and_at_versions_are_part_of_the_id() -> None:
    catalog = [
        "gemma3:12b",
        "gemma3:27b",
        "deepseek/deepseek-v4-flash",
        "deepseek/deepseek-v4-flash:free",
        "anthropic.claude-haiku-4-5-20251001-v1:0",
        "claude-opus-4-1@20250805",
        "@cf/meta/llama-3.1-8b-instruct",
    ]
    served = [
        "gemma3:12b",
        "deepseek/deepseek-v4-flash:free",
        "anthropic.claude-haiku-4-5-20251001-v1:0",
        "claude-opus-4-1@20250805",
        "@cf/meta/llama-3.1-8b-instruct",
        "gemma3:4b",
    ]
    found, unmatched = match(catalog, served)
    assert {k: (v.served_as, v.how) for k, v in found.items()} == {
        "gemma3:12b": ("gemma3:12b", Match.EXACT),
        "deepseek/deepseek-v4-flash:free": ("deepseek/deepseek-v4-flash:free", Match.EXACT),
        "anthropic.claude-haiku-4-5-20251001-v1:0": (
            "anthropic.claude-haiku-4-5-20251001-v1:0",
            Match.EXACT,
        ),
        "claude-opus-4-1@20250805": ("claude-opus-4-1@20250805", Match.EXACT),
        "@cf/meta/llama-3.1-8b-instruct": ("@cf/meta/llama-3.1-8b-instruct", Match.EXACT),
    }
    assert unmatched == ["gemma3:4b"]


def test_aliases_are_served_through_their_newest_dated_snapshot() -> None:
    catalog = [
        "claude-sonnet-4-5",  # Anthropic lists claude-sonnet-4-5-20250929
        "claude-opus-4-0",  # -> claude-opus-4-20250514
        "claude-3-5-haiku-latest",  # -> claude-3-5-haiku-20241022
        "gpt-4o",  # OpenAI's ISO dates, two snapshots: the newest
        "claude-opus-4",  # no snapshot of exactly it: claude-opus-4-1-... is another model
        "claude-vertex",  # Vertex spelling of a snapshot
    ]
    served = [
        "claude-sonnet-4-5-20250929",
        "claude-opus-4-20250514",
        "claude-3-5-haiku-20241022",
        "gpt-4o-2024-05-13",
        "gpt-4o-2024-11-20",
        "claude-opus-4-1-20250805",
        "claude-vertex@20250101",
    ]
    found, unmatched = match(catalog, served)
    assert {k: (v.served_as, v.how) for k, v in found.items()} == {
        "claude-sonnet-4-5": ("claude-sonnet-4-5-20250929", Match.ALIAS),
        "claude-opus-4-0": ("claude-opus-4-20250514", Match.ALIAS),
        "claude-3-5-haiku-latest": ("claude-3-5-haiku-20241022", Match.ALIAS),
        "gpt-4o": ("gpt-4o-2024-11-20", Match.ALIAS),
        "claude-opus-4": ("claude-opus-4-20250514", Match.ALIAS),
        "claude-vertex": ("claude-vertex@20250101", Match.ALIAS),
    }
    # Snapshots that stand for a catalog alias are accounted for; the others are not.
    assert unmatched == ["claude-opus-4-1-20250805", "gpt-4o-2024-05-13"]


def test_an_exact_match_wins_over_an_alias() -> None:
    found, unmatched = match(["gpt-4o"], ["gpt-4o", "gpt-4o-2024-11-20"])
    assert found["gpt-4o"].how is Match.EXACT and unmatched == ["gpt-4o-2024-11-20"]
    found, _ = match(["gemini-2.5-pro"], ["models/gemini-2.5-pro"])
    assert (found["gemini-2.5-pro"].served_as, found["gemini-2.5-pro"].how) == (
        "models/gemini-2.5-pro",
        Match.PREFIX,
    )


# --- reconciliation ---------------------------------------------------------------------


def test_reconcile_sorts_loud_models_first_and_names_the_default() -> None:
    file = ProviderFile(
        "p",
        Path("p.yml"),
        default_model="m-default",
        models={
            "a": Entry("a"),
            "b": Entry("b", scored=True),
            "m-default": Entry("m-default"),
            "old": Entry("old", available=False),
            "dep": Entry("dep", deprecated=True),
        },
    )
    result = reconcile(file, ["dep", "new-1", "models/new-2"])
    assert [(m.id, m.loud) for m in result.not_served] == [
        ("b", True),
        ("m-default", True),
        ("a", False),
        ("old", False),
    ]
    assert [(m.id, m.deprecated) for m in result.served] == [("dep", True)]
    assert result.not_in_catalog == ["new-1", "new-2"]
    assert result.default_served is False
    assert reconcile(file, ["m-default-20250101"]).default_served is True
    nameless = ProviderFile("p", Path("p.yml"), default_model="elsewhere")
    assert reconcile(nameless, ["elsewhere"]).default_served is True
    assert reconcile(ProviderFile("p", Path("p.yml")), []).default_served is None


# --- the families' shapes ---------------------------------------------------------------


def test_each_family_sends_its_key_in_its_header_never_the_query() -> None:
    assert auth_headers(Family.OPENAI, "k") == {"Authorization": "Bearer k"}
    assert auth_headers(Family.ANTHROPIC, "k") == {
        "x-api-key": "k",
        "anthropic-version": "2023-06-01",
    }
    assert auth_headers(Family.GEMINI, "k") == {"x-goog-api-key": "k"}
    for family in Family:
        assert "k" not in first_params(family).values()
    assert first_params(Family.ANTHROPIC) == {"limit": "1000"}
    assert first_params(Family.GEMINI) == {"pageSize": "1000"}


def test_pages_of_each_family() -> None:
    openai = {"object": "list", "data": [{"id": "gpt-5", "object": "model"}]}
    assert parse_page(Family.OPENAI, openai).ids == ["gpt-5"]
    assert parse_page(Family.OPENAI, [{"id": "meta/llama"}]).ids == ["meta/llama"]
    first = {"data": [{"id": "a"}, {"id": "b"}], "has_more": True, "first_id": "a", "last_id": "b"}
    assert parse_page(Family.ANTHROPIC, first).next_params == {"after_id": "b"}
    last = {"data": [{"id": "c"}], "has_more": False, "first_id": "c", "last_id": "c"}
    assert parse_page(Family.ANTHROPIC, last).next_params is None
    gemini = {"models": [{"name": "models/gemini-2.5-pro"}], "nextPageToken": "t2"}
    page = parse_page(Family.GEMINI, gemini)
    assert (page.ids, page.next_params) == (["models/gemini-2.5-pro"], {"pageToken": "t2"})
    assert parse_page(Family.GEMINI, {}).ids == []  # proto3 JSON drops an empty list


@pytest.mark.parametrize(
    ("family", "doc", "message"),
    [
        (Family.OPENAI, {"models": []}, "'data' list"),
        (Family.OPENAI, {"data": "gpt-5"}, "not a list"),
        (Family.OPENAI, {"data": [{"name": "gpt-5"}]}, "data[0] has no 'id'"),
        (Family.OPENAI, "gpt-5", "JSON object"),
        (Family.ANTHROPIC, {"data": [], "has_more": True}, "no 'last_id'"),
        (Family.ANTHROPIC, {"data": [{"id": "a"}], "has_more": "yes"}, "not a boolean"),
        (Family.GEMINI, {"models": [{"id": "x"}]}, "models[0] has no 'name'"),
        (Family.GEMINI, {"models": [], "nextPageToken": 5}, "not a string"),
        (Family.GEMINI, [], "JSON object"),
    ],
)
def test_malformed_pages_say_what_is_wrong(family: Family, doc: object, message: str) -> None:
    with pytest.raises(MalformedResponse, match=re.escape(message)):
        parse_page(family, doc)


def test_error_codes_and_rejected_keys() -> None:
    openai = {
        "error": {"message": "Incorrect API key provided: sk-ab***yz", "code": "invalid_api_key"}
    }
    anthropic = {"type": "error", "error": {"type": "authentication_error", "message": "..."}}
    gemini = {
        "error": {
            "code": 400,
            "status": "INVALID_ARGUMENT",
            "details": [{"reason": "API_KEY_INVALID"}],
        }
    }
    assert error_code(openai) == "invalid_api_key"
    assert error_code(anthropic) == "authentication_error"
    assert error_code(gemini) == "API_KEY_INVALID"
    assert error_code({"error": {"code": "has spaces in it"}}) is None
    assert error_code("text") is None
    assert key_rejected(401, None) and key_rejected(403, "PERMISSION_DENIED")
    assert key_rejected(400, "API_KEY_INVALID") and not key_rejected(400, "INVALID_ARGUMENT")
    assert not key_rejected(404, None)


# --- redaction --------------------------------------------------------------------------

KEY = "sk-proj-Zq8w1LmN4vB7xC2kP9rT5yH3"


@pytest.mark.parametrize(
    "text",
    [
        f"Incorrect API key provided: {KEY}.",
        f"key={KEY.replace('-', '%2D')}&x=1",
        f"echo: {KEY[:14]}***{KEY[-4:]} and {KEY[10:22]}",
        f'{{"id": "{KEY}"}}',
    ],
)
def test_the_redactor_removes_keys_and_pieces_of_keys(text: str) -> None:
    redact = Redactor([KEY, ""])
    out = redact(text)
    assert REDACTED in out
    assert KEY not in out and KEY[:8] not in out and KEY[10:18] not in out
    assert redact.holds_key(text) and not redact.holds_key("gpt-5 is served")
    assert redact("gpt-5 is served") == "gpt-5 is served"
    assert Redactor([])("x " + KEY) == "x " + KEY


# --- which provider is checked where ---------------------------------------------------


def _file(**kw: object) -> ProviderFile:
    base: dict[str, object] = {"provider": "acme", "path": Path("acme.yml")}
    base.update(kw)
    return ProviderFile(**base)  # type: ignore[arg-type]


def test_the_key_is_the_first_set_variable_of_the_table() -> None:
    s = make_settings()
    # The file's env is catalog data: its order and names choose nothing.
    google = _file(provider="google", env=("GITHUB_TOKEN", "GEMINI_API_KEY"))
    env = {"GEMINI_API_KEY": " g-key\n", "GOOGLE_GENERATIVE_AI_API_KEY": "", "GITHUB_TOKEN": "gh"}
    target = plan(google, s, env)
    assert isinstance(target, Target)
    assert (target.key_variable, target.key, target.family) == (
        "GEMINI_API_KEY",
        "g-key",
        Family.GEMINI,
    )
    assert target.models_url == "https://generativelanguage.googleapis.com/v1beta/models"
    assert "g-key" not in repr(target)
    skip = plan(google, s, {"GITHUB_TOKEN": "gh"})
    assert isinstance(skip, Skip) and skip.reason is SkipReason.NO_KEY
    assert skip.message == "GOOGLE_API_KEY / GOOGLE_GENERATIVE_AI_API_KEY / GEMINI_API_KEY not set"


def test_live_keys_name_the_variable_of_a_provider() -> None:
    s = make_settings(live_keys={"openai": "TEAM_OPENAI_KEY"})
    openai = _file(provider="openai", env=("OPENAI_API_KEY",))
    env = {"OPENAI_API_KEY": "personal", "TEAM_OPENAI_KEY": "team"}
    target = plan(openai, s, env)
    assert isinstance(target, Target) and (target.key_variable, target.key) == (
        "TEAM_OPENAI_KEY",
        "team",
    )
    skip = plan(openai, s, {"OPENAI_API_KEY": "personal"})
    assert isinstance(skip, Skip) and skip.message == "TEAM_OPENAI_KEY not set"


def test_variables_fill_only_urls_the_user_or_the_table_wrote() -> None:
    template = "https://api.cloudflare.com/client/v4/accounts/${CLOUDFLARE_ACCOUNT_ID}/ai/v1"
    s = make_settings(
        live_endpoints={"cloudflare-workers-ai": template},
        live_keys={"cloudflare-workers-ai": "CLOUDFLARE_API_KEY"},
    )
    cloudflare = _file(provider="cloudflare-workers-ai", env=("CLOUDFLARE_ACCOUNT_ID",))
    env = {"CLOUDFLARE_ACCOUNT_ID": "acc-42", "CLOUDFLARE_API_KEY": "cf-key"}
    target = plan(cloudflare, s, env)
    assert isinstance(target, Target) and target.family is Family.OPENAI
    assert target.models_url == "https://api.cloudflare.com/client/v4/accounts/acc-42/ai/v1/models"
    assert target.endpoint == template + "/models" and target.filled == ("acc-42",)
    assert "acc-42" not in repr(target)
    skip = plan(cloudflare, s, {"CLOUDFLARE_API_KEY": "cf-key"})
    assert isinstance(skip, Skip) and skip.reason is SkipReason.MISSING_VARIABLE
    assert (
        skip.message == "live_endpoints.cloudflare-workers-ai needs CLOUDFLARE_ACCOUNT_ID, not set"
    )
    leaky = make_settings(
        live_endpoints={"acme": "https://x.example/${ACME_SECRET}/v1"},
        live_keys={"acme": "ACME_SECRET"},
    )
    with pytest.raises(Refused, match="would carry the key variable ACME_SECRET"):
        plan(_file(), leaky, {"ACME_SECRET": "k"})
    # A file's api is never filled, nor used.
    evil = _file(provider="evil", env=("EVIL_KEY",), api="https://evil.example/${DB_PASSWORD}/v1")
    skip = plan(evil, make_settings(), {"EVIL_KEY": "k", "DB_PASSWORD": "hunter22"})
    assert isinstance(skip, Skip) and "hunter22" not in skip.message


def test_a_provider_known_only_from_the_catalog_is_skipped_naming_the_settings() -> None:
    s = make_settings()
    bedrock = _file(provider="amazon-bedrock", env=("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"))
    skip = plan(bedrock, s, {"AWS_SECRET_ACCESS_KEY": "x"})
    assert isinstance(skip, Skip) and skip.reason is SkipReason.UNKNOWN_FAMILY
    assert skip.message == (
        "not in modelsync's table of known providers, and its file's env and api (catalog "
        "data) choose no key or URL; set live_endpoints.amazon-bedrock (its OpenAI-compatible "
        "base URL) and live_keys.amazon-bedrock (the variable that holds its key) to check it"
    )
    github = _file(provider="gh", env=("GITHUB_TOKEN",), api="http://127.0.0.1:9/v1")
    assert isinstance(plan(github, s, {"GITHUB_TOKEN": "ghp"}), Skip)
    half = make_settings(live_endpoints={"gh": "http://127.0.0.1:9/v1"})
    skip = plan(github, half, {"GITHUB_TOKEN": "ghp"})
    assert isinstance(skip, Skip) and skip.reason is SkipReason.NO_KEY_VARIABLE
    assert "set live_keys.gh (the variable" in skip.message and "live_endpoints" not in skip.message
    both = make_settings(
        live_endpoints={"gh": "http://127.0.0.1:9/v1"}, live_keys={"gh": "GH_MODELS_TOKEN"}
    )
    target = plan(github, both, {"GITHUB_TOKEN": "ghp", "GH_MODELS_TOKEN": "mine"})
    assert isinstance(target, Target) and (target.key_variable, target.key) == (
        "GH_MODELS_TOKEN",
        "mine",
    )


def test_refusals_say_why_and_show_the_template() -> None:
    s = make_settings(
        live_endpoints={"acme": "https://${ACME_HOST}/v1"}, live_keys={"acme": "ACME_API_KEY"}
    )
    env = {"ACME_API_KEY": "k", "ACME_HOST": "user:pw-0123@gw.example"}
    with pytest.raises(Refused) as refused:
        plan(_file(), s, env)
    assert refused.value.problem is Problem.UNSAFE_ENDPOINT
    assert str(refused.value) == (
        "live_endpoints.acme 'https://${ACME_HOST}/v1': "
        "a base URL carries no credentials, query or fragment"
    )
    spaced = _file(provider="openai", env=("OPENAI_API_KEY",))
    with pytest.raises(Refused, match="OPENAI_API_KEY holds characters") as refused:
        plan(spaced, make_settings(), {"OPENAI_API_KEY": "two words"})
    assert "two words" not in str(refused.value)


def test_a_known_providers_key_goes_to_its_public_api_whatever_the_file_says() -> None:
    moved = _file(provider="openai", env=("OPENAI_API_KEY",), api="https://evil.example/v1")
    target = plan(moved, make_settings(), {"OPENAI_API_KEY": "k"})
    assert isinstance(target, Target)
    assert target.models_url == "https://api.openai.com/v1/models"


def test_live_endpoints_choose_the_base_url_of_known_providers() -> None:
    s = make_settings(live_endpoints={"anthropic": "https://gw.example/anthropic/v1"})
    anthropic = plan(
        _file(provider="anthropic", env=("ANTHROPIC_API_KEY",)), s, {"ANTHROPIC_API_KEY": "k"}
    )
    assert isinstance(anthropic, Target)
    assert (anthropic.family, anthropic.models_url) == (
        Family.ANTHROPIC,
        "https://gw.example/anthropic/v1/models",
    )
    minimax = _file(provider="minimax", env=("MINIMAX_API_KEY",), api="https://evil.example/v1")
    target = plan(minimax, make_settings(), {"MINIMAX_API_KEY": "k"})
    assert isinstance(target, Target) and target.family is Family.ANTHROPIC
    assert target.models_url == "https://api.minimax.io/anthropic/v1/models"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("openai=http://gateway.example/v1", "plain http is allowed only to a loopback address"),
        ("openai", "expected a mapping"),
        ("openai=ftp://gateway.example", "not an https:// URL"),
        ("openai=https://user:secret@gateway.example/v1", "no credentials, query or fragment"),
        ("openai=https://gateway.example/v1?key=1", "no credentials, query or fragment"),
        ("openai=https://gateway.example:99999/v1", "not a URL"),
    ],
)
def test_a_bad_live_endpoint_names_its_origin(value: str, message: str) -> None:
    with pytest.raises(UsageError) as error:
        resolve(environ={"INVOKE_MODELSYNC_LIVE_ENDPOINTS": value})
    text = str(error.value)
    assert (
        text.startswith("environment variable INVOKE_MODELSYNC_LIVE_ENDPOINTS") and message in text
    )
    assert "secret" not in text
    with pytest.raises(UsageError, match=r"setting modelsync\.live_endpoints"):
        resolve({"live_endpoints": {"openai": 5}}, environ={})


def test_live_endpoints_read_from_every_layer() -> None:
    env = {
        "INVOKE_MODELSYNC_LIVE_ENDPOINTS": "openai=https://a.example/v1, xai=http://127.0.0.1:9/v1"
    }
    s = resolve({"live_endpoints": {"mistral": "https://m.example/v1"}}, environ=env)
    assert dict(s.live_endpoints) == {
        "openai": "https://a.example/v1",
        "xai": "http://127.0.0.1:9/v1",
    }
    s = resolve({"live_endpoints": {"mistral": "https://m.example/v1"}}, environ={})
    assert dict(s.live_endpoints) == {"mistral": "https://m.example/v1"}
    assert dict(s.replace(cache_ttl=5).live_endpoints) == {"mistral": "https://m.example/v1"}
    assert make_settings(live_deadline=5).live_deadline == 5.0
    with pytest.raises(UsageError, match="live_deadline"):
        make_settings(live_deadline=0)


def test_live_keys_read_from_every_layer() -> None:
    env = {"INVOKE_MODELSYNC_LIVE_KEYS": "openai=TEAM_OPENAI_KEY, acme=ACME_PAT"}
    s = resolve({"live_keys": {"mistral": "MISTRAL_TEAM_KEY"}}, environ=env)
    assert dict(s.live_keys) == {"openai": "TEAM_OPENAI_KEY", "acme": "ACME_PAT"}
    s = resolve({"live_keys": {"mistral": "MISTRAL_TEAM_KEY"}}, environ={})
    assert dict(s.replace(cache_ttl=5).live_keys) == {"mistral": "MISTRAL_TEAM_KEY"}
    assert dict(make_settings(live_keys={"x": "X_KEY"}).live_keys) == {"x": "X_KEY"}


@pytest.mark.parametrize(
    "value", ["openai=sk-proj-SECRET0123 456", "sk-proj-SECRET0123456", "openai=sk-SECRET0123/x"]
)
def test_a_bad_live_key_names_its_origin_and_never_echoes_the_value(value: str) -> None:
    with pytest.raises(UsageError) as error:
        resolve(environ={"INVOKE_MODELSYNC_LIVE_KEYS": value})
    text = str(error.value)
    assert text.startswith("environment variable INVOKE_MODELSYNC_LIVE_KEYS")
    assert "SECRET" not in text and "not shown" in text
    with pytest.raises(UsageError, match=r"setting modelsync\.live_keys \(provider 'openai'\)"):
        resolve({"live_keys": {"openai": "OPENAI API KEY"}}, environ={})


def test_redaction_ignores_case_and_covers_filled_values() -> None:
    key = "KEYA1B2C3D4E5F6G7H8J9K0LMNPQRSTU"
    redact = Redactor([key], ["account-4242", "eu"])
    assert redact(f"http://{key.lower()}.example/") == "http://[redacted].example/"
    assert redact(f"x {key[3:14].lower()}yz") == "x [redacted]"
    assert redact("/accounts/account-4242/ai") == "/accounts/[redacted]/ai"
    assert redact("eu-west") == "eu-west", "values too short to look for are left"


def test_only_plain_tokens_are_sent_back() -> None:
    from modelsync.live.families import plain_token

    assert plain_token("claude-3-5-haiku-20241022") and plain_token("Ch1tb2RlbHM=")
    assert plain_token("MiniMax-M2") and plain_token("a/b+c:d@e")
    for bad in ("", "a b", "a\\b", "a&b=c", "a#b", "x" * 513, "é"):
        assert not plain_token(bad), bad
