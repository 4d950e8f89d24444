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
import json
import logging
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from invoke.collection import Collection
from invoke.context import Context
from invoke.exceptions import Exit
from invoke.tasks import Task, task

from .errors import ModelsyncError, UsageError
from .settings import Settings, resolve

if TYPE_CHECKING:
    from .report import SyncReport
    from .validate import ValidationResult

#: The command line the tasks were parsed from (set by the ``modelsync`` command;
#: ``sys.argv`` under ``invoke``).
ARGV: list[str] | None = None


class _OneLine(logging.Formatter):
    """Log records as one line each, lower-case level, no tracebacks, control
    characters escaped."""

    def format(self, record: logging.LogRecord) -> str:
        from .text import escape

        return f"modelsync: {record.levelname.lower()}: {escape(record.getMessage())}"


def _configure_logging(verbose: int, quiet: bool) -> None:
    level = (
        logging.ERROR
        if quiet
        else (logging.WARNING if not verbose else logging.INFO if verbose == 1 else logging.DEBUG)
    )
    root = logging.getLogger("modelsync")
    for handler in list(root.handlers):
        if getattr(handler, "_modelsync", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_OneLine())
    handler._modelsync = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    root.propagate = False
    # Libraries below us: retries and cache chatter only with -vv.
    for name in ("urllib3", "requests_cache"):
        logging.getLogger(name).setLevel(logging.DEBUG if verbose > 1 else logging.ERROR)


def project_root(c: Context) -> Path | None:
    """The directory of the ``tasks.py`` (or ``invoke.yaml``) in use, if any."""
    prefix = getattr(c.config, "_project_prefix", None)
    if prefix:
        return Path(prefix)
    from .settings import find_project_root

    return find_project_root()


def _settings(c: Context, flag_names: dict[str, str] | None = None, **flags: Any) -> Settings:
    config = c.config.get("modelsync", {}) or {}
    values = dict(config.items()) if hasattr(config, "items") else {}
    settings = resolve(values, flags=flags, flag_names=flag_names, root=project_root(c))
    if settings.extra:
        logging.getLogger("modelsync").warning(
            "ignoring unknown setting(s) %s (see the settings table in the README)",
            ", ".join(
                name if name.startswith("INVOKE_") else f"modelsync.{name}"
                for name in sorted(settings.extra)
            ),
        )
    return settings


@contextmanager
def _funnel(
    json_failure: Callable[[str], dict[str, Any]] | None = None,
    text_failure: Callable[[str], str] | None = None,
) -> Iterator[None]:
    """Expected failures end as one line on stderr and a non-zero exit, never a traceback;
    SIGTERM ends like Ctrl-C (:mod:`modelsync.signals`).

    ``json_failure``: with ``--json``, builds the document printed on stdout when the run
    fails, from the error line, so that a bot parsing stdout always gets one;
    ``text_failure`` likewise for another format (Markdown).
    """
    from .signals import TERMINATED_EXIT, Terminated, sigterm_as_interrupt

    try:
        with sigterm_as_interrupt():
            yield
    except ModelsyncError as exc:
        from .text import escape

        message = escape(str(exc))
        if json_failure is not None:
            print(_json_dumps(json_failure(message)))
        if text_failure is not None:
            print(text_failure(message))
        raise Exit(f"modelsync: error: {message}", code=exc.exit_code) from None
    except Terminated:
        raise Exit("modelsync: terminated", code=TERMINATED_EXIT) from None
    except KeyboardInterrupt:
        raise Exit("modelsync: interrupted", code=130) from None


def _failed(message: str) -> dict[str, Any]:
    return {"ok": False, "errors": [message]}


def _check_values(flags: Sequence[str]) -> None:
    from .cliargs import check_values_given

    argv = ARGV if ARGV is not None else sys.argv[1:]
    check_values_given(argv, flags)


