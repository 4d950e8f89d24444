"""The sync: catalog in, config files out, with nothing of the user's lost.

Per provider the work is, cheapest first:

1. *fingerprints match* (:mod:`modelsync.state`): the upstream data and the file are as
   the last sync left them: nothing to do, the file is not even parsed;
2. *canonical file*: the file is exactly what :func:`modelsync.yamlfmt.dump` writes for
   its own data (no comments, no hand formatting): merge on plain data, write with the
   fast writer;
3. *hand-formatted file*: round trip through ruamel so comments and formatting survive.

All files are planned in memory first; only then, if the catalog passes the shrink guard,
are the changed ones written, each atomically.
"""

from __future__ import annotations

import difflib
import fnmatch
import logging
import os
import time
from collections.abc import Iterable
from contextlib import nullcontext, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import state as state_mod
from . import yamlfmt
from .catalog import BadData, Provider, provider_from_upstream, safe_provider_id
from .errors import ConfigError, FetchError, ModelsyncError, ProviderNotFound
from .fetch import Fetched, classify, fetch_url, read_bundled, read_file
from .fsutil import atomic_write, directory_lock, remove_stale_temporaries
from .merge import Editor, Merger, RuamelEditor, is_managed, managed_available, plain
from .report import (
    ADDED,
    CHANGED,
    FAILED,
    SKIPPED,
    UNCHANGED,
    ProviderResult,
    SourceInfo,
    SyncReport,
)
from .settings import Settings
from .state import ProviderState, State, digest, file_signature, upstream_digest

log = logging.getLogger(__name__)

#: Warnings about skipped upstream models printed one by one; the rest are counted.
MAX_WARNINGS = 10


@dataclass
class _Plan:
    result: ProviderResult
    old: bytes | None = None
    new: bytes | None = None
    upstream_sha: str | None = None
    #: managed available models before / after the merge (shrink guard, state)
    models_before: int = 0
    models_after: int = 0
    record: bool = True
    #: passed every check of ``invoke validate`` (remembered in its cache)
    valid: bool = False
    skipped: dict[str, str] = field(default_factory=dict)


# --- selection -------------------------------------------------------------------------


def select(ids: Iterable[str], include: Iterable[str], exclude: Iterable[str]) -> list[str]:
    """Provider ids matching ``include`` (all when empty) and not ``exclude`` (globs).

    A name or pattern that matches nothing raises
    :class:`~modelsync.errors.ProviderNotFound` listing close matches.
    """
    ids = sorted(ids)
    include, exclude = list(include), list(exclude)
    for pattern in [*include, *exclude]:
        if not fnmatch.filter(ids, pattern):
            close = difflib.get_close_matches(pattern, ids, n=3, cutoff=0.6)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise ProviderNotFound(f"no provider matches {pattern!r}{hint}")
    chosen = [i for i in ids if not include or any(fnmatch.fnmatchcase(i, p) for p in include)]
    return [i for i in chosen if not any(fnmatch.fnmatchcase(i, p) for p in exclude)]


def scan(config_dir: Path) -> dict[str, Path]:
    """Provider files in the config directory: ``{provider id: path}``."""
    try:
        names = os.listdir(config_dir)
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError(f"{config_dir}: cannot list: {exc.strerror}") from None
    return {
        name[:-4]: config_dir / name
        for name in sorted(names)
        if name.endswith(".yml") and not name.startswith(".")
    }


# --- the catalog -----------------------------------------------------------------------


def quick_catalog_sha(settings: Settings, state: State, source: str, offline: bool) -> str | None:
    """The catalog's digest when it is knowable without parsing it or importing requests.

    For a URL: when the last sync fetched it into the HTTP cache, the cache database is
    unchanged since, and the response is still fresh (any age with ``offline``), the
    cache would serve exactly that response.
    """
    recorded = state.source
    kind, location = classify(source)
    if kind == "file":
        sig = file_signature(Path(location))
        if (
            sig is not None
            and recorded.get("kind") == "file"
            and recorded.get("path") == (os.path.realpath(location))
            and recorded.get("signature") == sig
        ):
            return str(recorded.get("sha256"))
        return None
    from .http import CACHE_FILE

    if recorded.get("kind") != "url" or recorded.get("url") != location:
        return None
    if recorded.get("cache") != file_signature(settings.cache_path / CACHE_FILE):
        return None
    fetched_at = float(recorded.get("fetched_at") or 0)
    expires = min(float(recorded.get("expires_at") or 0), fetched_at + settings.cache_ttl)
    if not offline and time.time() >= expires:
        return None
    return str(recorded.get("sha256"))


