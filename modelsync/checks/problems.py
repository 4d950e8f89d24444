"""The checks of one parsed provider file that both a sync's planner and ``validate``
make: the JSON Schema, what a schema cannot express, and ``default_model`` warnings.
Each problem is ``(json path parts, message)``; the caller places it in the file."""

from __future__ import annotations

import math
from collections.abc import Collection
from typing import Any

from ..model.catalog import non_finite
from ..model.schemas import CONFIG_SCHEMA, checker, message
from ..util.text import escape, excerpt
from .keys import key_problems


def schema_problems(data: Any) -> list[tuple[list[Any], str]]:
    """Where a parsed config document breaks the schema: ``(json path parts, message)``.

    A number that is not finite is left to :func:`non_finite_problems`, which says so in
    YAML's words (``.inf``), once."""
    return [
        (list(error.absolute_path), _message(error))
        for error in checker(CONFIG_SCHEMA).errors(data)
        if not (isinstance(error.instance, float) and not math.isfinite(error.instance))
    ]


def _message(error: Any) -> str:
    """The message for a schema error; for an ``enum``, the whole list of allowed values
    (never cut short: that list is the answer)."""
    if error.validator == "enum" and isinstance(error.validator_value, list):
        allowed = ", ".join(str(v) for v in error.validator_value)
        return escape(f"{excerpt(error.instance)} is not one of: {allowed}")
    return message(error)


def check_data(
    data: Any, provider_id: str | None, user_keys: Collection[str] = ()
) -> list[tuple[list[Any], str]]:
    """Every problem of one parsed config document: the schema, then the checks a schema
    cannot express (:func:`semantic_problems`, then misspelt keys and model ids that are
    not strings, :func:`modelsync.checks.keys.key_problems`)."""
    return (
        schema_problems(data) + semantic_problems(data, provider_id) + key_problems(data, user_keys)
    )


def semantic_problems(data: Any, provider_id: str | None) -> list[tuple[list[Any], str]]:
    """What a schema cannot check: every number is finite, provider matches the file
    name."""
    problems = non_finite_problems(data)
    if not isinstance(data, dict):
        return problems
    provider = data.get("provider")
    if provider_id is not None and isinstance(provider, str) and provider != provider_id:
        problems.append(
            (["provider"], f"{excerpt(provider)} does not match the file name ({provider_id}.yml)")
        )
    return problems


def non_finite_problems(data: Any) -> list[tuple[list[Any], str]]:
    """Every number that is NaN or infinite (``.nan``, ``.inf``, ``-.inf``), anywhere."""
    spelling = {math.inf: ".inf", -math.inf: "-.inf"}
    return [
        (parts, f"{spelling.get(value, '.nan')} is not a finite number")
        for parts, value in non_finite(data)
    ]


def default_model_warnings(data: Any) -> list[tuple[list[Any], str]]:
    """Where ``default_model`` names a model that cannot serve as one: not in the file,
    unavailable (left the catalog) or deprecated. Warnings; errors with ``--strict``."""
    if not isinstance(data, dict) or not isinstance(data.get("default_model"), str):
        return []
    default, models = data["default_model"], data.get("models")
    entry = models.get(default) if isinstance(models, dict) else None
    if not isinstance(entry, dict):
        return [(["default_model"], f"{excerpt(default)} is not a model of this file")]
    if entry.get("available") is False:
        why = "has left the catalog (available: false)"
    elif entry.get("deprecated") is True:
        why = "is deprecated"
    else:
        return []
    return [(["default_model"], f"{excerpt(default)} {why}; choose another default model")]
