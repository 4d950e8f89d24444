"""The round trip's safety net: after a merge through ruamel, every value the user owns
must mean the same as before, or the file is left as it is."""

from __future__ import annotations

from typing import Any

from ..errors import ConfigError
from ..model.ownership import is_managed


def check_kept(before: dict[str, Any], after: Any, text: str) -> None:
    """Safety net for the round-trip path: every user-owned value must mean the same
    after the merge (compared as YAML values: ``.nan``, dates, tags and aliases
    included). ``text`` is the file as it was, to name the line of a value that would
    change."""
    from ..model.catalog import MODEL_FIELDS, PROVIDER_FIELDS
    from ..model.ownership import own_keys
    from ..yamlio.meaning import same

    def fail(parts: list[Any]) -> None:
        from ..yamlio.locate import locate

        line, _ = locate(text, parts)
        where = ".".join(str(p) for p in parts) or "(top level)"
        raise ConfigError(
            f"{where}: modelsync cannot merge this file without changing this value, so "
            "it left the file as it is (please report it, with the value)",
            line=line,
        )

    if not isinstance(after, dict):
        fail([])
    for key, value in before.items():
        if key in ("models", *PROVIDER_FIELDS):
            continue
        if key not in after or not same(after[key], value):
            fail([key])
    old_models = before.get("models") or {}
    new_models = after.get("models") or {}
    if not isinstance(old_models, dict) or not isinstance(new_models, dict):
        return
    for model_id, entry in old_models.items():
        if model_id not in new_models or not isinstance(entry, dict):
            continue  # pruned: checked by the merger (no user keys)
        new_entry = new_models[model_id]
        if not isinstance(new_entry, dict):
            fail(["models", model_id])
        managed = is_managed(entry)
        pinned = entry.get("pinned") if managed else None
        for key in own_keys(entry):
            if managed and key in MODEL_FIELDS and key not in (pinned or ()):
                continue
            if key not in new_entry or not same(new_entry[key], entry[key]):
                fail(["models", model_id, key])
