"""Planning one provider: read its file, merge the catalog into it, render the result.

Nothing here writes; :mod:`modelsync.sync.run` decides what to write once every provider is
planned. Per provider the work is, cheapest first:

1. *fingerprints match* (:mod:`modelsync.sync.state`): the upstream data and the file are as
   the last sync left them: nothing to do, the file is not even parsed;
2. *canonical file*: the file is exactly what :func:`modelsync.yamlio.dump` writes for
   its own data (no comments, no hand formatting): merge on plain data, write with the
   fast writer;
3. *hand-formatted file*: round trip through ruamel so comments and formatting survive.
"""

from __future__ import annotations

import difflib
import logging
import os
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import yamlio
from ..errors import ConfigError
from ..model.catalog import BadData, Provider
from ..model.mapping import provider_from_upstream
from ..model.ownership import is_managed, managed_available
from ..model.rawjson import has_flagged
from ..report.types import ADDED, CHANGED, FAILED, SKIPPED, UNCHANGED, ProviderResult
from ..settings import Settings
from ..util.digests import digest, upstream_digest
from ..util.fsutil import UnsafeFile, read_config
from ..yamlio.edit import Editor, RuamelEditor
from .kept import check_kept as _check_kept
from .merge import Merger
from .state import ProviderState, State
from .watched import Watched, watch

log = logging.getLogger(__name__)


@dataclass
class Plan:
    result: ProviderResult
    old: bytes | None = None
    new: bytes | None = None
    upstream_sha: str | None = None
    #: managed available models before / after the merge (shrink guard, state)
    models_before: int = 0
    models_after: int = 0
    #: their newest ``last_updated`` before / after the merge (rollback guard, state)
    newest_before: str | None = None
    newest_after: str | None = None
    record: bool = True
    #: passed every check of ``invoke validate`` (remembered in its cache)
    valid: bool = False
    #: ``new`` is exactly what the canonical writer produced
    canonical: bool = False
    skipped: dict[str, str] = field(default_factory=dict)
    #: what :func:`modelsync.sync.attention.find` needs of the merge (``None``: not merged)
    watched: Watched | None = None


