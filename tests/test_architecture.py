"""docs/architecture.md names every module, and only modules that exist; modules stay
small enough to read in one sitting."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

from .conftest import ROOT

PACKAGE = ROOT / "modelsync"


def _packages() -> set[str]:
    return {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}


def _layers_in_docs() -> list[str]:
    text = (ROOT / "docs" / "architecture.md").read_text()
    table = text.split("<!-- layers", 1)[1].split("\n\n", 1)[0]
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    return [re.sub(r"\s*\\\|\s*", " | ", row.split("`", 2)[1].replace("\\", "")) for row in rows]


def _layers_in_contract() -> list[str]:
    text = (ROOT / "pyproject.toml").read_text()
    block = text.split('type = "layers"', 1)[1].split("\nlayers = [", 1)[1].split("]", 1)[0]
    return re.findall(r'"([^"]+)",', block)


def test_the_architecture_map_names_every_package_and_module() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text()
    named = set(re.findall(r"`([a-z_]+(?:\.py|/))`", text))
    top = {p.name for p in PACKAGE.glob("*.py")}
    packages = {f"{name}/" for name in _packages() if name not in ("data", "schemas")}
    assert (top | packages) - named == set(), "missing from docs/architecture.md"
    inner = {p.name for name in _packages() for p in (PACKAGE / name).glob("*.py")}
    for name in _packages():
        for module in (PACKAGE / name).glob("*.py"):
            if module.name != "__init__.py":
                assert module.name in named, f"{name}/{module.name} missing from the map"
    other = {"schemas/", "tests/"}  # the JSON Schemas (data), the tests
    assert named - top - packages - inner - other == set(), (
        "the map names modules that do not exist"
    )


def test_the_map_and_the_import_contract_have_the_same_layers() -> None:
    assert _layers_in_docs() == _layers_in_contract()
    layered = {part.strip() for layer in _layers_in_contract() for part in layer.split("|")}
    top = {p.stem for p in PACKAGE.glob("*.py")} - {"__init__"}
    assert layered == top | (_packages() - {"data", "schemas"})


def test_the_import_contracts_hold() -> None:
    """No package imports a layer above it (every import counts: type-only and
    function-local ones too), so no module imports one that imports it back across
    packages."""
    lint = Path(sys.executable).with_name("lint-imports")
    out = subprocess.run(
        [str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stdout[-3000:]
    assert "0 broken" in out.stdout


def test_the_top_level_holds_the_public_api_and_few_modules() -> None:
    assert len(list(PACKAGE.glob("*.py"))) <= 12


def test_every_package_is_in_the_wheel() -> None:
    text = (ROOT / "pyproject.toml").read_text()
    listed = set(
        re.findall(r'"(modelsync(?:\.\w+)?)"', text.split("packages = [", 1)[1].split("]")[0])
    )
    data = {"modelsync.data", "modelsync.schemas"}  # the bundled snapshot, the JSON Schemas
    assert listed == {"modelsync"} | {f"modelsync.{name}" for name in _packages()} | data


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


def _imports() -> dict[str, set[str]]:
    """Every import of one modelsync module by another: module level, inside functions
    and under ``TYPE_CHECKING`` alike."""
    modules = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = path
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*up, *([node.module] if node.module else [])])
                targets = [
                    f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base
                    for a in node.names
                ]
            else:
                continue
            for target in targets:
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target != name:
                    graph[name].add(target)
    return graph


def test_no_module_imports_one_that_imports_it_back() -> None:
    """No import cycle of any length, within a package or across packages."""
    graph = _imports()
    done: set[str] = set()
    cycles = []

    def visit(name: str, path: list[str]) -> None:
        if name in path:
            cycles.append(" -> ".join([*path[path.index(name) :], name]))
            return
        if name in done:
            return
        for target in sorted(graph[name]):
            visit(target, [*path, name])
        done.add(name)

    for name in sorted(graph):
        visit(name, [])
    assert cycles == []
