"""Which providers can be checked, where, and with which key.

A key goes only where the user said it may go. A provider file's ``env`` and ``api`` are
catalog data (models.dev, which anyone can edit, copied by ``sync``): they never choose
a variable or a destination. For provider ``p``:

- the key variable is ``live_keys.p`` if set, else the documented variables of ``p`` in
  modelsync's table of known providers (:data:`~modelsync.live.families.KNOWN`); the
  first one set is used;
- the base URL is ``live_endpoints.p`` if set, else the official API of ``p`` in that
  table; it must be https, or http to a loopback address;
- a provider that is not in the table is checked only when both settings name it, as
  OpenAI-compatible; otherwise it is skipped with a message naming the settings to add.

``${VAR}`` in a base URL (``.../accounts/${CLOUDFLARE_ACCOUNT_ID}/ai/v1``) is filled from
the environment, only in URLs the user wrote or the table holds, so only from variables
they name; never with a key variable. The filled URL is used for the requests only:
every message, log line and the report show the template.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..settings import Settings
from ..util.endpoints import shown, unsafe_base_url
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
    #: The base URL as the settings or the table write it (``${VAR}`` unfilled): shown.
    base_template: str
    key_variable: str
    key: str = field(repr=False)
    #: The base URL requests go to, ``${VAR}`` filled: never shown.
    base_url: str = field(default="", repr=False)
    #: The values filled into ``base_url`` (kept out of every output too).
    filled: tuple[str, ...] = field(default=(), repr=False)

    @property
    def models_url(self) -> str:
        """Where the requests go (never shown: it may hold filled values)."""
        return (self.base_url or self.base_template).rstrip("/") + "/models"

    @property
    def endpoint(self) -> str:
        """The model-list URL as shown: the template's."""
        return self.base_template.rstrip("/") + "/models"


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
    provider = file.provider
    known = KNOWN.get(provider)
    endpoint = settings.live_endpoints.get(provider)
    key_setting = settings.live_keys.get(provider)
    if known is None and (endpoint is None or key_setting is None):
        return _not_configured(provider, endpoint is None, key_setting is None)
    key_vars = (key_setting,) if key_setting else known.keys if known else ()
    found = next(((v, env[v].strip()) for v in key_vars if env.get(v, "").strip()), None)
    if found is None:
        return Skip(SkipReason.NO_KEY, f"{' / '.join(key_vars)} not set")
    variable, key = found
    if not _HEADER_SAFE.fullmatch(key):
        raise Refused(
            Problem.UNUSABLE_KEY, f"{variable} holds characters an HTTP header cannot carry"
        )
    template = endpoint or (known.base if known else "")
    where = f"live_endpoints.{provider}" if endpoint else "its base URL"
    filled = _fill(template, where, key_vars, env)
    if isinstance(filled, Skip):
        return filled
    url, values = filled
    problem = unsafe_base_url(url)
    if problem:
        raise Refused(Problem.UNSAFE_ENDPOINT, f"{where} {shown(template)}: {problem}")
    family = known.family if known else Family.OPENAI
    return Target(provider, family, template, variable, key, url, values)


def _not_configured(provider: str, no_endpoint: bool, no_key: bool) -> Skip:
    missing = [
        *([f"live_endpoints.{provider} (its OpenAI-compatible base URL)"] if no_endpoint else []),
        *([f"live_keys.{provider} (the variable that holds its key)"] if no_key else []),
    ]
    reason = SkipReason.UNKNOWN_FAMILY if no_endpoint else SkipReason.NO_KEY_VARIABLE
    return Skip(
        reason,
        "not in modelsync's table of known providers, and its file's env and api "
        f"(catalog data) choose no key or URL; set {' and '.join(missing)} to check it",
    )


def _fill(
    template: str, where: str, key_vars: tuple[str, ...], env: Mapping[str, str]
) -> tuple[str, tuple[str, ...]] | Skip:
    """``template`` with its ``${VAR}`` filled from the environment, and the values."""
    names = _TEMPLATE.findall(template)
    for name in names:
        if name in key_vars or is_key_variable(name):
            raise Refused(
                Problem.UNSAFE_ENDPOINT,
                f"{where} {shown(template)} would carry the key variable {name}",
            )
        if not env.get(name, "").strip():
            return Skip(SkipReason.MISSING_VARIABLE, f"{where} needs {name}, not set")
    url = _TEMPLATE.sub(lambda m: env[m.group(1)].strip(), template)
    return url, tuple(env[name].strip() for name in names)
