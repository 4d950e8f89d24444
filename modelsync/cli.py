"""The ``modelsync`` command: the same tasks without a ``tasks.py`` (``modelsync sync``)."""

from __future__ import annotations

from collections.abc import Sequence

from invoke.program import Program

from . import __version__
from .tasks import ns


def main(argv: Sequence[str] | None = None) -> None:
    """Run ``modelsync <task> [flags]``; reads ``invoke.yaml`` like ``invoke`` does."""
    program = Program(namespace=ns, version=__version__, name="modelsync", binary="modelsync")
    program.run(list(argv) if argv is not None else None)


if __name__ == "__main__":  # pragma: no cover
    main()
