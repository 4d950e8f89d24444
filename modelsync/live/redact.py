"""Keeping keys out of everything the live check says.

Every text that reaches a message, a log line, the report or the JSON passes through a
:class:`Redactor` built from the keys in use. It removes each key, and any word that
holds a long enough piece of one (servers echo keys partly masked, ``sk-abc...xyz``),
whatever the case (a host name is lowercased on its way). Texts are redacted as they
came, before anything transforms them (parsing a URL, ``repr``): a transformed key may no
longer look like itself. The values filled into a base URL's ``${VAR}`` are removed too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import quote

REDACTED = "[redacted]"
#: Length of the pieces of a key looked for in a text.
PIECE = 8
#: Filled values shorter than this are not looked for (they would blank common words).
MIN_VALUE = 4
_WORD = re.compile(r"[^\s\"'<>(),;]+")


class Redactor:
    """``redact(text)``: ``text`` without any of ``keys`` (nor of ``values``, whole)."""

    def __init__(self, keys: Iterable[str], values: Iterable[str] = ()) -> None:
        self._keys = sorted({k for k in keys if k}, key=len, reverse=True)
        forms: set[str] = set()
        for secret in [*self._keys, *(v for v in values if len(v) >= MIN_VALUE)]:
            forms.update({secret, quote(secret, safe=""), quote(secret)})
        ordered = sorted(forms, key=len, reverse=True)
        self._forms = (
            re.compile("|".join(map(re.escape, ordered)), re.IGNORECASE) if ordered else None
        )
        self._pieces = {
            key[i : i + PIECE].lower()
            for key in self._keys
            for i in range(max(1, len(key) - PIECE + 1))
        }

    def __call__(self, text: str) -> str:
        if self._forms is None or not text:
            return text
        text = self._forms.sub(REDACTED, text)
        lowered = text.lower()
        if any(piece in lowered for piece in self._pieces):
            text = _WORD.sub(self._word, text)
        return text

    def _word(self, match: re.Match[str]) -> str:
        word = match.group().lower()
        return REDACTED if any(piece in word for piece in self._pieces) else match.group()

    def holds_key(self, text: str) -> bool:
        """Whether ``text`` holds a key or a piece of one."""
        return self(text) != text
