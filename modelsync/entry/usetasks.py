"""Tasks that use the synced catalog: ``live`` (which models the keys reach), ``cost``,
``route`` and ``scores``; mounted with the others in :mod:`modelsync.tasks`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from invoke.context import Context
from invoke.exceptions import Exit

from ..errors import ModelsyncError, UsageError
from ..settings import Settings
from ..util.tasknames import command as task_command
from .kit import (
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


@_task(
    iterable=["provider", "exclude"],
    help={
        **_COMMON,
        "provider": "Only this provider: --provider NAME, repeatable, globs like 'azure*'.",
        "exclude": "Skip this provider: --exclude NAME, repeatable, globs allowed.",
        "json": "Print the result as one JSON document on stdout (see docs/live.md).",
        "write-report": "Also save the JSON document to this file.",
    },
)
def live(
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
    from ..live.report import LIVE_REPORT_VERSION

    with _funnel((lambda m: {"version": LIVE_REPORT_VERSION, **_failed(m)}) if json else None):
        _check_values(["--provider", "--exclude", "--config-dir", "--write-report"])
        s = _settings(
            c,
            _PROVIDER_FLAGS,
            config_dir=config_dir,
            providers=provider or None,
            exclude=exclude or None,
        )
        from ..live import check_live

        report = check_live(settings=s)
        if write_report:
            _save_json(write_report, report.to_json(), s)
    if json:
        print(_json_dumps(report.to_json()))
    elif not quiet:
        from ..live.render import render

        sys.stdout.write(render(report))
    if not report.ok:
        from ..util.text import escape

        raise Exit(f"modelsync: error: {escape('; '.join(report.problems()))}", code=1)


def _save_json(path: str, data: Any, s: Settings) -> None:
    from ..settings import resolve_path
    from ..util.fsutil import atomic_write

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
    from .flags import parse_count

    out = {}
    for kind, text in counts.items():
        value = parse_count("--" + kind.replace("_", "-"), text)
        if value is not None:
            out[kind] = value
    return out


@_task(
    help={
        **_COMMON,
        "provider": "Provider id of the model (required).",
        "model": "Model id (required).",
        **_USAGE_FLAGS,
        "mode": "Price the request in this mode of the model (pricing.modes, e.g. fast).",
        "allow-missing": "Count a kind of token the model has no price for as nothing (listed "
        "as missing) instead of failing.",
        "json": "Print the cost as JSON (amounts as exact decimal strings).",
        "at": "Price at the prices the file held on this date in git: YYYY-MM-DD (the end "
        "of that day, UTC) or an ISO time (see docs/history.md).",
    },
)
def cost(
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
    at: str | None = None,
) -> None:
    """Price one request to a synced model exactly: tiers, modes, cache and reasoning."""
    _configure_logging(verbose, quiet)
    with _funnel(_failed if json else None):
        _check_values(
            ["--provider", "--model", "--mode", "--config-dir", "--at"]
            + [f"--{k}" for k in _USAGE_FLAGS]
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
        from ..use.cost import estimate_cost, render

        result = estimate_cost(
            provider, model, usage, mode=mode, allow_missing=allow_missing, at=at, settings=s
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
        "include-unscored": "Also list models without a score for the complexity, after the "
        "scored ones, ranked by the capabilities the complexity suggests, context, then cost.",
        "limit": "Show the choice and this many models in all (default 5; 0: all).",
        "json": "Print the choices with their reasons as JSON.",
    },
)
def route(
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
    include_unscored: bool = False,
    limit: str | None = None,
    json: bool = False,
) -> None:
    """Pick a model for a task by complexity and constraints, with the reasons why."""
    # Long: every flag is parsed and checked here, in the order the help lists them.
    _configure_logging(verbose, quiet)
    from .flags import parse_count, parse_int, parse_number

    with _funnel(_failed if json else None):
        _check_values(_ROUTE_VALUE_FLAGS)
        if not complexity:
            raise UsageError("flag --complexity is required: route --complexity complex")
        most = parse_int("--limit", limit)
        s = _settings(c, config_dir=config_dir)
        from ..use.router import explain_excluded, render, select

        excluded: dict[str, int] = {}
        choices = select(
            complexity,
            capabilities=capability or (),
            min_context=parse_count("--min-context", min_context),
            usage=_usage(input=input, output=output) or None,
            max_cost=parse_number("--max-cost", max_cost),
            providers=provider or (),
            include_deprecated=include_deprecated,
            include_unscored=include_unscored,
            excluded=excluded,
            settings=s,
        )
        if not choices:
            raise ModelsyncError(
                f"no model of {s.config_path} qualifies for a {complexity} task (left out: "
                f"{explain_excluded(excluded)}); relax a constraint "
                f"({task_command('models')} lists the models)"
            )
    shown = choices[: (5 if most is None else most) or None]
    note = _one_sided(input, output)
    if json:
        choices_json = [x.to_json() for x in shown]
        doc = {"ok": True, "candidates": len(choices), "choices": choices_json}
        print(_json_dumps({**doc, "note": note} if note else doc))
    else:
        head = f"{complexity} task: {len(shown)} of {len(choices)} candidate(s)"
        sys.stdout.write(render(shown, head + (f" ({note})" if note else "")))


def _one_sided(input: str | None, output: str | None) -> str | None:
    """What an estimate assumes when only one of --input and --output is given."""
    if (input is None) == (output is None):
        return None
    missing = "output" if output is None else "input"
    return f"--{missing} not given: the estimates assume 0 {missing} tokens"


@_task(
    help={
        **_COMMON,
        "from": "JSON Lines file of outcomes, one {provider, model, complexity, quality (0-5) "
        "or success (true/false)} object per line (required).",
        "dry-run": "Compute the new scores and print them; write nothing.",
        "reset": "Forget which outcomes this config directory has learned, then learn the "
        "file in full (normally only lines not learned before count).",
        "prior-weight": "Weight of a score without task_complexity_samples (default 5).",
        "json": "Print the report as JSON.",
    },
)
def scores(
    c: Context,
    verbose: int = 0,
    quiet: bool = False,
    config_dir: str | None = None,
    from_: str | None = None,
    dry_run: bool = False,
    reset: bool = False,
    prior_weight: str | None = None,
    json: bool = False,
) -> None:
    """Learn task_complexity_score values from outcomes and write them into the files."""
    _configure_logging(verbose, quiet)
    from .flags import parse_number

    with _funnel(_failed if json else None):
        _check_values(["--from", "--config-dir", "--prior-weight"])
        if not from_:
            raise UsageError("flag --from is required: scores --from outcomes.jsonl")
        weight = parse_number("--prior-weight", prior_weight)
        s = _settings(c, config_dir=config_dir)
        from ..settings import resolve_path
        from ..use.learnfile import learn_file

        path = Path(resolve_path(from_, Path(s.root or ".")))
        report = learn_file(
            path,
            reset=reset,
            prior_weight=5 if weight is None else weight,
            dry_run=dry_run,
            settings=s,
        )
    if json:
        print(_json_dumps(report.to_json()))
    elif not quiet:
        sys.stdout.write(report.render())


@_task(
    name="history",
    iterable=["field"],
    help={
        **_COMMON,
        "provider": "Only this provider's file (required with --model).",
        "model": "Only this model (with --provider).",
        "since": "Only changes on or after this date: YYYY-MM-DD or an ISO time.",
        "field": "Only this field and what is under it: --field pricing, repeatable.",
        "author-date": "Date changes by their commits' author dates, not commit dates.",
        "json": "Print the history as one JSON document (see docs/history.md).",
        "format": "text (default) or markdown (a table for a pull request).",
    },
)
def history(
    c: Context,
    verbose: int = 0,
    quiet: bool = False,
    config_dir: str | None = None,
    provider: str | None = None,
    model: str | None = None,
    since: str | None = None,
    field: list[str] | None = None,
    author_date: bool = False,
    json: bool = False,
    format: str | None = None,
) -> None:
    """When each synced field of a model changed, from the files' git history, and why."""
    _configure_logging(verbose, quiet)
    from ..history.timeline import HISTORY_VERSION

    markdown = format == "markdown"
    failed = (lambda m: {"version": HISTORY_VERSION, **_failed(m)}) if json else None
    with _funnel(failed, _markdown_failure if markdown else None):
        _check_values(["--provider", "--model", "--since", "--field", "--config-dir", "--format"])
        if format not in (None, "text", "markdown"):
            raise UsageError(f"flag --format: {format!r} is not text or markdown")
        s = _settings(c, config_dir=config_dir)
        from ..history import model_history

        result = model_history(
            provider, model, since=since, fields=field or (), author_date=author_date, settings=s
        )
    if json:
        print(_json_dumps(result.to_json()))
    elif not quiet:
        from ..history.render import render_markdown, render_text

        sys.stdout.write(render_markdown(result) if markdown else render_text(result))


def _markdown_failure(message: str) -> str:
    from ..history.render import code

    return f"**modelsync history failed:** {code(message)}"
