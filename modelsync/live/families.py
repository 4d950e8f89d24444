"""The model-list APIs the live check speaks, with their real request and response shapes.

Three families (sources in docs/live.md):

- **OpenAI-compatible**: ``GET {base}/models`` with ``Authorization: Bearer <key>``;
  the answer is ``{"object": "list", "data": [{"id": ...}, ...]}`` in one page (some
  hosts, Together AI among them, answer with the bare list).
- **Anthropic**: ``GET {base}/models?limit=1000`` with ``x-api-key`` and
  ``anthropic-version``; ``{"data": [{"id": ...}], "has_more": ..., "last_id": ...}``,
  the next page asked for with ``after_id=<last_id>``.
- **Gemini**: ``GET {base}/models?pageSize=1000`` with ``x-goog-api-key``;
  ``{"models": [{"name": "models/<id>"}], "nextPageToken": ...}``, the next page asked
  for with ``pageToken``; the last page has no token.

``base`` is the API root with its version (``https://api.openai.com/v1``,
``https://api.anthropic.com/v1``, ``https://generativelanguage.googleapis.com/v1beta``),
from modelsync's table :data:`KNOWN` or the user's ``live_endpoints`` setting, never from
a provider file (see :mod:`modelsync.live.targets`). This module only builds requests and
reads answers; it sends nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from typing import Any


class Family(str, Enum):
    OPENAI = "openai-compatible"
    ANTHROPIC = "anthropic"
    GEMINI = "gemini"


#: The ``anthropic-version`` header value (the current and only stable API version).
ANTHROPIC_VERSION = "2023-06-01"
#: The largest page each paginated API documents.
PAGE_SIZE = 1000


@dataclass(frozen=True)
class Known:
    """A provider modelsync has vetted: its API family, the official base URL of its
    model list and the variables its documentation names for its key (the first one set
    is used). A provider file's ``env`` and ``api`` (catalog data) never replace them."""

    family: Family
    base: str
    keys: tuple[str, ...]


