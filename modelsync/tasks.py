"""modelsync's Invoke tasks: ``sync``, ``validate``, ``clear-cache``, ``models``, ``live``,
and for applications of the catalog ``cost``, ``route`` and ``scores``.

Mount them in a repository's ``tasks.py``::

    from invoke import Collection
    import modelsync.tasks

    ns = Collection()
    ns.add_collection(modelsync.tasks.ns, name="catalog")  # invoke catalog.sync ...

Settings live in the ``modelsync`` config namespace (``invoke.yaml``) and in
``INVOKE_MODELSYNC_*`` variables; a flag beats the environment, which beats the
project file, which beats the defaults (see :mod:`modelsync.settings`).

The tasks are thin wrappers over :mod:`modelsync.api`. Every expected failure ends in
one line ``modelsync: error: ...`` and exit 1 (failure) or 2 (usage); with ``--json``
stdout still carries one JSON document. This module imports only Invoke and
modelsync's settings, so ``invoke --list`` stays instant and offline.
"""

from __future__ import annotations

import dataclasses
import sys
from typing import TYPE_CHECKING

from invoke.collection import Collection
from invoke.context import Context
from invoke.exceptions import Exit

from .entry.audittask import audit
from .entry.kit import (
    _COMMON,
    _PROVIDER_FLAGS,
    _check_values,
    _configure_logging,
    _failed,
    _funnel,
    _json_dumps,
    _settings,
    _task,
)
from .entry.usetasks import cost, history, live, route, scores
from .errors import UsageError

if TYPE_CHECKING:
    from .checks.validate import ValidationResult
    from .report.types import SyncReport


@_task(
    iterable=["provider", "exclude"],
    help={
        **_COMMON,
        "source": "Catalog to sync from: an https:// URL or a local api.json path "
        "(default: modelsync.api_url).",
        "offline": "Never touch the network: the HTTP cache (any age), else the bundled snapshot.",
        "provider": "Only this provider: --provider NAME, repeatable, globs like 'azure*'.",
        "exclude": "Skip this provider: --exclude NAME, repeatable, globs allowed.",
        "dry-run": "Compute everything, write nothing, print a unified diff of each file that "
        "would change.",
        "check": "Write nothing; exit 1 if a sync would change any file, 0 if up to date.",
        "json": "Print the report as one JSON document on stdout (same as --format json).",
        "format": "Report format on stdout: text (default), json (docs/report.md) or markdown "
        "(a pull request body).",
        "strict": "With --check: also exit 1 when any model the team depends on needs "
        "attention, even if no file would change.",
        "prune": "Delete managed models that left the catalog, if they hold no user keys.",
        "allow-shrink": "Apply a catalog that shrank below modelsync.shrink_threshold.",
        "allow-older": "Apply a catalog older than the one the configs were synced from.",
    },
)
def sync(
    c: Context,
    verbose: int = 0,
    quiet: bool = False,
    config_dir: str | None = None,
    source: str | None = None,
    offline: bool = False,
    provider: list[str] | None = None,
    exclude: list[str] | None = None,
    dry_run: bool = False,
    check: bool = False,
    json: bool = False,
    format: str = "text",
    strict: bool = False,
    prune: bool = False,
    allow_shrink: bool = False,
    allow_older: bool = False,
) -> None:
    """Sync config/models/*.yml with the models.dev catalog."""
    # Long: a task's signature is its flags (15 of them); the body is settings, the API
    # call and the output, each one call.
    _configure_logging(verbose, quiet)
    from .report.types import REPORT_VERSION

    output = "json" if json else format
    with _funnel(
        (lambda m: {"version": REPORT_VERSION, **_failed(m)}) if output == "json" else None,
        _markdown_failure if output == "markdown" else None,
    ):
        if output not in ("text", "json", "markdown"):
            raise UsageError(f"flag --format: expected text, json or markdown, got {format!r}")
        _check_values(["--provider", "--exclude", "--source", "--config-dir", "--format"])
        s = _settings(
            c,
            _PROVIDER_FLAGS,
            config_dir=config_dir,
            source=source,
            offline=offline or None,
            providers=provider or None,
            exclude=exclude or None,
            prune=prune or None,
        )
        from . import api
        from .upstream import progress

        progress.enable(not quiet and output == "text")
        report = api.sync_to_configs(
            settings=s,
            dry_run=dry_run,
            check=check,
            allow_shrink=allow_shrink,
            allow_older=allow_older,
        )
    _print_report(report, output, quiet=quiet, dry_run=dry_run)
    if report.refused:
        raise Exit(f"modelsync: error: catalog not applied: {report.refused}", code=1)
    if report.failed:
        raise Exit(f"modelsync: error: {len(report.failed)} provider(s) failed", code=1)
    if check and report.changed_files:
        raise Exit(
            f"modelsync: {len(report.changed_files)} file(s) out of date; run a sync", code=1
        )
    if check and strict and report.attention:
        raise Exit(
            f"modelsync: {len(report.attention)} model(s) the team depends on need attention",
            code=1,
        )