class Planner:
    def __init__(self, settings: Settings, state: State | None, want_diff: bool) -> None:
        self.settings = settings
        self.state = state
        self.want_diff = want_diff
        self._rt: yamlio.RoundTrip | None = None

    @property
    def rt(self) -> yamlio.RoundTrip:
        if self._rt is None:
            self._rt = yamlio.RoundTrip()
        return self._rt

    def plan(self, provider_id: str, raw: Any | None, path: Path) -> Plan:
        """What to do with one provider's file: nothing, write it, skip it or fail it."""
        shown = str(path)
        result = ProviderResult(provider_id, UNCHANGED, shown, in_catalog=raw is not None)
        plan = Plan(result)
        unreadable = _read_old(plan, path)
        if unreadable is not None:
            return self._fail(plan, unreadable)
        plan.upstream_sha = upstream_digest(raw) if raw is not None else None
        known = self.state.providers.get(provider_id) if self.state else None
        if has_flagged(raw):  # repeated keys: the digest does not show them
            known = None
        file_sha = digest(plan.old) if plan.old is not None else None
        if known is not None and known.upstream == plan.upstream_sha and known.file == file_sha:
            log.debug("%s: unchanged since the last sync (fingerprints match)", provider_id)
            return _as_last_time(plan, known)
        upstream: Provider | None = None
        if raw is not None:
            upstream = _upstream(plan, provider_id, raw)
            if upstream is None:
                return plan
        try:
            self._merge(
                plan,
                provider_id,
                upstream,
                known_canonical=(known is not None and known.canonical and known.file == file_sha),
            )
        except (ConfigError, yamlio.YamlError) as exc:
            return self._fail(plan, _failure(exc, plan.old, shown))
        if plan.new is not None and plan.new != plan.old:
            result.status = ADDED if plan.old is None else CHANGED
            if self.want_diff:
                result.diff = unified_diff(plan.old, plan.new, shown)
        return plan

    def _fail(self, plan: Plan, message: str) -> Plan:
        plan.result.status = FAILED
        plan.result.error = message
        plan.record = False
        plan.new = None
        return plan

    def _merge(
        self,
        plan: Plan,
        provider_id: str,
        upstream: Provider | None,
        known_canonical: bool = False,
    ) -> None:
        """Merge into the file (or a new document); ``known_canonical``: the state says
        the file is exactly as the canonical writer wrote it."""
        if plan.old is None:
            if upstream is not None:
                self._merge_new(plan, provider_id, upstream)
            return
        text = yamlio.decode(plan.old)
        data = yamlio.load(text)
        if not isinstance(data, dict):
            kind = "empty" if data is None else f"a {type(data).__name__}"
            raise ConfigError(f"top level is {kind}, not a mapping")
        plan.models_before = managed_available(data)
        plan.newest_before = newest_available(data)
        plan.watched = watch(data, self.settings.watch_keys)
        if upstream is None and plan.models_before == 0:
            plan.new = plan.old  # a private provider, or already retired: not touched
            plan.models_after = 0
            _merged(plan, data)
            return
        self._check_keys(data, text)
        if self._is_canonical(data, text, known_canonical):
            log.debug("%s: canonical file, merged as plain data", provider_id)
            self._merge_plain(plan, provider_id, upstream, data, crlf="\r\n" in text)
        else:
            log.debug("%s: hand-formatted file, merged through the round trip", provider_id)
            self._merge_round_trip(plan, provider_id, upstream, data, text)

    def _merge_new(self, plan: Plan, provider_id: str, upstream: Provider) -> None:
        """A provider without a file: a new document, written canonically."""
        doc: Any = {}
        merger = Merger(Editor(), provider_id, prune=self.settings.prune)
        plan.result.changes = merger.merge(doc, upstream)
        plan.new, plan.canonical = _render(doc, self.rt)
        plan.models_after = managed_available(doc)
        plan.newest_after = newest_available(doc)
        self._check_output(plan, doc, provider_id)

    @staticmethod
    def _is_canonical(data: dict[str, Any], text: str, known_canonical: bool) -> bool:
        """Whether the file is exactly what the canonical writer writes for its data (a
        canonical file checked out with CRLF line endings still is)."""
        crlf = "\r\n" in text
        if known_canonical and not crlf:
            return True
        with suppress(yamlio.Unrepresentable):
            return yamlio.dump(data) == (text.replace("\r\n", "\n") if crlf else text)
        return False

    def _merge_plain(
        self,
        plan: Plan,
        provider_id: str,
        upstream: Provider | None,
        data: dict[str, Any],
        crlf: bool,
    ) -> None:
        """Merge a canonical file as plain data and write it with the canonical writer,
        keeping its line endings."""
        merger = Merger(Editor(), provider_id, prune=self.settings.prune)
        plan.result.changes = merger.merge(data, upstream)
        plan.new, written_canonically = _render(data, self.rt)
        plan.canonical = written_canonically and not crlf
        if crlf:
            plan.new = plan.new.replace(b"\n", b"\r\n")
        plan.models_after = managed_available(data)
        plan.newest_after = newest_available(data)
        _merged(plan, data)
        if plan.new != plan.old:
            self._check_output(plan, data, provider_id)

    def _merge_round_trip(
        self,
        plan: Plan,
        provider_id: str,
        upstream: Provider | None,
        data: dict[str, Any],
        text: str,
    ) -> None:
        """Merge a hand-formatted file through ruamel, so its comments and layout stay;
        then check that every value the user owns still means the same."""
        from ..yamlio.anchors import unshare

        document = self.rt.load(text)
        shared = unshare(document.data)
        merger = Merger(RuamelEditor(), provider_id, prune=self.settings.prune)
        plan.result.changes = merger.merge(document.data, upstream)
        shared.relink()
        out = document.dump()
        plan.new = out.encode("utf-8")
        if plan.new == plan.old:
            plan.models_after = plan.models_before
            plan.newest_after = plan.newest_before
            _merged(plan, data)
            return
        written = yamlio.load(out)
        _merged(plan, written)
        _check_kept(data, written, text)
        plan.models_after = managed_available(written)
        plan.newest_after = newest_available(written)
        self._check_output(plan, written, provider_id)

    def _check_keys(self, data: dict[str, Any], text: str) -> None:
        """Refuse a file with a misspelt known key or an ambiguous model id: merging it
        would silently do something else than the user meant (``docs/format.md``)."""
        from ..checks.keys import ambiguous_ids, key_problems
        from ..yamlio.locate import Locator

        problems = key_problems(data, self.settings.user_keys) + ambiguous_ids(text, data)
        if not problems:
            return
        locator = Locator(text)
        located = sorted(
            ((locator.locate(parts, key=True)[0], parts, message) for parts, message in problems),
            key=lambda p: p[0] or 0,
        )
        line, parts, message = located[0]
        from ..util.tasknames import command

        more = f" (and {len(problems) - 1} more, see {command('validate')})" if problems[1:] else ""
        where = ".".join(str(p) for p in parts)
        raise ConfigError(f"{where}: {message}{more}; the file was left as it is", line=line)

    def _check_output(self, plan: Plan, doc: Any, provider_id: str) -> None:
        """Validate a merged document against the config schema before it is written."""
        from ..checks.problems import (
            default_model_warnings,
            non_finite_problems,
            schema_problems,
            semantic_problems,
        )
        from ..yamlio.locate import locate

        problems = schema_problems(doc) + non_finite_problems(doc)
        from ..checks.keys import key_problems

        # Remembered as passing only with no warning either, so validate shows the warning.
        plan.valid = not (
            problems
            or semantic_problems(doc, provider_id)
            or key_problems(doc, self.settings.user_keys)
            or default_model_warnings(doc)
        )
        if problems:
            parts, message = problems[0]
            line = None
            for content in (plan.old, plan.new):  # the user's line, if it is theirs
                if content is not None and line is None:
                    line, _ = locate(content.decode("utf-8", "replace"), parts, exact=True)
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            where = ".".join(str(p) for p in parts) or "(top level)"
            raise ConfigError(
                f"{where}: {message}{more}; the merged file would not be valid, so it was "
                "not written",
                line=line,
            )


