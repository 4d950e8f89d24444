"""How the running program calls modelsync's tasks, for messages that name one.

A message such as "(invoke models lists the models)" must name a command that exists
where it is read: ``invoke catalog.models`` in a repository that mounts the tasks as
``catalog``, ``invoke models`` where they are at top level, ``modelsync models`` under
the ``modelsync`` command and for the Python API (the command that works anywhere).
The tasks set the names when they start (:func:`modelsync.entry.kit.name_tasks`); library
code asks :func:`command`.
"""

from __future__ import annotations

from collections.abc import Mapping

#: task name (``validate``) -> the command that runs it here (``invoke catalog.validate``).
_NAMES: dict[str, str] = {}


def command(task: str) -> str:
    """The command that runs ``task`` (``validate``, ``models``...) in this program."""
    return _NAMES.get(task, f"modelsync {task}")


def set_names(names: Mapping[str, str]) -> None:
    """Record how this program calls each task (replacing what was recorded)."""
    _NAMES.clear()
    _NAMES.update(names)
