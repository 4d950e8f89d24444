"""Base URLs an API key may be sent to: https, or plain http to a loopback address, with
no credentials, query or fragment in them. One rule for the ``live_endpoints`` setting
and for the base URLs the live check takes from provider files."""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit


def is_loopback_host(host: str) -> bool:
    """``localhost`` or a loopback IP address (``127.0.0.0/8``, ``::1``)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def unsafe_base_url(url: str) -> str | None:
    """Why a key must not be sent to ``url``, or ``None`` when it may."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        return "not a URL"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "not an https:// URL"
    if parts.username is not None or parts.query or parts.fragment:
        return "a base URL carries no credentials, query or fragment"
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        return "plain http is allowed only to a loopback address"
    return None


def shown(url: str) -> str:
    """``url`` fit for a message: credentials masked, at most 80 characters, quoted."""
    return repr(re.sub(r"//[^/]*@", "//***@", url)[:80])
