"""The live check: every selected provider file, its model list asked for concurrently,
then reconciled. Nothing is written to the provider files.

Each provider is checked in a daemon thread of its own, at most :data:`MAX_WORKERS` at
once, while the main thread only waits for results: so Ctrl-C and SIGTERM reach it at
once, and the process never waits for a worker to exit. A provider not done a little
after its ``live_deadline`` (its watchdog could not end it: a slow name lookup...) is
reported as failed and left behind.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..model.configdir import check_directory, provider_files
from ..settings import Settings, settings_for
from ..upstream.deadline import Deadline
from ..util.suggest import did_you_mean
from .bounds import Budget, return_large_buffers
from .providerfile import ProviderFile, read_provider_file
from .redact import Redactor
from .report import LiveReport, ProviderCheck
from .targets import Refused, Skip, Target, plan
from .vocab import Problem, Status

log = logging.getLogger(__name__)

#: Providers asked at once; more wait for a free thread. Memory does not grow with it:
#: the answers being read share one budget (:mod:`.bounds`).
MAX_WORKERS = 32
#: How long after its deadline a provider's thread is waited for before it is left.
GRACE = 1.0


@dataclass
class _Job:
    file: ProviderFile
    target: Target
    deadline: Deadline
    started: float = field(default=0.0)


def check_live(*, settings: Settings | None = None, **overrides: Any) -> LiveReport:
    """Ask each configured provider which models its key can use, and reconcile that
    with its file (see docs/live.md).

    Takes the settings as keywords (``config_dir=``, ``providers=``, ``exclude=``,
    ``live_endpoints=``, ``live_keys=``...) or a whole
    :class:`~modelsync.settings.Settings`. Keys are read from the environment only. A
    provider that fails is in the report (``report.problems()``); failures of the whole
    check raise a :class:`~modelsync.errors.ModelsyncError`.
    """
    s = settings_for(settings, overrides)
    return run(s, os.environ)


def run(settings: Settings, environ: Mapping[str, str]) -> LiveReport:
    from ..model.configdir import select

    started = time.monotonic()
    config_dir = settings.config_path
    check_directory(config_dir)
    files = provider_files(config_dir)
    if not files:
        raise ConfigError(f"{config_dir}: no provider files (*.yml, *.yaml) to check")
    _warn_unknown_endpoints(settings, files)
    planned: dict[str, ProviderCheck | tuple[ProviderFile, Target]] = {}
    for provider in select(files, settings.providers, settings.exclude):
        planned[provider] = _plan(provider, files[provider], settings, environ)
    targets = {p: v for p, v in planned.items() if isinstance(v, tuple)}
    redact = Redactor(
        (t.key for _, t in targets.values()),
        (value for _, t in targets.values() for value in t.filled),
    )
    checks = {p: v for p, v in planned.items() if isinstance(v, ProviderCheck)}
    if targets:
        jobs = [_Job(f, t, Deadline(settings.live_deadline)) for f, t in targets.values()]
        checks.update(_run_all(jobs, settings, redact))
    else:
        log.warning("no provider checked: no key of a selected provider is set")
    report = LiveReport(str(config_dir), [checks[p] for p in sorted(checks)])
    report.seconds = time.monotonic() - started
    return report


def _warn_unknown_endpoints(settings: Settings, files: Mapping[str, object]) -> None:
    for name, mapping in (
        ("live_endpoints", settings.live_endpoints),
        ("live_keys", settings.live_keys),
    ):
        for provider in sorted(set(mapping) - set(files)):
            log.warning(
                "%s names %r, which has no provider file%s",
                name,
                provider,
                did_you_mean(provider, files),
            )


def _plan(
    provider: str, path: Path, settings: Settings, environ: Mapping[str, str]
) -> ProviderCheck | tuple[ProviderFile, Target]:
    try:
        file = read_provider_file(provider, path)
    except ConfigError as exc:
        return ProviderCheck(
            provider, Status.FAILED, str(path), problem=Problem.CONFIG_ERROR, message=str(exc)
        )
    base = ProviderCheck(provider, Status.SKIPPED, str(path), default_model=file.default_model)
    try:
        target = plan(file, settings, environ)
    except Refused as exc:
        base.status, base.problem, base.message = Status.FAILED, exc.problem, str(exc)
        return base
    if isinstance(target, Skip):
        base.skip_reason, base.message = target.reason, target.message
        log.info("%s: skipped: %s", provider, target.message)
        return base
    return file, target


def _run_all(jobs: list[_Job], settings: Settings, redact: Redactor) -> dict[str, ProviderCheck]:
    """Every job's check, each in its own daemon thread, at most :data:`MAX_WORKERS` at
    once. Interrupted (Ctrl-C, SIGTERM), it ends every running check's deadline, which
    shuts its connections down, and returns at once."""
    return_large_buffers()
    budget = Budget(settings.max_response_bytes)
    done: queue.Queue[tuple[_Job, ProviderCheck]] = queue.Queue()
    pending = list(reversed(jobs))
    running: dict[str, _Job] = {}
    results: dict[str, ProviderCheck] = {}

    def work(job: _Job) -> None:
        done.put((job, _check(job, settings, redact, budget)))

    def due(job: _Job) -> float:
        return job.started + settings.live_deadline + GRACE

    try:
        while pending or running:
            while pending and len(running) < MAX_WORKERS:
                job = pending.pop()
                job.started = time.monotonic()
                running[job.file.provider] = job
                name = f"live-{job.file.provider}"
                threading.Thread(target=work, args=(job,), name=name, daemon=True).start()
            try:
                first_due = min(due(j) for j in running.values())
                job, check = done.get(timeout=max(0.0, first_due - time.monotonic()))
            except queue.Empty:
                for job in [j for j in running.values() if time.monotonic() >= due(j)]:
                    job.deadline.expire()
                    results[job.file.provider] = _left_behind(job, settings, redact)
                    del running[job.file.provider]
                continue
            if running.pop(job.file.provider, None) is not None:
                results[job.file.provider] = check
    finally:
        for job in running.values():
            job.deadline.expire()
    return results


def _left_behind(job: _Job, settings: Settings, redact: Redactor) -> ProviderCheck:
    from .client import deadline_failure

    check = _started(job, redact)
    failure = deadline_failure(settings)
    check.status, check.problem, check.message = Status.FAILED, failure.problem, str(failure)
    check.seconds = time.monotonic() - job.started
    log.info("%s: %s (left behind)", job.file.provider, check.message)
    return check


def _started(job: _Job, redact: Redactor) -> ProviderCheck:
    file, target = job.file, job.target
    return ProviderCheck(
        file.provider,
        Status.CHECKED,
        str(file.path),
        family=target.family,
        endpoint=redact(target.endpoint),
        key_variable=target.key_variable,
        default_model=file.default_model,
    )


def _check(job: _Job, settings: Settings, redact: Redactor, budget: Budget) -> ProviderCheck:
    """One provider, in a worker thread: whatever happens, a :class:`ProviderCheck`."""
    from .client import ListFailure, list_models
    from .reconcile import reconcile

    file, target = job.file, job.target
    check = _started(job, redact)
    started = time.monotonic()
    try:
        listing = list_models(target, settings, redact, job.deadline, budget)
    except ListFailure as exc:
        check.status, check.problem, check.message = Status.FAILED, exc.problem, redact(str(exc))
        check.requests = exc.requests
    except Exception as exc:  # a bug must not stop the other providers
        check.status, check.problem = Status.FAILED, Problem.INTERNAL_ERROR
        check.message = f"unexpected {type(exc).__name__}"
        log.debug("%s: %s", file.provider, redact(repr(exc)))
    else:
        check.result = reconcile(file, listing.ids)
        check.served_count, check.pages, check.requests = (
            len(listing.ids),
            listing.pages,
            listing.requests,
        )
    check.seconds = time.monotonic() - started
    log.info(
        "%s: %s in %.2f s",
        file.provider,
        check.message if check.status is Status.FAILED else f"{check.served_count} served",
        check.seconds,
    )
    return check
