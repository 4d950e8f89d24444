"""Fingerprints: the SHA-256 of a file's bytes and of one provider's catalog data."""

from __future__ import annotations

import hashlib
import json
from typing import Any


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def upstream_digest(raw: Any) -> str:
    """A fingerprint of one provider's raw catalog data (key order does not matter)."""
    text = json.dumps(raw, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return digest(text.encode("ascii"))
