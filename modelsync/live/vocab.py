"""The live check's vocabularies: what happened to a provider, and why.

The JSON document, the counts and the human table take their sections and words from
these enums (see docs/live.md).
"""

from __future__ import annotations

from enum import Enum


class Status(str, Enum):
    """What became of one provider."""

    #: Its model list was obtained and reconciled with its file.
    CHECKED = "checked"
    #: It was to be checked and could not be (key rejected, timeout, bad answer...).
    FAILED = "failed"
    #: It was not checked (no key set, unknown API): never an error.
    SKIPPED = "skipped"


class SkipReason(str, Enum):
    """Why a provider was not checked."""

    #: Not in modelsync's table of known providers, and ``live_keys`` names no variable
    #: for it (a provider file's ``env`` never does).
    NO_KEY_VARIABLE = "no_key_variable"
    #: None of its key variables is set.
    NO_KEY = "no_key"
    #: Not in modelsync's table of known providers, and ``live_endpoints`` names no base
    #: URL for it (a provider file's ``api`` never does).
    UNKNOWN_FAMILY = "unknown_family"
    #: Its base URL needs a variable (``${CLOUDFLARE_ACCOUNT_ID}``) that is not set.
    MISSING_VARIABLE = "missing_variable"


class Problem(str, Enum):
    """Why a provider failed."""

    KEY_REJECTED = "key_rejected"
    UNUSABLE_KEY = "unusable_key"
    UNSAFE_ENDPOINT = "unsafe_endpoint"
    REDIRECT_REFUSED = "redirect_refused"
    TIMEOUT = "timeout"
    DEADLINE = "deadline"
    UNREACHABLE = "unreachable"
    HTTP_ERROR = "http_error"
    MALFORMED_RESPONSE = "malformed_response"
    TOO_LARGE = "too_large"
    CONFIG_ERROR = "config_error"
    INTERNAL_ERROR = "internal_error"