def _configs_newest(files: dict[str, Path]) -> str | None:
    newest: str | None = None
    for path in files.values():
        try:
            doc = yamlfmt.load(path.read_bytes())
        except (OSError, yamlfmt.YamlError):
            continue
        models = doc.get("models") if isinstance(doc, dict) else None
        if not isinstance(models, dict):
            continue
        for entry in models.values():
            if is_managed(entry):
                value = entry.get("last_updated")
                if isinstance(value, str) and (newest is None or value > newest):
                    newest = value
    return newest


def obtain_catalog(settings: Settings, files: dict[str, Path]) -> Fetched:
    """The catalog from the configured source, with the documented fallbacks."""
    from .catalog import newest_update

    source = settings.source or settings.api_url
    kind, location = classify(source)
    if kind == "file":
        return read_file(location, settings)
    try:
        return fetch_url(location, settings, offline=settings.offline)
    except FetchError as exc:
        reason = str(exc)
    bundled = read_bundled()
    snapshot_newest = newest_update(bundled.catalog) or ""
    configs_newest = _configs_newest(files)
    if configs_newest is not None and configs_newest > snapshot_newest:
        raise FetchError(
            f"{reason}; the bundled snapshot ({bundled.snapshot_date}) is older than the "
            f"configs in {settings.config_dir} (newest model update {configs_newest}), so it "
            "was not used and nothing changed"
        )
    log.warning("%s; using the bundled snapshot of %s", reason, bundled.snapshot_date)
    return bundled


def _source_record(settings: Settings, fetched: Fetched) -> dict[str, Any]:
    if fetched.origin == "file":
        return {
            "kind": "file",
            "path": os.path.realpath(fetched.source),
            "signature": file_signature(Path(fetched.source)),
            "sha256": fetched.sha256,
        }
    if fetched.origin in ("network", "revalidated", "cache", "stale-cache"):
        from .http import CACHE_FILE

        return {
            "kind": "url",
            "url": fetched.source,
            "cache": file_signature(settings.cache_path / CACHE_FILE),
            "fetched_at": fetched.fetched_at,
            "expires_at": fetched.expires_at,
            "sha256": fetched.sha256,
        }
    return {"kind": fetched.origin, "sha256": fetched.sha256}


# --- one provider ----------------------------------------------------------------------