#: modelsync's own table of known providers; the ids are models.dev's. Each entry is
#: checked against the provider's documentation (the URL above it). A provider that is
#: not here is checked only when the settings name both its base URL (``live_endpoints``)
#: and its key variable (``live_keys``).
KNOWN: dict[str, Known] = {
    # https://platform.openai.com/docs/api-reference/models/list
    "openai": Known(Family.OPENAI, "https://api.openai.com/v1", ("OPENAI_API_KEY",)),
    # https://docs.anthropic.com/en/api/models-list
    "anthropic": Known(Family.ANTHROPIC, "https://api.anthropic.com/v1", ("ANTHROPIC_API_KEY",)),
    # https://ai.google.dev/api/models#method:-models.list and
    # https://ai.google.dev/gemini-api/docs/api-key (GEMINI_API_KEY, GOOGLE_API_KEY);
    # GOOGLE_GENERATIVE_AI_API_KEY is the AI SDK's name for the same key
    # (https://ai-sdk.dev/providers/ai-sdk-providers/google-generative-ai).
    "google": Known(
        Family.GEMINI,
        "https://generativelanguage.googleapis.com/v1beta",
        ("GOOGLE_API_KEY", "GOOGLE_GENERATIVE_AI_API_KEY", "GEMINI_API_KEY"),
    ),
    # https://docs.mistral.ai/api/#tag/models (GET /v1/models)
    "mistral": Known(Family.OPENAI, "https://api.mistral.ai/v1", ("MISTRAL_API_KEY",)),
    # https://console.groq.com/docs/api-reference#models-list (GET /openai/v1/models)
    "groq": Known(Family.OPENAI, "https://api.groq.com/openai/v1", ("GROQ_API_KEY",)),
    # https://api-docs.deepseek.com/api/list-models (GET https://api.deepseek.com/models)
    "deepseek": Known(Family.OPENAI, "https://api.deepseek.com", ("DEEPSEEK_API_KEY",)),
    # https://docs.x.ai/docs/api-reference#list-models (GET /v1/models)
    "xai": Known(Family.OPENAI, "https://api.x.ai/v1", ("XAI_API_KEY",)),
    # https://docs.together.ai/reference/models-1 (GET /v1/models, the bare list)
    "togetherai": Known(Family.OPENAI, "https://api.together.xyz/v1", ("TOGETHER_API_KEY",)),
    # https://docs.fireworks.ai/tools-sdks/openai-compatibility (base URL; GET /models)
    "fireworks-ai": Known(
        Family.OPENAI, "https://api.fireworks.ai/inference/v1", ("FIREWORKS_API_KEY",)
    ),
    # https://openrouter.ai/docs/api-reference/list-available-models
    "openrouter": Known(Family.OPENAI, "https://openrouter.ai/api/v1", ("OPENROUTER_API_KEY",)),
    # https://inference-docs.cerebras.ai/api-reference/models (GET /v1/models)
    "cerebras": Known(Family.OPENAI, "https://api.cerebras.ai/v1", ("CEREBRAS_API_KEY",)),
    # https://docs.perplexity.ai/api-reference/models-get (GET /v1/models, OpenAI's form)
    "perplexity": Known(Family.OPENAI, "https://api.perplexity.ai/v1", ("PERPLEXITY_API_KEY",)),
    # https://deepinfra.com/docs/openai_api (base https://api.deepinfra.com/v1/openai)
    "deepinfra": Known(
        Family.OPENAI, "https://api.deepinfra.com/v1/openai", ("DEEPINFRA_API_KEY",)
    ),
    # https://platform.moonshot.ai/docs/api/chat (base https://api.moonshot.ai/v1;
    # GET /v1/models is in its API overview)
    "moonshotai": Known(Family.OPENAI, "https://api.moonshot.ai/v1", ("MOONSHOT_API_KEY",)),
    # Anthropic-compatible: https://platform.minimax.io/docs/api-reference/models/anthropic/list-models
    "minimax": Known(Family.ANTHROPIC, "https://api.minimax.io/anthropic/v1", ("MINIMAX_API_KEY",)),
    "minimax-coding-plan": Known(
        Family.ANTHROPIC, "https://api.minimax.io/anthropic/v1", ("MINIMAX_API_KEY",)
    ),
    # https://platform.minimaxi.com/docs/guides/quickstart (the mainland China host)
    "minimax-cn": Known(
        Family.ANTHROPIC, "https://api.minimaxi.com/anthropic/v1", ("MINIMAX_API_KEY",)
    ),
    "minimax-cn-coding-plan": Known(
        Family.ANTHROPIC, "https://api.minimaxi.com/anthropic/v1", ("MINIMAX_API_KEY",)
    ),
    # https://www.kimi.com/coding/docs/en/third-party-agents.html (Anthropic-compatible
    # base https://api.kimi.com/coding)
    "kimi-for-coding": Known(Family.ANTHROPIC, "https://api.kimi.com/coding/v1", ("KIMI_API_KEY",)),
}


class MalformedResponse(ValueError):
    """An answer that is not the family's list shape; the message says what is wrong."""


@dataclass(frozen=True)
class Page:
    """The model ids of one page and the query that asks for the next (``None``: last)."""

    ids: list[str]
    next_params: dict[str, str] | None


def auth_headers(family: Family, key: str) -> dict[str, str]:
    """The headers that carry ``key`` (never a query parameter: URLs get logged)."""
    if family is Family.ANTHROPIC:
        return {"x-api-key": key, "anthropic-version": ANTHROPIC_VERSION}
    if family is Family.GEMINI:
        return {"x-goog-api-key": key}
    return {"Authorization": f"Bearer {key}"}


def first_params(family: Family) -> dict[str, str]:
    """The query of the first page."""
    if family is Family.ANTHROPIC:
        return {"limit": str(PAGE_SIZE)}
    if family is Family.GEMINI:
        return {"pageSize": str(PAGE_SIZE)}
    return {}


