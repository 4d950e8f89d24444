"""Which providers can be checked, where, and with which key.

For a provider file: the key is the first variable of its ``env`` list whose name ends
in ``_API_KEY``, ``_KEY`` or ``_TOKEN`` and that is set; other variables (an account id,
a host) fill ``${VAR}`` in the base URL (``.../accounts/${CLOUDFLARE_ACCOUNT_ID}/ai/v1``).
The base URL is the ``live_endpoints`` entry, else the known provider's public API
(whatever the file's ``api`` says), else the file's ``api``; it must be https, or http
to a loopback address. A key is never put in a URL.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..endpoints import shown, unsafe_base_url
from ..settings import Settings
from .families import KNOWN, Family
from .providerfile import ProviderFile
from .vocab import Problem, SkipReason

KEY_SUFFIXES = ("_API_KEY", "_KEY", "_TOKEN")
_TEMPLATE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
#: What an HTTP header value can carry (no spaces or control characters).
_HEADER_SAFE = re.compile(r"[\x21-\x7e]+")


@dataclass(frozen=True)
class Target:
    """A provider to check: where, how, and with which key (never shown)."""

    provider: str
    family: Family
    base_url: str
    key_variable: str
    key: str = field(repr=False)

    @property
    def models_url(self) -> str:
        return self.base_url.rstrip("/") + "/models"


@dataclass(frozen=True)
class Skip:
    reason: SkipReason
    message: str


class Refused(Exception):
    """The provider cannot be checked safely; the message names the variable or URL."""

    def __init__(self, problem: Problem, message: str) -> None:
        super().__init__(message)
        self.problem = problem


def is_key_variable(name: str) -> bool:
    return name.upper().endswith(KEY_SUFFIXES)


def plan(
    file: ProviderFile, settings: Settings, environ: Mapping[str, str] | None = None
) -> Target | Skip:
    """The target of ``file``, or why it is skipped; :class:`Refused` when unsafe."""
    env = os.environ if environ is None else environ
    family, base = _family_and_base(file, settings)
    if family is None or base is None:
        return Skip(
            SkipReason.UNKNOWN_FAMILY,
            "no known model-list API (no 'api' base URL in the file); set "
            f"live_endpoints.{file.provider} to an OpenAI-compatible base URL to check it",
        )
    key_vars = [v for v in file.env if is_key_variable(v)]
    if not key_vars:
        return Skip(
            SkipReason.NO_KEY_VARIABLE,
            f"its env ({', '.join(file.env) or 'none'}) names no key variable "
            "(*_API_KEY, *_KEY, *_TOKEN)",
        )
    found = next(((v, env[v].strip()) for v in key_vars if env.get(v, "").strip()), None)
    if found is None:
        return Skip(SkipReason.NO_KEY, f"{' / '.join(key_vars)} not set")
    variable, key = found
    if not _HEADER_SAFE.fullmatch(key):
        raise Refused(
            Problem.UNUSABLE_KEY, f"{variable} holds characters an HTTP header cannot carry"
        )
    url = _fill(base, file, env)
    if isinstance(url, Skip):
        return url
    _check_url(url, file.provider, from_setting=file.provider in settings.live_endpoints)
    return Target(file.provider, family, url, variable, key)


def _family_and_base(file: ProviderFile, settings: Settings) -> tuple[Family | None, str | None]:
    known = KNOWN.get(file.provider)
    override = settings.live_endpoints.get(file.provider)
    family = known.family if known else (Family.OPENAI if (file.api or override) else None)
    # A known provider's key goes to its public API whatever the file's ``api`` says.
    base = override or (known.base if known and known.base else None) or file.api
    return family, base


def _fill(base: str, file: ProviderFile, env: Mapping[str, str]) -> str | Skip:
    """``base`` with its ``${VAR}`` filled from the environment."""
    names = _TEMPLATE.findall(base)
    for name in names:
        if is_key_variable(name):
            raise Refused(
                Problem.UNSAFE_ENDPOINT, f"the base URL would carry the key variable {name}"
            )
        if not env.get(name, "").strip():
            return Skip(SkipReason.MISSING_VARIABLE, f"its base URL needs {name}, not set")
    return _TEMPLATE.sub(lambda m: env[m.group(1)].strip(), base)


def _check_url(url: str, provider: str, *, from_setting: bool) -> None:
    problem = unsafe_base_url(url)
    if problem:
        where = f"live_endpoints.{provider}" if from_setting else "its base URL"
        raise Refused(Problem.UNSAFE_ENDPOINT, f"{where} {shown(url)}: {problem}")
