"""Keeping keys out of everything the live check says.

Every text that reaches a message, a log line, the report or the JSON passes through a
:class:`Redactor` built from the keys in use. It removes each key, and any word that
holds a long enough piece of one (servers echo keys partly masked, ``sk-abc...xyz``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import quote

REDACTED = "[redacted]"
#: Length of the pieces of a key looked for in a text.
PIECE = 8
_WORD = re.compile(r"[^\s\"'<>(),;]+")


class Redactor:
    """``redact(text)``: ``text`` without any of ``keys``."""

    def __init__(self, keys: Iterable[str]) -> None:
        self._keys = sorted({k for k in keys if k}, key=len, reverse=True)
        forms: set[str] = set()
        for key in self._keys:
            forms.update({key, quote(key, safe=""), quote(key)})
        self._forms = sorted(forms, key=len, reverse=True)
        self._pieces = {
            key[i : i + PIECE] for key in self._keys for i in range(max(1, len(key) - PIECE + 1))
        }

    def __call__(self, text: str) -> str:
        if not self._keys or not text:
            return text
        for form in self._forms:
            text = text.replace(form, REDACTED)
        if any(piece in text for piece in self._pieces):
            text = _WORD.sub(self._word, text)
        return text

    def _word(self, match: re.Match[str]) -> str:
        word = match.group()
        return REDACTED if any(piece in word for piece in self._pieces) else word

    def holds_key(self, text: str) -> bool:
        """Whether ``text`` holds a key or a piece of one."""
        return self(text) != text
