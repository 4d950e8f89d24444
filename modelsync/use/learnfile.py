"""Learning from an outcomes file once: what each file has contributed is remembered.

An outcomes log grows and is replayed by scheduled jobs, so :func:`learn_file` keeps a
*ledger* next to the sync state of the config directory (``<cache>/state/<key>.learned``,
which ``clear-cache`` keeps): per file, its identity (device and inode), how many bytes
were learned and the SHA-256 of those bytes; and every outcome ``id`` counted. A second
run of the same file learns nothing; an appended file learns only its new lines; a file
whose learned part changed (rewritten, rotated) is read whole, and its outcomes with an
``id`` already counted are still skipped. ``reset`` forgets the ledger first.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError, OutcomeError
from ..util.text import excerpt
from .learn import Outcome, ScoreReport, learn_scores, parse_outcome

if TYPE_CHECKING:
    from ..settings import Settings

log = logging.getLogger(__name__)
LEDGER_VERSION = 1
#: The longest outcome ``id``, in characters.
MAX_ID = 200


@dataclass
class Ledger:
    """What this config directory has learned: per file, and the outcome ids."""

    path: Path
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    ids: set[str] = field(default_factory=set)

    @classmethod
    def load(cls, settings: Settings) -> Ledger:
        from ..model.configdir import state_file

        path = state_file(settings, ".learned")
        try:
            data = json.loads(path.read_bytes())
        except FileNotFoundError:
            return cls(path)
        except (OSError, ValueError) as exc:
            raise OutcomeError(_unreadable(path, exc)) from None
        files, ids = data.get("files") if isinstance(data, dict) else None, None
        if isinstance(data, dict):
            ids = data.get("ids")
        if (
            not isinstance(data, dict)
            or data.get("version") != LEDGER_VERSION
            or not isinstance(files, dict)
            or not all(_entry_ok(v) for v in files.values())
            or not isinstance(ids, list)
            or not all(isinstance(i, str) for i in ids)
        ):
            raise OutcomeError(_unreadable(path, "not a ledger of this version"))
        return cls(path, dict(files), set(ids))

    def save(self) -> None:
        from ..util.fsutil import atomic_write

        data = {"version": LEDGER_VERSION, "files": self.files, "ids": sorted(self.ids)}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(self.path, json.dumps(data, separators=(",", ":")).encode())
        except (OSError, ConfigError) as exc:  # atomic_write's refusals are ConfigError
            log.warning(
                "could not save what was learned in %s (%s): running the same file again "
                "would count its outcomes again",
                self.path,
                (exc.strerror if isinstance(exc, OSError) else None) or exc,
            )


def _entry_ok(entry: Any) -> bool:
    return (
        isinstance(entry, dict)
        and isinstance(entry.get("offset"), int)
        and isinstance(entry.get("digest"), str)
        and (entry.get("identity") is None or isinstance(entry.get("identity"), list))
    )


def _unreadable(path: Path, why: object) -> str:
    return (
        f"{path}: the record of learned outcomes is unreadable ({why}); nothing was "
        "learned. Remove it, or pass --reset (reset=True), to learn the file again in full"
    )


def learn_file(
    path: str | os.PathLike[str],
    *,
    reset: bool = False,
    prior_weight: float = 5,
    dry_run: bool = False,
    settings: Settings | None = None,
    **overrides: Any,
) -> ScoreReport:
    """Learn scores from the outcomes of a JSON Lines file that this config directory has
    not learned yet (see the module docstring); ``reset`` forgets what was learned first.
    The file is read within ``max_response_bytes`` and ``fetch_deadline``
    (:mod:`modelsync.use.outcomefile`)."""
    from ..model.configdir import state_file
    from ..settings import settings_for
    from . import outcomefile

    s = settings_for(settings, overrides)
    source = Path(path)
    # reset: a new record, without reading the old one (which may be unreadable).
    ledger = Ledger(state_file(s, ".learned")) if reset else Ledger.load(s)
    key = os.path.realpath(source)
    entry = ledger.files.get(key)
    read = outcomefile.read(
        source,
        limit=s.max_response_bytes,
        deadline=s.fetch_deadline,
        prefix_at=entry["offset"] if entry else 0,
        convert=_Compact(s.route_thresholds),
    )
    identity = list(read.identity) if read.identity else None
    learned_to = 0
    same_file = entry is not None and identity is not None and entry.get("identity") == identity
    if entry and same_file and read.prefix_digest == entry["digest"]:
        learned_to = entry["offset"]
    if entry and not learned_to and entry["offset"]:
        log.warning(
            "%s changed since it was learned: reading it whole (outcomes with an id "
            "already counted are still skipped)",
            source,
        )
    outcomes, new_ids, skipped = _new_outcomes(read, learned_to, ledger.ids)
    report = learn_scores(outcomes, prior_weight=prior_weight, dry_run=dry_run, settings=s)
    report.already_learned = skipped
    if not dry_run:
        if identity is not None:
            ledger.files[key] = {"identity": identity, "offset": read.size, "digest": read.digest}
        ledger.ids.update(new_ids)
        ledger.save()
    return report


class _Compact:
    """A line's object as ``(Outcome, id)``, checked as it is read and kept small: its
    strings interned, and its ``where`` kept only for the first outcome of a model (the
    one messages name)."""

    def __init__(self, complexities: Mapping[str, float]) -> None:
        self.complexities = complexities
        self.named: set[tuple[str, str]] = set()

    def __call__(self, data: Any, where: str) -> tuple[Outcome, str | None]:
        o = parse_outcome(data, where, self.complexities)
        key = (sys.intern(o.provider), sys.intern(o.model))
        first = key not in self.named
        self.named.add(key)
        compact = Outcome(*key, sys.intern(o.complexity), o.quality, where if first else "")
        return compact, _outcome_id(data.get("id"), where)


def _outcome_id(value: Any, where: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise OutcomeError(f"{where}: 'id' must be a string, got {excerpt(value)}")
    text = str(value)
    if not text or len(text) > MAX_ID:
        raise OutcomeError(f"{where}: 'id' must have 1 to {MAX_ID} characters")
    return text


def _new_outcomes(
    read: Any, learned_to: int, counted: set[str]
) -> tuple[list[Outcome], set[str], int]:
    outcomes: list[Outcome] = []
    new_ids: set[str] = set()
    skipped = 0
    for line in read.lines:
        outcome, outcome_id = line.data
        if line.end <= learned_to:
            skipped += 1
            continue
        if outcome_id is not None:
            if outcome_id in counted or outcome_id in new_ids:
                log.info(
                    "%s:%d: outcome id %s already counted",
                    read.path,
                    line.number,
                    excerpt(outcome_id),
                )
                skipped += 1
                continue
            new_ids.add(outcome_id)
        outcomes.append(outcome)
    return outcomes, new_ids, skipped
