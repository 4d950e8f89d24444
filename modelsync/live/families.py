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
as models.dev's ``api`` field gives it for OpenAI-compatible providers. This module
only builds requests and reads answers; it sends nothing.
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
    """A provider whose API family modelsync knows; ``base`` ``None``: the file's ``api``."""

    family: Family
    base: str | None = None


#: Providers whose model list needs more than "the file's ``api`` is OpenAI-compatible".
#: The ids are models.dev's.
KNOWN: dict[str, Known] = {
    "openai": Known(Family.OPENAI, "https://api.openai.com/v1"),
    "anthropic": Known(Family.ANTHROPIC, "https://api.anthropic.com/v1"),
    "google": Known(Family.GEMINI, "https://generativelanguage.googleapis.com/v1beta"),
    "mistral": Known(Family.OPENAI, "https://api.mistral.ai/v1"),
    "xai": Known(Family.OPENAI, "https://api.x.ai/v1"),
    "groq": Known(Family.OPENAI, "https://api.groq.com/openai/v1"),
    "cerebras": Known(Family.OPENAI, "https://api.cerebras.ai/v1"),
    "deepinfra": Known(Family.OPENAI, "https://api.deepinfra.com/v1/openai"),
    "togetherai": Known(Family.OPENAI, "https://api.together.xyz/v1"),
    # Anthropic-compatible endpoints: their ``api`` is an Anthropic base URL.
    "minimax": Known(Family.ANTHROPIC),
    "minimax-cn": Known(Family.ANTHROPIC),
    "minimax-coding-plan": Known(Family.ANTHROPIC),
    "minimax-cn-coding-plan": Known(Family.ANTHROPIC),
    "kimi-for-coding": Known(Family.ANTHROPIC),
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