class _Planner:
    def __init__(self, settings: Settings, state: State | None, check_only: bool) -> None:
        self.settings = settings
        self.state = state
        self.config_dir = settings.config_path
        self.want_diff = check_only
        self._rt: yamlfmt.RoundTrip | None = None

    @property
    def rt(self) -> yamlfmt.RoundTrip:
        if self._rt is None:
            self._rt = yamlfmt.RoundTrip()
        return self._rt

    def plan(self, provider_id: str, raw: Any | None, path: Path) -> _Plan:
        shown = str(path)
        result = ProviderResult(provider_id, UNCHANGED, shown, in_catalog=raw is not None)
        plan = _Plan(result)
        if path.is_symlink():
            return self._fail(
                plan,
                f"{shown}: is a symlink; modelsync does not write through links (left as it is)",
            )
        try:
            plan.old = path.read_bytes()
        except FileNotFoundError:
            plan.old = None
        except OSError as exc:
            return self._fail(plan, f"{shown}: cannot read: {exc.strerror}")
        plan.upstream_sha = upstream_digest(raw) if raw is not None else None
        known = self.state.providers.get(provider_id) if self.state else None
        file_sha = digest(plan.old) if plan.old is not None else None
        if known is not None and known.upstream == plan.upstream_sha and known.file == file_sha:
            plan.models_before = plan.models_after = known.models
            plan.skipped = dict(known.skipped)
            result.skipped_models = dict(known.skipped)
            return plan
        upstream: Provider | None = None
        if raw is not None:
            try:
                upstream = provider_from_upstream(provider_id, raw)
            except BadData as exc:
                result.status = SKIPPED
                result.error = f"invalid upstream data, file left as it is: {exc}"
                plan.record = False
                return plan
            plan.skipped = dict(upstream.skipped)
            result.skipped_models = dict(upstream.skipped)
        try:
            self._merge(plan, provider_id, upstream)
        except ConfigError as exc:
            where = f"{shown}:{exc.line}" if exc.line else shown
            return self._fail(plan, f"{where}: {exc}")
        except yamlfmt.YamlError as exc:
            return self._fail(plan, f"{exc.where(shown)}: {exc.message}")
        if plan.new is not None and plan.new != plan.old:
            result.status = ADDED if plan.old is None else CHANGED
            if self.want_diff:
                result.diff = unified_diff(plan.old, plan.new, shown)
        return plan

    def _fail(self, plan: _Plan, message: str) -> _Plan:
        plan.result.status = FAILED
        plan.result.error = message
        plan.record = False
        plan.new = None
        return plan

    def _merge(self, plan: _Plan, provider_id: str, upstream: Provider | None) -> None:
        prune = self.settings.prune
        shown = plan.result.path
        if plan.old is None:
            if upstream is None:
                return
            doc: Any = {}
            plan.result.changes = Merger(Editor(), provider_id, prune=prune).merge(doc, upstream)
            plan.new = _render(doc, self.rt)
            plan.models_after = managed_available(doc)
            self._check_output(plan, doc, provider_id)
            return
        text = yamlfmt.decode(plan.old)
        data = yamlfmt.load(text)
        # A canonical file checked out with CRLF line endings is still canonical.
        crlf = "\r\n" in text
        lf_text = text.replace("\r\n", "\n") if crlf else text
        if not isinstance(data, dict):
            kind = "empty" if data is None else f"a {type(data).__name__}"
            raise ConfigError(f"top level is {kind}, not a mapping")
        plan.models_before = managed_available(data)
        if upstream is None and plan.models_before == 0:
            plan.new = plan.old  # a private provider, or already retired: not touched
            plan.models_after = 0
            return
        canonical = False
        with suppress(yamlfmt.Unrepresentable):
            canonical = yamlfmt.dump(data) == lf_text
        merger: Merger
        if canonical:
            merger = Merger(Editor(), provider_id, prune=prune)
            plan.result.changes = merger.merge(data, upstream)
            plan.new = _render(data, self.rt)
            if crlf:
                plan.new = plan.new.replace(b"\n", b"\r\n")
            plan.models_after = managed_available(data)
            if plan.new != plan.old:
                self._check_output(plan, data, provider_id)
            return
        document = self.rt.load(text)
        merger = Merger(RuamelEditor(), provider_id, prune=prune)
        plan.result.changes = merger.merge(document.data, upstream)
        out = document.dump()
        plan.new = out.encode("utf-8")
        if plan.new == plan.old:
            plan.models_after = plan.models_before
            return
        written = yamlfmt.load(out)
        _check_kept(data, written, shown)
        plan.models_after = managed_available(written)
        self._check_output(plan, written, provider_id)

    def _check_output(self, plan: _Plan, doc: Any, provider_id: str) -> None:
        """Validate a merged document against the config schema before it is written."""
        from .validate import locate, schema_problems, semantic_problems

        problems = schema_problems(doc)
        plan.valid = not problems and not semantic_problems(doc, provider_id)
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


def _render(doc: Any, rt: yamlfmt.RoundTrip) -> bytes:
    try:
        return yamlfmt.dump(doc).encode("utf-8")
    except yamlfmt.Unrepresentable:
        return rt.dump_plain(doc).encode("utf-8")


def _check_kept(before: dict[str, Any], after: Any, path: str) -> None:
    """Safety net for the round-trip path: every user-owned value must be unchanged."""
    from .catalog import MODEL_FIELDS, PROVIDER_FIELDS

    def fail(what: str) -> None:
        raise ConfigError(f"internal error: the merge would change {what}; file not written")

    if not isinstance(after, dict):
        fail("the top level")
    for key, value in before.items():
        if key in ("models", *PROVIDER_FIELDS):
            continue
        if key not in after or plain(after[key]) != plain(value):
            fail(f"the user key {key!r}")
    old_models = before.get("models") or {}
    new_models = after.get("models") or {}
    if not isinstance(old_models, dict):
        return
    for model_id, entry in old_models.items():
        if model_id not in new_models:
            continue  # pruned: checked by the merger (no user keys)
        new_entry = new_models[model_id]
        if not is_managed(entry):
            if plain(new_entry) != plain(entry):
                fail(f"the hand-written model {model_id!r}")
            continue
        for key, value in entry.items():
            if key in MODEL_FIELDS and key not in (entry.get("pinned") or ()):
                continue
            if key not in new_entry or plain(new_entry[key]) != plain(value):
                fail(f"{model_id}.{key}")


