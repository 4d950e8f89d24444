"""The ``audit`` task: sanity rules over the synced files and a second opinion from
independent price sources (``docs/audit.md``); a thin wrapper over
:func:`modelsync.auditing.audit`."""

from __future__ import annotations

import sys

from invoke.context import Context
from invoke.exceptions import Exit

from ..errors import UsageError
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


def _markdown_failure(message: str) -> str:
    from ..report.markdown import code

    return f"## Catalog audit\n\n**Failed:** {code(message)}\n"


@_task(
    name="audit",
    iterable=["provider", "exclude"],
    help={
        **_COMMON,
        "provider": "Only this provider: --provider NAME, repeatable, globs like 'azure*'.",
        "exclude": "Skip this provider: --exclude NAME, repeatable, globs allowed.",
        "all": "Audit every model of the files (default: the models the team depends on).",
        "json": "Print the report as one JSON document on stdout (same as --format json).",
        "format": "Report format on stdout: text (default), json (docs/audit.md) or markdown.",
        "litellm": "LiteLLM's price map for this run: a URL, a file, or none "
        "(default: modelsync.audit_sources).",
        "genai-prices": "genai-prices' data for this run: a URL, a file, or none "
        "(default: modelsync.audit_sources).",
        "offline": "Never touch the network: the sources' cached copies (any age), else none.",
        "strict": "Exit 1 when a finding of severity error concerns a model the team depends on.",
    },
)
def audit(
    c: Context,
    verbose: int = 0,
    quiet: bool = False,
    config_dir: str | None = None,
    provider: list[str] | None = None,
    exclude: list[str] | None = None,
    all: bool = False,
    json: bool = False,
    format: str = "text",
    strict: bool = False,
    litellm: str | None = None,
    genai_prices: str | None = None,
    offline: bool = False,
) -> None:
    """Check the synced files for impossible values and against two price sources.

    Read-only: the sanity rules run over the files, then the models are compared with
    LiteLLM's price map and genai-prices (docs/audit.md)."""
    # Long: a task's signature is its flags; the body is settings, the API call and the
    # output, each one call.
    _configure_logging(verbose, quiet)
    from ..auditing.findings import AUDIT_REPORT_VERSION

    output = "json" if json else format
    with _funnel(
        (lambda m: {"version": AUDIT_REPORT_VERSION, **_failed(m)}) if output == "json" else None,
        _markdown_failure if output == "markdown" else None,
    ):
        if output not in ("text", "json", "markdown"):
            raise UsageError(f"flag --format: expected text, json or markdown, got {format!r}")
        _check_values(
            ["--provider", "--exclude", "--config-dir", "--format", "--litellm", "--genai-prices"]
        )
        s = _settings(
            c,
            _PROVIDER_FLAGS,
            config_dir=config_dir,
            providers=provider or None,
            exclude=exclude or None,
            offline=offline or None,
        )
        from ..auditing import audit as run

        report = run(settings=s, all_models=all, litellm=litellm, genai_prices=genai_prices)
    if output == "json":
        print(_json_dumps(report.to_json()))
    elif output == "markdown":
        from ..auditing.render import render_markdown

        sys.stdout.write(render_markdown(report))
    elif not quiet:
        from ..auditing.render import render_text

        sys.stdout.write(render_text(report))
    if strict and report.strict_failure:
        errors = sum(1 for f in report.findings if f.depended and f.severity.value == "error")
        raise Exit(
            f"modelsync: {errors} error finding(s) concern models the team depends on", code=1
        )