def _print_report(report: SyncReport, output: str, *, quiet: bool, dry_run: bool) -> None:
    if output == "json":
        print(_json_dumps(report.to_json()))
    elif output == "markdown":
        from .report.markdown import render_markdown

        sys.stdout.write(render_markdown(report))
    elif not quiet:
        from .report.summary import render

        if dry_run and not report.refused:  # a refused catalog would change nothing
            for result in report.providers:
                if result.diff:
                    sys.stdout.write(result.diff)
        sys.stdout.write(render(report, stream=sys.stdout))


def _markdown_failure(message: str) -> str:
    from .report.markdown import code

    return f"## Model catalog sync\n\n**Failed:** {code(message)}\n"


@_task(
    iterable=["file"],
    help={
        **_COMMON,
        "file": "Validate only this file: --file PATH, repeatable; default: every provider file "
        "(*.yml, *.yaml) of the config directory.",
        "format": "Output format: text (default) or json.",
        "no-cache": "Re-check every file, ignoring remembered results.",
        "allow-empty": "Pass when the config directory holds no provider file (default: fail).",
        "strict": "Warnings are errors: a default_model that is missing, unavailable or "
        "deprecated fails the check (for CI).",
    },
)
def validate(
    c: Context,
    verbose: int = 0,
    quiet: bool = False,
    config_dir: str | None = None,
    file: list[str] | None = None,
    format: str = "text",
    no_cache: bool = False,
    allow_empty: bool = False,
    strict: bool = False,
) -> None:
    """Check provider YAML files against the schema (for pre-commit and CI)."""
    _configure_logging(verbose, quiet)
    as_json = format == "json"
    blank = {"path": None, "line": None, "column": None, "json_path": ""}
    with _funnel(
        (lambda m: {"ok": False, "files": [], "errors": [{**blank, "message": m}]})
        if as_json
        else None
    ):
        if format not in ("text", "json"):
            raise UsageError(f"flag --format: expected text or json, got {format!r}")
        _check_values(["--file", "--config-dir", "--format"])
        s = _settings(c, config_dir=config_dir)
        from . import api

        result = api.validate_configs(
            settings=s,
            files=file or (),
            use_cache=not no_cache,
            allow_empty=allow_empty,
            strict=strict,
        )
    if as_json:
        print(_json_dumps(result.to_json()))
    else:
        for finding in result.findings:
            print(finding if not strict else dataclasses.replace(finding, severity="error"))
        if not quiet:
            print(_validate_summary(result))
    if not result.ok:
        raise Exit(code=1)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def _validate_summary(result: ValidationResult) -> str:
    """``3 files valid``, ``3 files valid, 1 warning``, ``2 errors in 1 of 3 files``."""
    files = len(result.files)
    if result.ok:
        warned = f", {_plural(len(result.warnings), 'warning')}" if result.warnings else ""
        return f"{_plural(files, 'file')} valid{warned}"
    bad = len({f.path for f in result.errors})
    return f"{_plural(len(result.errors), 'error')} in {bad} of {_plural(files, 'file')}"


