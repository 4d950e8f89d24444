"""The ``modelsync`` command: the same tasks without a ``tasks.py`` (``modelsync sync``).

It reads the same project configuration ``invoke`` would: the ``invoke.yaml`` (or
``.yml``/``.json``) beside the nearest ``tasks.py`` above the current directory, else the
nearest ``invoke.yaml``. So ``modelsync <task>`` and ``invoke <task>`` behave alike in
the same directory, and the pre-commit hook checks what ``invoke validate`` checks.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

from invoke.config import Config
from invoke.env import Environment
from invoke.exceptions import Exit, ParseError
from invoke.program import Program

from . import tasks
from ._version import __version__
from .entry import kit as taskkit
from .projectfile import find_project_root


class _Environment(Environment):
    """Invoke's environment loader, minus the ``modelsync`` namespace: modelsync reads
    ``INVOKE_MODELSYNC_*`` itself, in the forms people write (Invoke would read
    ``false`` as true and refuse lists)."""

    def _crawl(self, key_path: list[str], env_vars: Any) -> dict[str, Any]:
        if key_path[:1] == ["modelsync"]:
            return {}
        crawled: dict[str, Any] = super()._crawl(key_path, env_vars)
        return crawled


class _Config(Config):
    def load_shell_env(self) -> None:
        self.merge()
        self._set(_env=_Environment(config=self, prefix=self._env_prefix).load())
        self.merge()


class _Program(Program):
    """Invoke's program with the project configuration loaded and usage errors as one
    ``modelsync: error:`` line with exit 2."""

    def parse_collection(self) -> None:
        super().parse_collection()
        root = find_project_root()
        if root is not None:
            self.config.set_project_location(str(root))
            try:
                self.config.load_project()
            except Exception as exc:  # any parse error of the user's file
                raise Exit(
                    f"modelsync: error: {root}/invoke.*: cannot read the project "
                    f"configuration: {str(exc).splitlines()[0] if str(exc) else exc}",
                    code=2,
                ) from None

    def parse_core(self, argv: list[str] | None) -> None:
        try:
            super().parse_core(argv)
        except ParseError as exc:
            raise Exit(f"modelsync: error: {exc}", code=2) from None

    def parse_tasks(self) -> None:
        try:
            super().parse_tasks()
        except ParseError as exc:
            raise Exit(f"modelsync: error: {exc}", code=2) from None


def main(argv: Sequence[str] | None = None) -> None:
    """Run ``modelsync <task> [flags]``."""
    args = list(argv) if argv is not None else sys.argv[1:]
    taskkit.ARGV = args
    program = _Program(
        namespace=tasks.ns,
        version=__version__,
        name="modelsync",
        binary="modelsync",
        config_class=_Config,
    )
    program.run(["modelsync", *args])


if __name__ == "__main__":  # pragma: no cover
    main()
