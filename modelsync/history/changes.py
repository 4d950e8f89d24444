"""What changed in a model entry between two versions of a provider file, field by field,
and whether the file says the sync or a person owns the field that changed.

The rule (``docs/history.md``): a change is the sync's when the entry is managed
(``source: models.dev`` written in it) in both versions, the field is one the sync
writes (:data:`~modelsync.model.catalog.MODEL_FIELDS`) and neither version lists it in
``pinned``. Anything else is a hand edit: a pinned field, the ``pinned`` list itself, a
user key (``notes``, ``task_complexity_score``...) or any field of a hand-written entry.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ..model.catalog import MODEL_FIELDS
from ..model.ownership import is_managed

SYNC = "sync"
HAND = "hand"


@dataclass(frozen=True)
class FieldChange:
    """One change of one model's field in one commit.

    ``kind`` is ``changed``, ``added`` (the model entered the file) or ``removed``;
    ``field`` is a dotted path (``pricing.input``, ``pricing.modes.fast.output``) for
    ``changed`` and ``None`` otherwise. ``origin`` is ``sync`` or ``hand``; ``reason``
    says why a change is a hand edit (``pinned``, ``pin list``, ``user key``,
    ``hand-written entry``).
    """

    date: int
    commit: str
    provider: str
    model: str
    kind: str
    field: str | None
    old: Any
    new: Any
    origin: str
    reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        from .dates import instant

        return {
            "date": instant(self.date),
            "commit": self.commit,
            "provider": self.provider,
            "model": self.model,
            "kind": self.kind,
            "field": self.field,
            "old": self.old,
            "new": self.new,
            "origin": self.origin,
            "reason": self.reason,
        }


def diff_entry(old: Any, new: Any) -> Iterator[tuple[str, str | None, Any, Any, str, str | None]]:
    """``(kind, field, old, new, origin, reason)`` for each difference of two entries
    (``None``: the model is not in that version)."""
    if old == new:
        return
    if old is None or new is None:
        entry = new if old is None else old
        origin, reason = (SYNC, None) if is_managed(entry) else (HAND, "hand-written entry")
        yield ("added" if old is None else "removed"), None, None, None, origin, reason
        return
    before, after = flatten(old), flatten(new)
    pins = _pins(old) | _pins(new)
    managed = is_managed(old) and is_managed(new)
    for path in [*before, *(p for p in after if p not in before)]:
        a, b = before.get(path), after.get(path)
        if a == b and (path in before) == (path in after):
            continue
        top = path.split(".", 1)[0]
        if top == "pinned":
            origin, reason = HAND, "pin list"
        elif top not in MODEL_FIELDS:
            origin, reason = HAND, "user key"
        elif not managed:
            origin, reason = HAND, "hand-written entry"
        elif top in pins:
            origin, reason = HAND, "pinned"
        else:
            origin, reason = SYNC, None
        yield "changed", path, a, b, origin, reason


def flatten(entry: Mapping[Any, Any], prefix: str = "") -> dict[str, Any]:
    """An entry's values by dotted path; lists are whole values."""
    out: dict[str, Any] = {}
    for key, value in entry.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            out.update(flatten(value, path + "."))
        else:
            out[path] = value
    return out


def _pins(entry: Any) -> set[str]:
    pinned = entry.get("pinned") if isinstance(entry, Mapping) else None
    return {str(p) for p in pinned} if isinstance(pinned, list) else set()


def matches(path: str | None, fields: tuple[str, ...]) -> bool:
    """Whether a change of ``path`` is asked for by ``--field`` (a field or its parent);
    an added or removed model matches every field."""
    if not fields or path is None:
        return True
    return any(path == f or path.startswith(f + ".") for f in fields)


# --- reading entries -------------------------------------------------------------------

_MODELS = re.compile(rb"^models:[ \t]*(?:#[^\n]*)?$", re.M)
_ABSENT = object()


def all_entries(content: bytes) -> dict[str, Any]:
    """Every model entry of a provider file, by id (:class:`ValueError` if unreadable)."""
    from .. import yamlio

    try:
        doc = yamlio.load(content)
    except yamlio.YamlError as exc:
        raise ValueError(exc.message) from None
    models = doc.get("models") if isinstance(doc, dict) else None
    if not isinstance(models, dict):
        return {}
    return {str(k): v for k, v in models.items() if isinstance(v, dict)}


