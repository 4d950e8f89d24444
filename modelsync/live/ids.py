"""Which served model is which catalog model: id normalisation, explicit and small.

The rules, in order (docs/live.md has examples):

1. **Prefix**: a served ``models/<id>`` is ``<id>`` (Gemini names its models so, and so
   does its OpenAI-compatible endpoint).
2. **Exact**: otherwise ids compare as written. ``@`` and ``:`` are part of an id, as
   models.dev writes them: ``gemma3:12b`` and ``gemma3:27b`` are two models,
   ``deepseek-v4-flash:free`` is not ``deepseek-v4-flash``, Bedrock's
   ``...-v1:0`` and Vertex's ``claude-opus-4-1@20250805`` keep their versions.
3. **Alias**: a catalog id that is not served is served through a dated snapshot of it:
   ``<id>-<date>`` or ``<id>@<date>`` (date ``YYYYMMDD`` or ``YYYY-MM-DD``); for a catalog
   id ending in ``-latest`` or ``-0``, ``<id>`` without that ending. Anthropic lists
   ``claude-sonnet-4-5-20250929``, not the alias ``claude-sonnet-4-5`` that calls it.
   The newest date wins.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

PREFIX = "models/"
_DATED = re.compile(r"(?P<base>.+)[-@](?P<date>\d{8}|\d{4}-\d{2}-\d{2})")
_ALIAS_ENDINGS = ("-latest", "-0")


class Match(str, Enum):
    """How a served id was matched to a catalog id."""

    EXACT = "exact"
    PREFIX = "prefix"
    ALIAS = "alias"


@dataclass(frozen=True)
class Matched:
    served_as: str
    how: Match


def normalise(served_id: str) -> str:
    """A served id as models.dev would write it (rules 1 and 2)."""
    served_id = served_id.strip()
    if served_id.startswith(PREFIX) and len(served_id) > len(PREFIX):
        return served_id[len(PREFIX) :]
    return served_id


def alias_bases(catalog_id: str) -> list[str]:
    """The ids a dated snapshot of ``catalog_id`` would start with (rule 3)."""
    bases = [catalog_id]
    for ending in _ALIAS_ENDINGS:
        if catalog_id.endswith(ending) and len(catalog_id) > len(ending):
            bases.append(catalog_id[: -len(ending)])
    return bases


def match(
    catalog_ids: Iterable[str], served_ids: Iterable[str]
) -> tuple[dict[str, Matched], list[str]]:
    """``({catalog id: how it is served}, [served ids matching no catalog id])``; the
    unmatched ids are normalised (as a catalog entry for them would be named)."""
    served: dict[str, str] = {}
    for served_id in served_ids:
        served.setdefault(normalise(served_id), served_id)
    catalog = list(dict.fromkeys(catalog_ids))
    found: dict[str, Matched] = {}
    used: set[str] = set()
    for catalog_id in catalog:
        raw = served.get(catalog_id)
        if raw is not None:
            found[catalog_id] = Matched(raw, Match.EXACT if raw == catalog_id else Match.PREFIX)
            used.add(catalog_id)
    dated = _dated_index(served)
    for catalog_id in catalog:
        if catalog_id in found:
            continue
        snapshots = [s for base in alias_bases(catalog_id) for s in dated.get(base, ())]
        if snapshots:
            _, name = max(snapshots)
            found[catalog_id] = Matched(served[name], Match.ALIAS)
            used.add(name)
    unmatched = sorted(name for name in served if name not in used)
    return found, unmatched


def _dated_index(served: dict[str, str]) -> dict[str, list[tuple[str, str]]]:
    """``{base: [(date digits, normalised id), ...]}`` of the served dated snapshots."""
    index: dict[str, list[tuple[str, str]]] = {}
    for name in served:
        m = _DATED.fullmatch(name)
        if m:
            index.setdefault(m.group("base"), []).append((m.group("date").replace("-", ""), name))
    return index