def unified_diff(old: bytes | None, new: bytes | None, path: str) -> str:
    a = (old or b"").decode("utf-8", "replace").splitlines(keepends=True)
    b = (new or b"").decode("utf-8", "replace").splitlines(keepends=True)
    return "".join(
        difflib.unified_diff(
            a, b, fromfile="/dev/null" if old is None else f"a/{path}", tofile=f"b/{path}"
        )
    )


# --- the whole sync --------------------------------------------------------------------


def _shrink_reason(
    settings: Settings,
    catalog: dict[str, Any],
    plans: dict[str, _Plan],
    files: dict[str, Path],
    state: State | None,
) -> str | None:
    """Why the catalog looks truncated compared with what the configs hold, if it does."""
    last_providers = last_models = 0
    for provider_id, path in files.items():
        if provider_id in plans:
            count = plans[provider_id].models_before
        else:
            count = _models_in_file(path, state, provider_id)
        last_models += count
        last_providers += count > 0
    if not last_models:
        return None
    new_providers = sum(
        1
        for pid, p in catalog.items()
        if isinstance(p, dict) and isinstance(p.get("models"), dict) and p["models"]
    )
    new_models = sum(
        len(p["models"])
        for p in catalog.values()
        if isinstance(p, dict) and isinstance(p.get("models"), dict)
    )
    t = settings.shrink_threshold
    if new_providers < t * last_providers or new_models < t * last_models:
        return (
            f"the catalog has {new_providers} providers and {new_models} models, the configs "
            f"were synced from {last_providers} and {last_models}: below the threshold of "
            f"{t:.0%} (modelsync.shrink_threshold); pass --allow-shrink to apply it anyway"
        )
    return None


def _models_in_file(path: Path, state: State | None, provider_id: str) -> int:
    try:
        content = path.read_bytes()
    except OSError:
        return 0
    known = state.providers.get(provider_id) if state else None
    if known is not None and known.file == digest(content):
        return known.models
    try:
        return managed_available(yamlfmt.load(content))
    except yamlfmt.YamlError:
        return 0


def _noop_report(settings: Settings, state: State, files: dict[str, Path]) -> SyncReport:
    report = SyncReport(
        SourceInfo(
            "cache", state.source.get("url") or state.source.get("path") or "", sha256=state.catalog
        ),
        str(settings.config_path),
    )
    fetched_at = state.source.get("fetched_at")
    if fetched_at:
        report.source.age_seconds = max(0.0, time.time() - float(fetched_at))
    if state.source.get("kind") == "file":
        report.source.origin = "file"
    for provider_id, known in sorted(state.providers.items()):
        path = files.get(provider_id, settings.config_path / f"{provider_id}.yml")
        report.providers.append(
            ProviderResult(
                provider_id,
                UNCHANGED,
                str(path),
                skipped_models=dict(known.skipped),
                in_catalog=known.upstream is not None,
            )
        )
    return report


def _files_match(state: State, files: dict[str, Path]) -> bool:
    recorded = {pid for pid, p in state.providers.items() if p.file is not None}
    if recorded != set(files):
        return False
    for provider_id, path in files.items():
        try:
            if path.is_symlink() or digest(path.read_bytes()) != state.providers[provider_id].file:
                return False
        except OSError:
            return False
    return True


def run(
    settings: Settings,
    *,
    dry_run: bool = False,
    check: bool = False,
    allow_shrink: bool = False,
) -> SyncReport:
    """Sync the catalog into ``settings.config_dir``; see :func:`modelsync.sync_to_configs`."""
    writing = not (dry_run or check)
    config_dir = settings.config_path
    if writing:
        try:
            config_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(f"{config_dir}: cannot create: {exc.strerror}") from None
    lock = directory_lock(config_dir, settings.lock_timeout) if writing else nullcontext()
    with lock:
        if writing:
            remove_stale_temporaries(config_dir)
        return _run(
            settings, dry_run=dry_run, check=check, allow_shrink=allow_shrink, writing=writing
        )