def model_entry(content: bytes, model_id: str) -> Any:
    """One model's entry of a provider file, or ``None`` when the file has none.

    Fast: only the model's lines are parsed when they can be told apart (a block-style
    ``models:`` mapping; no alias or merge key in the entry); else the whole file."""
    block = _block(content, model_id)
    if block is _ABSENT:
        return None
    if isinstance(block, bytes):
        found = _parse_block(block, model_id)
        if found is not _ABSENT:
            return found
    return all_entries(content).get(model_id)


Blocks = dict[bytes, tuple[str, Any]]


def entries_reusing(content: bytes, known: Blocks) -> tuple[dict[str, Any], Blocks]:
    """Every model entry, parsing only the entries whose lines are not in ``known`` (the
    previous version's blocks); the entries and this version's blocks."""
    blocks = _blocks(content)
    if blocks is None:
        return all_entries(content), {}
    out: dict[str, Any] = {}
    mine: Blocks = {}
    for block in blocks:
        hit = known.get(block) or mine.get(block)
        if hit is None:
            try:
                parsed = all_entries(b"models:\n" + block)
            except ValueError:
                parsed = {}
            if len(parsed) != 1:
                return all_entries(content), {}
            hit = next(iter(parsed.items()))
        mine[block] = hit
        out[hit[0]] = hit[1]
    if len(out) != len(blocks):  # a repeated id: the whole file says what it means
        return all_entries(content), {}
    return out, mine


def _blocks(content: bytes) -> list[bytes] | None:
    """The lines of each entry of a block-style ``models:`` mapping, or ``None`` when the
    file is not laid out so (or an entry has an alias or a merge key)."""
    region = _region(content)
    if region is None:
        return None
    indent, start, end = region
    starts = [
        m.start() for m in re.compile(rb"^%s[^ \n#]" % indent, re.M).finditer(content, start, end)
    ]
    blocks = [content[a:b] for a, b in zip(starts, [*starts[1:], end], strict=True)]
    if any(b"*" in b or b"<<" in b for b in blocks):
        return None
    return blocks


def _region(content: bytes) -> tuple[bytes, int, int] | None:
    """The indentation of the ``models:`` mapping's keys, and where its lines start and end."""
    head = _MODELS.search(content)
    if head is None:
        return None
    start = head.end() + 1
    first = re.compile(rb"^( +)[^ \n#]", re.M).search(content, start)
    if first is None:
        return None
    indent = first.group(1)
    end_m = re.compile(rb"^ {0,%d}[^ \n#]" % (len(indent) - 1), re.M).search(content, start)
    return indent, start, end_m.start() if end_m else len(content)


@functools.lru_cache(maxsize=16)
def _parse_block(block: bytes, model_id: str) -> Any:
    try:
        entries = all_entries(b"models:\n" + block)
    except ValueError:
        return _ABSENT
    return entries.get(model_id, _ABSENT)


def _block(content: bytes, model_id: str) -> object:
    """The lines of ``model_id``'s entry, ``_ABSENT`` when the file surely has none, or
    ``None`` when the fast reading cannot tell."""
    key = model_id.encode()
    plain = model_id.isascii() and model_id.isprintable() and not re.search(r"['\"\\]", model_id)
    if plain and key not in content:
        return _ABSENT
    region = _region(content)
    if region is None:
        return None
    indent, body_start, end = region
    n = len(indent)
    spellings = [re.escape(key), re.escape(b"'" + key.replace(b"'", b"''") + b"'")]
    if plain:
        spellings.append(re.escape(b'"' + key + b'"'))
    own = re.compile(rb"^%s(?:%s)[ \t]*:(?:[ \t\n]|$)" % (indent, b"|".join(spellings)), re.M)
    found = own.search(content, body_start, end)
    if found is None:
        keys = re.compile(rb"^%s(?! )([^\n]*)" % indent, re.M).findall(content, body_start, end)
        simple = re.compile(rb"""(?:[^\s'"#?{\[&*!|>-][^:#\n]*|'[^'\n]*'|"[^"\n]*")[ \t]*:""")
        return _ABSENT if all(simple.match(k) for k in keys) else None
    nxt = re.compile(rb"^ {0,%d}[^ \n#]" % n, re.M).search(content, found.end(), end)
    block = content[found.start() : nxt.start() if nxt else end]
    if b"*" in block or b"<<" in block:
        return None
    return block