@_task(
    help={
        **_COMMON,
        "config-dir": "The config directory whose state to forget (default: "
        "modelsync.config_dir, config/models).",
        "all": "Forget the state of every project's config directory on this machine, not "
        "only this one's.",
    }
)
def clear_cache(
    c: Context,
    verbose: int = 0,
    quiet: bool = False,
    config_dir: str | None = None,
    all: bool = False,
) -> None:
    """Forget this project's sync state, index and validation results (--all: every one's).

    Also empties the HTTP cache of the catalog, which all projects share.
    """
    _configure_logging(verbose, quiet)
    with _funnel():
        _check_values(["--config-dir"])
        s = _settings(c, config_dir=config_dir)
        from . import api

        removed = api.clear_cache(settings=s, all_projects=all)
    if quiet:
        return
    if not removed:
        print(f"nothing to remove in {s.cache_path}")
    for item in removed:
        print(f"removed {item}")


@_task(
    iterable=["provider", "capability"],
    help={
        **_COMMON,
        "provider": "Only this provider: --provider NAME, repeatable, globs allowed.",
        "capability": "Require this capability: --capability NAME, repeatable, all required.",
        "min-context": "Minimum context window in tokens: 128000, 128k or 1M.",
        "max-input-price": "Maximum input price, USD per million tokens.",
        "all": "Include models that are no longer available (default: available only).",
        "sort": "Sort by id, provider, name, input_price, output_price, context_window, "
        "max_output_tokens or release_date (prices cheapest first, limits largest first).",
        "limit": "Show at most this many models (0: all).",
        "json": "Print the models as JSON.",
    },
)
def models(
    c: Context,
    verbose: int = 0,
    quiet: bool = False,
    config_dir: str | None = None,
    provider: list[str] | None = None,
    capability: list[str] | None = None,
    min_context: str | None = None,
    max_input_price: str | None = None,
    all: bool = False,
    sort: str = "id",
    limit: str | None = None,
    json: bool = False,
) -> None:
    """List models of the synced configs, filtered and sorted (for routing decisions)."""
    _configure_logging(verbose, quiet)
    from .entry.flags import parse_count, parse_int, parse_number

    with _funnel(_failed if json else None):
        _check_values(["--provider", "--capability", "--config-dir", "--sort"])
        context = parse_count("--min-context", min_context)
        price = parse_number("--max-input-price", max_input_price)
        most = parse_int("--limit", limit) or 0
        s = _settings(c, config_dir=config_dir)
        from . import api

        found = api.list_models(
            settings=s,
            providers=provider or (),
            capabilities=capability or (),
            min_context=context,
            max_input_price=price,
            available_only=not all,
            sort=sort,
        )
    if most:
        found = found[:most]
    from .use.query import as_json, as_table

    print(_json_dumps(as_json(found)) if json else as_table(found), end="" if not json else "\n")


#: The task objects, each named as its task (``@task(pre=[modelsync.tasks.validate])``),
#: and the collection ``ns`` that holds them.
__all__ = [
    "audit",
    "clear_cache",
    "cost",
    "history",
    "live",
    "models",
    "ns",
    "route",
    "scores",
    "sync",
    "validate",
]

ns = Collection("modelsync")
ns.add_task(sync)
ns.add_task(validate)
ns.add_task(clear_cache)
ns.add_task(models)
ns.add_task(live)
ns.add_task(cost)
ns.add_task(route)
ns.add_task(scores)
ns.add_task(history)
ns.add_task(audit)
# The namespace exists, but its defaults are not registered with Invoke: Invoke would
# cast INVOKE_MODELSYNC_* by the defaults' types (``false`` as true, a list not at all);
# modelsync reads the environment itself (modelsync.settings).
ns.configure({"modelsync": {}})
