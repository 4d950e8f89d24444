"""Tasks that use the synced catalog: ``live`` (which models the keys reach), ``cost``,
``route`` and ``scores``; mounted with the others in :mod:`modelsync.tasks`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from invoke.context import Context
from invoke.exceptions import Exit

from .errors import ModelsyncError, UsageError
from .settings import Settings
from .taskkit import (
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
from .tasknames import command as task_command


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
                f"constraint ({task_command('models')} lists the models)"
            )
    shown = choices[: (5 if most is None else most) or None]
    if json:
        choices_json = [x.to_json() for x in shown]
        print(_json_dumps({"ok": True, "candidates": len(choices), "choices": choices_json}))
    else:
        head = f"{complexity} task: {len(shown)} of {len(choices)} candidate(s)"
        sys.stdout.write(render(shown, head))


@_task(
    help={
        **_COMMON,
        "from": "JSON Lines file of outcomes, one {provider, model, complexity, quality (0-5) "
        "or success (true/false)} object per line (required).",
        "dry-run": "Compute the new scores and print them; write nothing.",
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
