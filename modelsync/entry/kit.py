"""What every modelsync task shares: the ``@task`` decorator with modelsync's flag
conventions, settings from the Invoke context, one-line logging, and the error funnel
that ends every expected failure in one ``modelsync: error:`` line.

Imported while Invoke lists tasks: only Invoke and modelsync's settings are imported
here; everything heavy is imported inside the task bodies.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

from invoke.collection import Collection
from invoke.context import Context
from invoke.exceptions import Exit
from invoke.tasks import Task, task

from ..errors import ModelsyncError
from ..settings import Settings, resolve

#: The command line the tasks were parsed from (set by the ``modelsync`` command;
#: ``sys.argv`` under ``invoke``).
ARGV: list[str] | None = None


class _OneLine(logging.Formatter):
    """Log records as one line each, lower-case level, no tracebacks, control
    characters escaped."""

    def format(self, record: logging.LogRecord) -> str:
        from ..util.text import escape

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
    from ..projectfile import find_project_root

    return find_project_root()


def _walk(collection: Collection, prefix: str = "") -> Iterator[tuple[str, Task[Any]]]:
    """Every task of ``collection`` with its dotted path, top level first."""
    for name, found in collection.tasks.items():
        yield prefix + name, found
    for name, sub in collection.collections.items():
        yield from _walk(sub, f"{prefix}{name}.")


def _running_collection(c: Context) -> Collection | None:
    """The root collection Invoke loaded: the ``invoke`` program's, else the ``ns`` (or
    ``namespace``) of the tasks module Invoke imported."""
    program = getattr(sys.modules.get("invoke.main"), "program", None)
    found = getattr(program, "collection", None)
    if isinstance(found, Collection):
        return found
    try:
        module = sys.modules.get(str(c.config.tasks.collection_name))
    except AttributeError:
        return None
    for attr in ("ns", "namespace"):
        found = getattr(module, attr, None)
        if isinstance(found, Collection):
            return found
    return None


def name_tasks(c: Context) -> None:
    """Tell :mod:`modelsync.util.tasknames` how this program calls modelsync's tasks: as
    ``modelsync <task>`` under the ``modelsync`` command, by their path in the loaded
    collection under ``invoke`` (``invoke catalog.models``)."""
    from ..util import tasknames

    if ARGV is not None:  # the modelsync command
        tasknames.set_names({name: f"modelsync {name}" for name in TASKS})
        return
    names: dict[str, str] = {}
    root = _running_collection(c)
    if root is not None:
        # By the task's function: Invoke copies the collections (and tasks) it loads.
        own = {id(t.body): name for name, t in TASKS.items()}
        for path, found in _walk(root):
            if id(found.body) in own:
                names.setdefault(own[id(found.body)], f"invoke {path}")
    tasknames.set_names(names)


def _settings(c: Context, flag_names: dict[str, str] | None = None, **flags: Any) -> Settings:
    name_tasks(c)
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
    SIGTERM ends like Ctrl-C (:mod:`modelsync.util.signals`).

    ``json_failure``: with ``--json``, builds the document printed on stdout when the run
    fails, from the error line, so that a bot parsing stdout always gets one;
    ``text_failure`` likewise for another format (Markdown).
    """
    from ..util.signals import TERMINATED_EXIT, Terminated, sigterm_as_interrupt

    try:
        with sigterm_as_interrupt():
            yield
    except ModelsyncError as exc:
        from ..util.text import escape

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
    from .flags import check_values_given

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


#: Every modelsync task by its name, as the decorator made it (for :func:`name_tasks`).
TASKS: dict[str, _Task] = {}


def _task(**kwargs: Any) -> Callable[[Callable[..., None]], _Task]:
    make: Callable[[Callable[..., None]], _Task] = task(
        klass=_Task, auto_shortflags=False, incrementable=["verbose"], **kwargs
    )

    def decorator(body: Callable[..., None]) -> _Task:
        made = make(body)
        TASKS[made.name.replace("_", "-")] = made  # as Invoke lists it: clear-cache
        return made

    return decorator


_COMMON = {
    "config-dir": "Directory of the provider YAML files, relative to the project root "
    "(default: modelsync.config_dir, config/models).",
    "verbose": "More log output on stderr: -v info, -vv debug (with HTTP retries).",
    "quiet": "Only errors on stderr; no summary on stdout.",
}

_PROVIDER_FLAGS = {"providers": "--provider", "exclude": "--exclude"}


def _json_dumps(data: Any) -> str:
    """JSON for stdout: readable UTF-8, but a lone surrogate (a catalog id may hold one,
    ``"\\ud800"``), which no UTF-8 stream can carry, as its ``\\uXXXX`` escape."""
    text = json.dumps(data, indent=2, ensure_ascii=False, default=str)
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


_SURROGATE = re.compile("[\ud800-\udfff]")