def _merged(plan: Plan, doc: Any) -> None:
    """Hand the merged document to attention, if a model of the file may be depended on
    (else it is not kept: a sync holds no document longer than its plan needs it)."""
    if plan.watched is not None and plan.watched.before:
        plan.watched.merged(doc)


def _read_old(plan: Plan, path: Path) -> str | None:
    """Read the provider's file into ``plan.old`` (``None`` when there is none); why it
    cannot be read, if it cannot."""
    try:
        plan.old = read_config(path)
    except FileNotFoundError:
        plan.old = None
    except UnsafeFile as exc:
        return f"{path}: {exc}"
    except OSError as exc:
        return f"{path}: cannot read: {exc.strerror}"
    return None


def _as_last_time(plan: Plan, known: ProviderState) -> Plan:
    """The plan of a provider whose data and file are as the last sync left them."""
    plan.models_before = plan.models_after = known.models
    plan.newest_before = plan.newest_after = known.newest
    plan.canonical = known.canonical
    plan.skipped = dict(known.skipped)
    plan.result.skipped_models = dict(known.skipped)
    plan.result.changes = known.changes(plan.result.id)
    return plan


def _upstream(plan: Plan, provider_id: str, raw: Any) -> Provider | None:
    """The provider's catalog data, or ``None`` with the provider skipped for bad data
    (its file is left as it is)."""
    try:
        upstream = provider_from_upstream(provider_id, raw)
    except BadData as exc:
        plan.result.status = SKIPPED
        plan.result.error = f"invalid upstream data, file left as it is: {exc}"
        plan.record = False
        return None
    plan.skipped = dict(upstream.skipped)
    plan.result.skipped_models = dict(upstream.skipped)
    plan.record = not upstream.repeated_keys
    return upstream


def _failure(exc: ConfigError | yamlio.YamlError, old: bytes | None, shown: str) -> str:
    """The error line of a file that cannot be merged: ``path:line: message``."""
    if isinstance(exc, yamlio.YamlError):
        return f"{exc.where(shown)}: {exc.message}"
    line = exc.line
    parts = getattr(exc, "parts", None)
    if line is None and parts and old is not None:
        from ..yamlio.locate import locate

        line, _ = locate(old.decode("utf-8", "replace"), parts)
    where = f"{shown}:{line}" if line else shown
    return f"{where}: {exc}"


def _render(doc: Any, rt: yamlio.RoundTrip) -> tuple[bytes, bool]:
    """The document's bytes, and whether the canonical writer produced them."""
    try:
        return yamlio.dump(doc).encode("utf-8"), True
    except yamlio.Unrepresentable:
        return rt.dump_plain(doc).encode("utf-8"), False


def unified_diff(old: bytes | None, new: bytes | None, path: str) -> str:
    """A diff that ``git apply`` (or ``patch -p1``) applies from the current directory."""
    label = os.path.relpath(path)
    if label.startswith(".."):
        label = os.path.abspath(path)
    a = (old or b"").decode("utf-8", "replace").splitlines(keepends=True)
    b = (new or b"").decode("utf-8", "replace").splitlines(keepends=True)
    return "".join(
        difflib.unified_diff(
            a, b, fromfile="/dev/null" if old is None else f"a/{label}", tofile=f"b/{label}"
        )
    )


def newest_available(doc: Any) -> str | None:
    """The newest ``last_updated`` of a (plain) document's available managed models: the
    date of the catalog its file was synced from. (Models kept as ``available: false``
    do not count: after ``--allow-older`` they would keep the newer date.)"""
    models = doc.get("models") if isinstance(doc, dict) else None
    if not isinstance(models, dict):
        return None
    dates = [
        str(entry["last_updated"])
        for entry in models.values()
        if is_managed(entry)
        and entry.get("available") is not False
        and isinstance(entry.get("last_updated"), str)
    ]
    return max(dates, default=None)
