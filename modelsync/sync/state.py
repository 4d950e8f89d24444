"""Fingerprints of the last sync, kept in the cache directory, so that a sync can tell
what is unchanged without parsing YAML.

For each provider the state records the SHA-256 of its upstream data and of its config
file as the sync last wrote (or verified) it. A provider is skipped only when both still
match; since a merge is deterministic and idempotent, merging the same upstream data into
the same bytes again would change nothing. Alongside, the state keeps what the report
needs of such a provider (pinned differences, shadowed entries, skipped models) and what
the guards need (its number of models, its newest ``last_updated``), so that a sync that
skips the merge reports and guards exactly as one that does it. The state is advisory:
deleting it, or any corruption, only makes the next sync do the full work.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .._version import __version__
from ..model.configdir import state_file
from ..model.vocab import Kind
from ..report.types import Change
from ..settings import Settings

log = logging.getLogger(__name__)

STATE_VERSION = 2


def options_key(settings: Settings) -> str:
    """What besides the data decides a merge's output; a change invalidates the state."""
    keys = ",".join(sorted(settings.user_keys))
    return (
        f"modelsync {__version__}; state {STATE_VERSION}; prune={settings.prune}; user_keys={keys}"
    )


@dataclass
class ProviderState:
    upstream: str | None
    file: str | None
    models: int = 0
    skipped: dict[str, str] = field(default_factory=dict)
    #: the file is exactly what the canonical writer wrote (no need to check it again)
    canonical: bool = False
    #: standing changes (:attr:`~modelsync.model.vocab.Kind.standing`):
    #: [model, kind, field, old, new]
    notes: list[list[Any]] = field(default_factory=list)
    #: the newest ``last_updated`` of the file's available managed models
    newest: str | None = None
    #: the file's :func:`file_signature` when it was recorded, kept only for a file last
    #: changed at least :data:`SETTLED` seconds before: a no-op sync then trusts it
    #: instead of reading and hashing the file
    signature: list[int] | None = None

    def changes(self, provider_id: str) -> list[Change]:
        return [Change(provider_id, m, Kind(k), f, old, new) for m, k, f, old, new in self.notes]

    @staticmethod
    def notes_of(changes: list[Change]) -> list[list[Any]]:
        return [[c.model, c.kind, c.field, c.old, c.new] for c in changes if c.kind.standing]


def _is_note(note: Any) -> bool:
    """A standing change as the state keeps it: [model, kind, field, old, new]."""
    return (
        isinstance(note, list)
        and len(note) == 5
        and isinstance(note[0], str)
        and isinstance(note[1], str)
        and note[1] in _STANDING_NAMES
        and (note[2] is None or isinstance(note[2], str))
    )


_STANDING_NAMES = {k.value for k in Kind if k.standing}


@dataclass
class State:
    config_dir: str
    options: str
    catalog: str | None = None
    source: dict[str, Any] = field(default_factory=dict)
    providers: dict[str, ProviderState] = field(default_factory=dict)
    #: the report's warnings about the catalog (provider ids that are not file names)
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"version": STATE_VERSION, **asdict(self)}

    @classmethod
    def from_json(cls, data: Any) -> State:
        """The state, checked value by value; raises ``ValueError`` (``cachefile.Corrupt``)
        for one of another version or of the wrong shape."""
        from ..util.cachefile import mapping, optional_string, string, strings

        data = mapping(data, "the state")
        if data.get("version") != STATE_VERSION:
            raise ValueError("unknown state version")
        providers = {
            key: _provider_state(mapping(value, f"providers.{key}"), f"providers.{key}")
            for key, value in mapping(data.get("providers"), "providers").items()
        }
        return cls(
            config_dir=string(data.get("config_dir"), "config_dir"),
            options=string(data.get("options"), "options"),
            catalog=optional_string(data.get("catalog"), "catalog"),
            source=_source(mapping(data.get("source", {}), "source")),
            providers=providers,
            warnings=strings(data.get("warnings", []), "warnings"),
        )


def _provider_state(v: dict[str, Any], where: str) -> ProviderState:
    from ..util.cachefile import Corrupt, boolean, integer, mapping, optional_string, signature

    skipped = mapping(v.get("skipped", {}), f"{where}.skipped")
    if not all(isinstance(why, str) for why in skipped.values()):
        raise Corrupt(f"{where}.skipped: expected strings")
    notes = v.get("notes", [])
    if not isinstance(notes, list) or not all(_is_note(n) for n in notes):
        raise Corrupt(f"{where}.notes: expected [model, kind, field, old, new] lists")
    return ProviderState(
        upstream=optional_string(v.get("upstream"), f"{where}.upstream"),
        file=optional_string(v.get("file"), f"{where}.file"),
        models=integer(v.get("models", 0), f"{where}.models"),
        skipped=skipped,
        canonical=boolean(v.get("canonical", False), f"{where}.canonical"),
        notes=notes,
        newest=optional_string(v.get("newest"), f"{where}.newest"),
        signature=signature(v.get("signature"), f"{where}.signature"),
    )


def _source(recorded: dict[str, Any]) -> dict[str, Any]:
    """What :func:`modelsync.sync.source.record` kept of the catalog's origin, checked."""
    from ..util.cachefile import Corrupt, moment, number, optional_string, signature

    for key in ("kind", "path", "url", "sha256", "newest", "snapshot_date"):
        optional_string(recorded.get(key), f"source.{key}")
    if recorded.get("kind") not in (None, "file", "url", "bundled"):
        raise Corrupt(f"source.kind: unknown kind {recorded.get('kind')!r}")
    for key in ("signature", "cache", "bundled"):
        signature(recorded.get(key), f"source.{key}")
    if recorded.get("fetched_at") is not None:
        moment(recorded["fetched_at"], "source.fetched_at")
    if recorded.get("expires_at") is not None:
        number(recorded["expires_at"], "source.expires_at")
    return recorded


def state_dir(settings: Settings) -> Path:
    return settings.cache_path / "state"


def state_path(settings: Settings) -> Path:
    return state_file(settings, ".json")


def load(settings: Settings) -> State | None:
    """The state of this config directory, or ``None`` (missing, corrupt, stale options)."""
    from ..util.cachefile import warn_corrupt

    path = state_path(settings)
    try:
        data = json.loads(path.read_bytes())
        if isinstance(data, dict) and data.get("version") != STATE_VERSION:
            log.debug("sync state %s is of another version; ignoring it", path)
            return None
        state = State.from_json(data)
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.warning("ignoring unreadable sync state %s (%s)", path, exc)
        return None
    except (ValueError, RecursionError) as exc:  # not JSON, or cachefile.Corrupt
        warn_corrupt(log, "sync state", path, exc)
        return None
    if state.config_dir != os.path.realpath(settings.config_path):
        return None
    if state.options != options_key(settings):
        log.debug("sync state %s is from other options; ignoring it", path)
        return None
    return state


def save(settings: Settings, state: State) -> None:
    """Write the state atomically; failure only costs speed, so it is logged, not raised."""
    from ..util.fsutil import cache_directory_usable, save_json

    if not cache_directory_usable(settings.cache_path):
        return
    path = state_path(settings)
    save_json(path, state.to_json(), failure="could not save sync state %s (%s)", compact=True)
