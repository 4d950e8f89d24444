"""The live check: which catalog models the team's keys can actually reach.

models.dev says what exists; each provider's own model list, asked with the key in the
environment, says what this account can use. :func:`check_live` reconciles the two for
every provider file (see docs/live.md). It writes nothing to the provider files.

Modules, one job each: :mod:`.providerfile` reads what the check needs from a file,
:mod:`.families` knows the APIs' shapes, :mod:`.targets` decides what to ask where with
which key, :mod:`.client` asks (retried, redirect-proof) within the bounds of
:mod:`.bounds` (a deadline per provider, a memory budget for all), :mod:`.ids` matches
served ids to catalog ids, :mod:`.reconcile` builds the three lists, :mod:`.report` and
:mod:`.render` say it, :mod:`.redact` keeps keys out of all of it, :mod:`.check` runs
the providers concurrently, in daemon threads that never delay the end of the process.
"""

from __future__ import annotations

from .check import check_live
from .report import LIVE_REPORT_VERSION, LiveReport, ProviderCheck

__all__ = ["LIVE_REPORT_VERSION", "LiveReport", "ProviderCheck", "check_live"]