def _run(
    settings: Settings, *, dry_run: bool, check: bool, allow_shrink: bool, writing: bool
) -> SyncReport:
    config_dir = settings.config_path
    state = state_mod.load(settings)
    files = scan(config_dir)
    filtered = bool(settings.providers or settings.exclude)
    source = settings.source or settings.api_url

    if state is not None and state.catalog and not filtered:
        sha = quick_catalog_sha(settings, state, source, settings.offline)
        if sha is not None and sha == state.catalog and _files_match(state, files):
            report = _noop_report(settings, state, files)
            report.dry_run, report.check = dry_run, check
            return report

    fetched = obtain_catalog(settings, files)
    catalog = fetched.catalog
    report = SyncReport(
        SourceInfo(
            fetched.origin, fetched.source, fetched.age, fetched.snapshot_date, fetched.sha256
        ),
        str(config_dir),
        dry_run=dry_run,
        check=check,
    )
    all_ids = set(catalog) | set(files)
    chosen = select(all_ids, settings.providers, settings.exclude)
    planner = _Planner(settings, state, check_only=dry_run)
    plans: dict[str, _Plan] = {}
    for provider_id in chosen:
        raw = catalog.get(provider_id)
        if not safe_provider_id(provider_id):
            if provider_id in catalog:
                shown = provider_id if len(provider_id) <= 60 else provider_id[:57] + "..."
                report.warnings.append(
                    f"skipped provider {shown!r}: its id is not a safe file name"
                )
                log.warning("skipped provider %r: its id is not a safe file name", shown)
            continue
        plan = planner.plan(provider_id, raw, config_dir / f"{provider_id}.yml")
        plans[provider_id] = plan
        report.providers.append(plan.result)

    skipped = report.skipped_models()
    for provider_id, model_id, reason in skipped[:MAX_WARNINGS]:
        log.warning("skipped model %s/%s: %s", provider_id, model_id, reason)
    if len(skipped) > MAX_WARNINGS:
        log.warning(
            "... and %d more models skipped for bad upstream data (see --json)",
            len(skipped) - MAX_WARNINGS,
        )
    for result in report.by_status(SKIPPED):
        log.warning("skipped provider %s: %s", result.id, result.error)

    if report.changed_files and not allow_shrink:
        shrink = _shrink_reason(settings, catalog, plans, files, state)
        if shrink:
            report.refused = shrink
            return report

    if writing:
        for plan in plans.values():
            result = plan.result
            if result.status in (ADDED, CHANGED) and plan.new is not None:
                try:
                    atomic_write(Path(result.path), plan.new)
                except ConfigError as exc:
                    result.status, result.error = FAILED, str(exc)
                    plan.record = False
        _save_state(settings, state, fetched, plans, complete=not filtered)
        _remember_valid(settings, plans)
    for result in report.failed:
        log.error("%s", result.error)
    return report


def _save_state(
    settings: Settings,
    old: State | None,
    fetched: Fetched,
    plans: dict[str, _Plan],
    complete: bool,
) -> None:
    new = State(
        config_dir=os.path.realpath(settings.config_path),
        options=state_mod.options_key(settings),
        source=_source_record(settings, fetched),
        providers=dict(old.providers) if old else {},
    )
    all_recorded = True
    for provider_id, plan in plans.items():
        content = plan.new if plan.new is not None else plan.old
        if not plan.record:
            new.providers.pop(provider_id, None)
            all_recorded = False
            continue
        new.providers[provider_id] = ProviderState(
            upstream=plan.upstream_sha,
            file=digest(content) if content is not None else None,
            models=plan.models_after,
            skipped=plan.skipped,
        )
    for provider_id in list(new.providers):
        if provider_id not in plans and complete:
            new.providers.pop(provider_id)
    new.catalog = fetched.sha256 if complete and all_recorded else None
    state_mod.save(settings, new)


def _remember_valid(settings: Settings, plans: dict[str, _Plan]) -> None:
    """Files just written were validated: tell ``invoke validate`` so it need not redo it."""
    from .validate import ValidationCache

    written = [
        p for p in plans.values() if p.result.status in (ADDED, CHANGED) and p.new and p.valid
    ]
    if not written:
        return
    try:
        cache = ValidationCache(settings.cache_path)
    except ModelsyncError:
        return
    for plan in written:
        assert plan.new is not None
        cache.add(ValidationCache.entry(plan.new, plan.result.id))
    cache.save()