class _Task(Task[Any]):
    """A task whose only short flags are ``-v`` and ``-q`` (Invoke would otherwise pick a
    letter of every flag, and ``--check`` would end up as ``-h``), and whose ``-v`` is a
    counter in its help too (``-v``, ``-vv``), not a flag taking a number."""

    SHORT: ClassVar[dict[str, str]] = {"verbose": "v", "quiet": "q"}

    def arg_opts(self, name: str, default: Any, taken_names: set[str]) -> dict[str, Any]:
        opts: dict[str, Any] = super().arg_opts(name, default, taken_names)
        short = self.SHORT.get(name)
        if short and short not in taken_names:
            opts["names"] = [*opts["names"], short]
        if name == "verbose":
            # Incremented, never cast: shown as a flag without a value.
            opts["kind"] = bool
        return opts


def _task(**kwargs: Any) -> Callable[[Callable[..., None]], _Task]:
    decorator: Callable[[Callable[..., None]], _Task] = task(
        klass=_Task, auto_shortflags=False, incrementable=["verbose"], **kwargs
    )
    return decorator


_COMMON = {
    "config-dir": "Directory of the provider YAML files, relative to the project root "
    "(default: modelsync.config_dir, config/models).",
    "verbose": "More log output on stderr: -v info, -vv debug (with HTTP retries).",
    "quiet": "Only errors on stderr; no summary on stdout.",
}

_PROVIDER_FLAGS = {"providers": "--provider", "exclude": "--exclude"}


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
    _configure_logging(verbose, quiet)
    from .report import REPORT_VERSION

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
        from . import api, progress

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
        from .markdown import render_markdown

        sys.stdout.write(render_markdown(report))
    elif not quiet:
        from .report import render

        if dry_run and not report.refused:  # a refused catalog would change nothing
            for result in report.providers:
                if result.diff:
                    sys.stdout.write(result.diff)
        sys.stdout.write(render(report, stream=sys.stdout))


def _markdown_failure(message: str) -> str:
    from .markdown import md

    return f"## Model catalog sync\n\n**Failed:** {md(message)}\n"


def _json_dumps(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, default=str)


@_task(
    name="validate",
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
def validate_task(
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
        "config-dir": "Forget only this config directory's sync fingerprints (default: all "
        "of them).",
    }
)
def clear_cache(
    c: Context, verbose: int = 0, quiet: bool = False, config_dir: str | None = None
) -> None:
    """Remove cached catalog responses, sync fingerprints and validation results."""
    _configure_logging(verbose, quiet)
    with _funnel():
        _check_values(["--config-dir"])
        s = _settings(c, config_dir=config_dir)
        from . import api

        removed = api.clear_cache(settings=s, only_config_dir=config_dir is not None)
    if quiet:
        return
    if not removed:
        print(f"nothing to remove in {s.cache_path}")
    for item in removed:
        print(f"removed {item}")


