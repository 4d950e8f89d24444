"""Price history from the provider files' own git history: when each field of a model
changed, by a sync or by hand, and the files as they were at a date (``docs/history.md``).

Reads git with the ``git`` command (:mod:`.gitlog`), compares versions field by field
(:mod:`.changes`), renders the result (:mod:`.render`); :mod:`.timeline` puts them
together. Imports only modelsync's foundations (the YAML reader, the model types).
"""

from __future__ import annotations

from .changes import FieldChange
from .timeline import FileAt, History, files_at, first_seen, model_absent, model_history

__all__ = [
    "FieldChange",
    "FileAt",
    "History",
    "files_at",
    "first_seen",
    "model_absent",
    "model_history",
]