def parse_page(family: Family, doc: Any) -> Page:
    """The ids of one answer; :class:`MalformedResponse` if it has not the family's shape."""
    if family is Family.ANTHROPIC:
        return _anthropic(doc)
    if family is Family.GEMINI:
        return _gemini(doc)
    return _openai(doc)


def _items(doc: Any, key: str, field: str, *, optional: bool = False) -> list[str]:
    if isinstance(doc, dict) and key in doc:
        items = doc[key]
    elif optional and isinstance(doc, dict):
        items = []
    else:
        raise MalformedResponse(f"expected a JSON object with a {key!r} list")
    if not isinstance(items, list):
        raise MalformedResponse(f"{key!r} is not a list")
    ids: list[str] = []
    for i, item in enumerate(items):
        value = item.get(field) if isinstance(item, dict) else None
        if not isinstance(value, str) or not value.strip():
            raise MalformedResponse(f"{key}[{i}] has no {field!r} string")
        ids.append(value)
    return ids


def _openai(doc: Any) -> Page:
    if isinstance(doc, list):  # Together AI's form: the bare list
        return Page(_items({"data": doc}, "data", "id"), None)
    return Page(_items(doc, "data", "id"), None)


def _anthropic(doc: Any) -> Page:
    ids = _items(doc, "data", "id")
    has_more = doc.get("has_more")
    if has_more is not None and not isinstance(has_more, bool):
        raise MalformedResponse("'has_more' is not a boolean")
    if not has_more:
        return Page(ids, None)
    last = doc.get("last_id") or (ids[-1] if ids else None)
    if not isinstance(last, str) or not last:
        raise MalformedResponse("'has_more' is true but the page has no 'last_id'")
    return Page(ids, {"after_id": last})


def _gemini(doc: Any) -> Page:
    # proto3 JSON leaves out an empty list: no "models" key is a page without models.
    ids = _items(doc, "models", "name", optional=True)
    token = doc.get("nextPageToken")
    if token is not None and not isinstance(token, str):
        raise MalformedResponse("'nextPageToken' is not a string")
    return Page(ids, {"pageToken": token} if token else None)


#: A cursor a server sent (``after_id``, ``pageToken``) goes back in a query string only
#: when it is a plain token: bounded, and of URL-safe and base64 characters.
_PLAIN_TOKEN = re.compile(r"[A-Za-z0-9._~:@+/=-]{1,512}")


def plain_token(value: str) -> bool:
    """Whether ``value`` may be sent back in a URL (the caller also checks it holds no key)."""
    return _PLAIN_TOKEN.fullmatch(value) is not None


_CODE = re.compile(r"[A-Za-z][A-Za-z0-9_.-]{0,63}")


def error_code(doc: Any) -> str | None:
    """A short error identifier from the error shapes of the three families, if any.

    OpenAI: ``{"error": {"code": "invalid_api_key", "type": ...}}``; Anthropic:
    ``{"type": "error", "error": {"type": "authentication_error"}}``; Gemini:
    ``{"error": {"status": "INVALID_ARGUMENT", "details": [{"reason": "API_KEY_INVALID"}]}}``.
    Only identifiers are taken, never the free text around them (it may quote the key).
    """
    error = doc.get("error") if isinstance(doc, dict) else None
    if not isinstance(error, dict):
        return None
    for value in (_reason(error), error.get("code"), error.get("status"), error.get("type")):
        if isinstance(value, str) and _CODE.fullmatch(value):
            return value
    return None


def _reason(error: dict[str, Any]) -> str | None:
    details = error.get("details")
    for detail in details if isinstance(details, list) else ():
        if isinstance(detail, dict) and isinstance(detail.get("reason"), str):
            return str(detail["reason"])
    return None


def key_rejected(status: int, code: str | None) -> bool:
    """Whether an answer means "this key is not accepted": 401 and 403 everywhere, and
    Gemini's 400 ``API_KEY_INVALID``."""
    return status in (401, 403) or (status == 400 and code == "API_KEY_INVALID")