@_task(
    name="models",
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
def models_task(
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
    from .cliargs import parse_count, parse_int, parse_number

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
    from .query import as_json, as_table

    print(_json_dumps(as_json(found)) if json else as_table(found), end="" if not json else "\n")


@_task(
    name="live",
    iterable=["provider", "exclude"],
    help={
        **_COMMON,
        "provider": "Only this provider: --provider NAME, repeatable, globs like 'azure*'.",
        "exclude": "Skip this provider: --exclude NAME, repeatable, globs allowed.",
        "json": "Print the result as one JSON document on stdout (see docs/live.md).",
        "write-report": "Also save the JSON document to this file.",
    },
)
def live_task(
    c: Context,
    verbose: int = 0,
    quiet: bool = False,
    config_dir: str | None = None,
    provider: list[str] | None = None,
    exclude: list[str] | None = None,
    json: bool = False,
    write_report: str | None = None,
) -> None:
    """Ask each provider which models your keys can use; compare with the files (read-only)."""
    _configure_logging(verbose, quiet)
    from .live.report import LIVE_REPORT_VERSION

    with _funnel((lambda m: {"version": LIVE_REPORT_VERSION, **_failed(m)}) if json else None):
        _check_values(["--provider", "--exclude", "--config-dir", "--write-report"])
        s = _settings(
            c,
            _PROVIDER_FLAGS,
            config_dir=config_dir,
            providers=provider or None,
            exclude=exclude or None,
        )
        from .live import check_live

        report = check_live(settings=s)
        if write_report:
            _save_json(write_report, report.to_json(), s)
    if json:
        print(_json_dumps(report.to_json()))
    elif not quiet:
        from .live.render import render

        sys.stdout.write(render(report))
    if not report.ok:
        from .text import escape

        raise Exit(f"modelsync: error: {escape('; '.join(report.problems()))}", code=1)


def _save_json(path: str, data: Any, s: Settings) -> None:
    from .fsutil import atomic_write
    from .settings import resolve_path

    target = Path(resolve_path(path, Path(s.root) if s.root else Path.cwd()))
    if target.is_dir():
        raise UsageError(f"flag --write-report: {target} is a directory")
    if not target.parent.is_dir():
        raise UsageError(f"flag --write-report: directory {target.parent} does not exist")
    atomic_write(target, (_json_dumps(data) + "\n").encode())


_USAGE_FLAGS = {
    "input": "Input tokens, not cached: 250000, 250k or 1M.",
    "output": "Output tokens, not counting reasoning tokens.",
    "cache-read": "Prompt tokens read from the provider's cache.",
    "cache-write": "Prompt tokens written to the provider's cache.",
    "reasoning": "Reasoning tokens (the output price when the model has no reasoning price).",
    "input-audio": "Audio input tokens.",
    "output-audio": "Audio output tokens.",
}


def _usage(**counts: str | None) -> dict[str, int]:
    """Token-count flags as a usage mapping (flags not given are left out)."""
    from .cliargs import parse_count

    out = {}
    for kind, text in counts.items():
        value = parse_count("--" + kind.replace("_", "-"), text)
        if value is not None:
            out[kind] = value
    return out


@_task(
    name="cost",
    help={
        **_COMMON,
        "provider": "Provider id of the model (required).",
        "model": "Model id (required).",
        **_USAGE_FLAGS,
        "mode": "Price the request in this mode of the model (pricing.modes, e.g. fast).",
        "allow-missing": "Count a kind of token the model has no price for as nothing (listed "
        "as missing) instead of failing.",
        "json": "Print the cost as JSON (amounts as exact decimal strings).",
    },
)
def cost_task(
    c: Context,
    verbose: int = 0,
    quiet: bool = False,
    config_dir: str | None = None,
    provider: str | None = None,
    model: str | None = None,
    input: str | None = None,
    output: str | None = None,
    cache_read: str | None = None,
    cache_write: str | None = None,
    reasoning: str | None = None,
    input_audio: str | None = None,
    output_audio: str | None = None,
    mode: str | None = None,
    allow_missing: bool = False,
    json: bool = False,
) -> None:
    """Price one request to a synced model exactly: tiers, modes, cache and reasoning."""
    _configure_logging(verbose, quiet)
    with _funnel(_failed if json else None):
        _check_values(
            ["--provider", "--model", "--mode", "--config-dir", *(f"--{k}" for k in _USAGE_FLAGS)]
        )
        if not provider or not model:
            raise UsageError(
                "flags --provider and --model are required: "
                "cost --provider NAME --model ID --input 250k --output 2k"
            )
        usage = _usage(
            input=input,
            output=output,
            cache_read=cache_read,
            cache_write=cache_write,
            reasoning=reasoning,
            input_audio=input_audio,
            output_audio=output_audio,
        )
        s = _settings(c, config_dir=config_dir)
        from .cost import estimate_cost, render

        result = estimate_cost(
            provider, model, usage, mode=mode, allow_missing=allow_missing, settings=s
        )
    if json:
        print(_json_dumps({"ok": True, **result.to_json()}))
    else:
        sys.stdout.write(render(result))


_ROUTE_VALUE_FLAGS = (
    *("--complexity", "--capability", "--provider", "--config-dir", "--limit"),
    *("--min-context", "--max-cost", "--input", "--output"),
)


@_task(
    name="route",
    iterable=["capability", "provider"],
    help={
        **_COMMON,
        "complexity": "Task complexity: simple, medium or complex (the names of "
        "modelsync.route_thresholds; required).",
        "capability": "Require this capability: --capability NAME, repeatable, all required.",
        "min-context": "Minimum context window in tokens: 128000, 128k or 1M.",
        "max-cost": "Maximum estimated cost of the request, USD.",
        "provider": "Only this provider: --provider NAME, repeatable, globs allowed.",
        "input": "Input tokens the cost is estimated for (default: 1000 input, 1000 output).",
        "output": "Output tokens the cost is estimated for.",
        "include-deprecated": "Let deprecated models be chosen too.",
        "limit": "Show the choice and this many models in all (default 5; 0: all).",
        "json": "Print the choices with their reasons as JSON.",
    },
)
def route_task(
    c: Context,
    verbose: int = 0,
    quiet: bool = False,
    config_dir: str | None = None,
    complexity: str | None = None,
    capability: list[str] | None = None,
    min_context: str | None = None,
    max_cost: str | None = None,
    provider: list[str] | None = None,
    input: str | None = None,
    output: str | None = None,
    include_deprecated: bool = False,
    limit: str | None = None,
    json: bool = False,
) -> None:
    """Pick a model for a task by complexity and constraints, with the reasons why."""
    _configure_logging(verbose, quiet)
    from .cliargs import parse_count, parse_int, parse_number

    with _funnel(_failed if json else None):
        _check_values(_ROUTE_VALUE_FLAGS)
        if not complexity:
            raise UsageError("flag --complexity is required: route --complexity complex")
        most = parse_int("--limit", limit)
        s = _settings(c, config_dir=config_dir)
        from .router import render, select

        choices = select(
            complexity,
            capabilities=capability or (),
            min_context=parse_count("--min-context", min_context),
            usage=_usage(input=input, output=output) or None,
            max_cost=parse_number("--max-cost", max_cost),
            providers=provider or (),
            include_deprecated=include_deprecated,
            settings=s,
        )
        if not choices:
            raise ModelsyncError(
                f"no model of {s.config_path} qualifies for a {complexity} task; relax a "
                "constraint (invoke models lists the models)"
            )
    shown = choices[: (5 if most is None else most) or None]
    if json:
        choices_json = [x.to_json() for x in shown]
        print(_json_dumps({"ok": True, "candidates": len(choices), "choices": choices_json}))
    else:
        head = f"{complexity} task: {len(shown)} of {len(choices)} candidate(s)"
        sys.stdout.write(render(shown, head))


@_task(
    name="scores",
    help={
        **_COMMON,
        "from": "JSON Lines file of outcomes, one {provider, model, complexity, quality (0-5) "
        "or success (true/false)} object per line (required).",
        "dry-run": "Compute the new scores and print them; write nothing.",
        "prior-weight": "Weight of a score without task_complexity_samples (default 5).",
        "json": "Print the report as JSON.",
    },
)
def scores_task(
    c: Context,
    verbose: int = 0,
    quiet: bool = False,
    config_dir: str | None = None,
    from_: str | None = None,
    dry_run: bool = False,
    prior_weight: str | None = None,
    json: bool = False,
) -> None:
    """Learn task_complexity_score values from outcomes and write them into the files."""
    _configure_logging(verbose, quiet)
    from .cliargs import parse_number

    with _funnel(_failed if json else None):
        _check_values(["--from", "--config-dir", "--prior-weight"])
        if not from_:
            raise UsageError("flag --from is required: scores --from outcomes.jsonl")
        weight = parse_number("--prior-weight", prior_weight)
        s = _settings(c, config_dir=config_dir)
        from .learn import learn_scores, read_outcomes
        from .settings import resolve_path

        path = Path(resolve_path(from_, Path(s.root or ".")))
        outcomes = read_outcomes(path, s.route_thresholds)
        report = learn_scores(
            outcomes, prior_weight=5 if weight is None else weight, dry_run=dry_run, settings=s
        )
    if json:
        print(_json_dumps(report.to_json()))
    elif not quiet:
        sys.stdout.write(report.render())


ns = Collection("modelsync")
ns.add_task(sync)
ns.add_task(validate_task, name="validate")
ns.add_task(clear_cache)
ns.add_task(models_task, name="models")
ns.add_task(live_task, name="live")
ns.add_task(cost_task, name="cost")
ns.add_task(route_task, name="route")
ns.add_task(scores_task, name="scores")
# The namespace exists, but its defaults are not registered with Invoke: Invoke would
# cast INVOKE_MODELSYNC_* by the defaults' types (``false`` as true, a list not at all);
# modelsync reads the environment itself (modelsync.settings).
ns.configure({"modelsync": {}})
