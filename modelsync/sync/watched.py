"""What a plan keeps of a provider file for the attention check: the old entries of the
models that may be depended on, and the merged document, so that attention needs no
second parse of the file (see :mod:`modelsync.sync.attention`)."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..model.catalog import MODEL_FIELDS
from ..model.ownership import DEPENDENCY_KEYS


@dataclass
class Watched:
    """What a plan keeps for :func:`find`: the file's old ``default_model`` and copies of
    the old entries of every model that may be depended on after the merge (the default
    one and those with a dependency key), then the merged document's models and
    ``default_model``."""

    before: dict[Any, Any]
    default: Any
    after: Mapping[Any, Any] | None = None
    after_default: Any = None

    def merged(self, doc: Any) -> None:
        """Note the merged (plain) document."""
        models = doc.get("models") if isinstance(doc, dict) else None
        self.after = models if isinstance(models, dict) else {}
        self.after_default = doc.get("default_model") if isinstance(doc, dict) else None


def watch(doc: Any, watch_keys: Iterable[str]) -> Watched | None:
    """The :class:`Watched` of a file's plain data before its merge, or ``None`` when
    which models are depended on cannot be told before the merge (a ``watch_keys`` entry
    names a synced field, which the merge may add)."""
    keys = frozenset((*DEPENDENCY_KEYS, *watch_keys))
    if not keys.isdisjoint(MODEL_FIELDS):
        return None
    models = doc.get("models") if isinstance(doc, dict) else None
    default = doc.get("default_model") if isinstance(doc, dict) else None
    before = {}
    if isinstance(models, dict):
        for model_id, entry in models.items():
            if isinstance(entry, dict) and (model_id == default or not keys.isdisjoint(entry)):
                before[model_id] = copy.deepcopy(entry)
    return Watched(before, default)
