"""Key names a provider file must not get wrong.

Two mistakes pass a schema that allows user keys, and both cost data:

* a **misspelt known key** (``pined:``, ``defualt_model:``, ``contxt_window:``) is kept as
  a user key, so what it was meant to do silently does not happen (a sync overwrites the
  price ``pined`` was meant to protect). A key close to a known one is an error with a
  "did you mean"; the ``user_keys`` setting lists keys a team uses on purpose.
* a **model id that a YAML reader takes for something else** (``1.10:`` is the number
  1.1, ``on:`` is true to YAML 1.1 readers, ``2024-10-22:`` a date to them) names no
  model, or not the same model to every reader of the file. Such an id must be quoted.
  (modelsync's own two readers both read ``2024-10-22:`` as a string, so nothing goes
  wrong before the error is seen.)
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection, Iterable
from typing import Any

from ..model.catalog import MODEL_FIELDS, PROVIDER_FIELDS
from ..util.suggest import close_matches

#: Known top-level keys.
TOP_KEYS = ("provider", *PROVIDER_FIELDS, "default_model", "models")
#: Known keys of a model entry.
MODEL_KEYS = (
    *MODEL_FIELDS,
    "pinned",
    "task_complexity_score",
    "task_complexity_samples",
    "notes",
)
#: Known keys of ``task_complexity_score``.
SCORE_KEYS = ("simple", "medium", "complex")

#: How alike a key and a known key must be (difflib's ratio) to be taken for a typo.
CUTOFF = 0.8

Problem = tuple[list[Any], str]


def close_key(key: Any, known: Collection[str], exempt: Collection[str] = ()) -> str | None:
    """The known key that ``key`` looks like a misspelling of, if any."""
    if not isinstance(key, str) or key in known or key in exempt:
        return None
    for name in known:
        if key.lower() == name.lower():
            return name
    match = close_matches(key, known, n=1, cutoff=CUTOFF)
    return match[0] if match else None


def _typos(
    mapping: dict[Any, Any], known: Collection[str], where: list[Any], exempt: Collection[str]
) -> Iterable[Problem]:
    for key in mapping:
        match = close_key(key, known, exempt)
        if match is not None:
            yield (
                [*where, key],
                f"unknown key {key!r}: did you mean {match!r}? (a key used on purpose can "
                "be listed in the user_keys setting)",
            )


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return type(value).__name__


def key_problems(doc: Any, user_keys: Collection[str] = ()) -> list[Problem]:
    """Misspelt known keys and model ids that are not strings, in document order."""
    problems: list[Problem] = []
    if not isinstance(doc, dict):
        return problems
    exempt = frozenset(user_keys)
    problems.extend(_typos(doc, TOP_KEYS, [], exempt))
    models = doc.get("models")
    if not isinstance(models, dict):
        return problems
    for model_id, entry in models.items():
        if not isinstance(model_id, str):
            problems.append(
                (
                    ["models", model_id],
                    f"this model id is read as a {_kind(model_id)} ({model_id!r}), not as "
                    "a string: quote it",
                )
            )
            continue
        if not isinstance(entry, dict):
            continue
        problems.extend(_typos(entry, MODEL_KEYS, ["models", model_id], exempt))
        for key in ("task_complexity_score", "task_complexity_samples"):
            scores = entry.get(key)
            if isinstance(scores, dict):
                problems.extend(_typos(scores, SCORE_KEYS, ["models", model_id, key], exempt))
    return problems


# --- model ids that some YAML reader reads as something else ---------------------------

#: What YAML 1.2 readers (ruamel.yaml, as modelsync reads a file to edit it) resolve a
#: plain scalar to, besides strings: (kind, the characters it may start with, pattern).
_YAML12 = (
    ("boolean", "tTfF", re.compile(r"true|True|TRUE|false|False|FALSE")),
    (
        "number",
        "-+0123456789.",
        re.compile(
            r"[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+"
            r"|[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
            r"|[-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?[0-9_]+|[-+]?0x[0-9a-fA-F_]+"
        ),
    ),
    ("null", "~nN", re.compile(r"~|null|Null|NULL")),
    ("merge key", "<", re.compile(r"<<")),
)
_KINDS = {"bool": "boolean", "int": "number", "float": "number", "merge": "merge key"}


@functools.cache
def _resolver11() -> Any:
    import yaml

    return yaml.resolver.Resolver()


def other_reading(text: str) -> str | None:
    """What a plain scalar ``text`` is to YAML 1.1 readers (PyYAML, Psych: dates
    included) or YAML 1.2 readers when it is not a string, else ``None``."""
    import yaml

    tag = _resolver11().resolve(yaml.ScalarNode, text, (True, False))
    if tag not in ("tag:yaml.org,2002:str", "tag:yaml.org,2002:value"):  # '=' is a string
        name = tag.rsplit(":", 1)[-1]
        return _KINDS.get(name, "date" if name == "timestamp" else name)
    for kind, first, pattern in _YAML12:
        if text[:1] in first and pattern.fullmatch(text):
            return kind
    return None


def ambiguous_ids(text: str, doc: Any) -> list[Problem]:
    """Model ids written as plain scalars that some YAML reader does not read as the
    string modelsync reads (``2024-10-22:`` is a date to YAML 1.1 readers, ``1e3:`` a
    number to YAML 1.2 readers)."""
    models = doc.get("models") if isinstance(doc, dict) else None
    if not isinstance(models, dict):
        return []
    suspects = {k for k in models if isinstance(k, str) and other_reading(k)}
    if not suspects:
        return []
    import yaml

    try:
        root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return []
    if not isinstance(root, yaml.MappingNode):
        return []
    problems: list[Problem] = []
    for key_node, value_node in root.value:
        if key_node.value != "models" or not isinstance(value_node, yaml.MappingNode):
            continue
        for model_node, _ in value_node.value:
            name = model_node.value
            if (
                isinstance(model_node, yaml.ScalarNode)
                and not model_node.style
                and name in suspects
            ):
                problems.append(
                    (
                        ["models", name],
                        f"model id {name} is read as a {other_reading(name)} by some YAML "
                        f"readers, not as a string: quote it ('{name}')",
                    )
                )
    return problems
