"""modelsync's public names: one map of lazily imported names, mirrored for type checkers."""

from __future__ import annotations

import ast
import subprocess
import sys

import modelsync

from .conftest import ROOT


def test_the_type_checking_imports_mirror_the_lazy_names() -> None:
    tree = ast.parse((ROOT / "modelsync" / "__init__.py").read_text())
    (block,) = [n for n in tree.body if isinstance(n, ast.If)]
    typed = {
        (node.module, alias.name)
        for node in block.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    lazy = {(module, name) for name, module in modelsync._LAZY.items()}
    assert typed == lazy


def test_every_public_name_resolves_and_nothing_else_is_listed() -> None:
    for name in modelsync.__all__:
        assert getattr(modelsync, name) is not None, name
    assert "ModelsyncError" in modelsync.__all__ and "sync_if_needed" in modelsync.__all__
    assert len(modelsync.__all__) == len(set(modelsync.__all__))


def test_importing_modelsync_imports_no_public_module_yet() -> None:
    code = (
        "import sys, modelsync; print(sorted(m for m in sys.modules if m.startswith('modelsync.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['modelsync._version', 'modelsync.errors']"


def test_the_errors_are_public_and_only_they_besides_the_lazy_names() -> None:
    from modelsync import errors

    defined = {
        n
        for n, v in vars(errors).items()
        if isinstance(v, type) and v.__module__ == errors.__name__
    }
    assert set(modelsync.__all__) == defined | set(modelsync._LAZY) | {"__version__"}
