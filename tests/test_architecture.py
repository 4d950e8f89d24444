"""docs/architecture.md names every module, and only modules that exist; modules stay
small enough to read in one sitting."""

from __future__ import annotations

import ast
import re

from .conftest import ROOT

PACKAGE = ROOT / "modelsync"


def _modules() -> set[str]:
    top = {p.name for p in PACKAGE.glob("*.py")}
    packages = {f"{p.name}/" for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    return top | packages


def test_the_architecture_map_names_every_module() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text()
    named = set(re.findall(r"`([a-z_]+(?:\.py|/))`", text))
    modules = _modules()
    assert modules - named == set(), "modules missing from docs/architecture.md"
    inner = {
        f"{p.name}" for pkg in ("yamlio", "live", "audit") for p in (PACKAGE / pkg).glob("*.py")
    }
    data = {"schemas/"}  # the JSON Schemas, installed as data
    missing = named - modules - inner - data
    assert missing == set(), "docs/architecture.md names modules that do not exist"


def test_no_module_is_over_400_lines() -> None:
    sizes = {
        str(p.relative_to(ROOT)): len(p.read_text().splitlines()) for p in PACKAGE.rglob("*.py")
    }
    assert {name: n for name, n in sizes.items() if n > 400} == {}


def test_long_functions_say_why() -> None:
    """Over 50 lines, a function says why in its docstring (or, for a task, whose
    docstring is its help text, in a ``# Long:`` comment)."""
    long = []
    for path in PACKAGE.rglob("*.py"):
        source = path.read_text()
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                doc = (ast.get_docstring(node) or "").lower()
                body = "\n".join(source.splitlines()[node.lineno - 1 : node.end_lineno])
                if length > 50 and "long on purpose" not in doc and "# Long:" not in body:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({length})")
    assert long == []
