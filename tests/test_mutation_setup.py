"""The mutation-testing setup a newcomer reruns (docs/testing.md): every module it names
and every test file it runs exist, every mutant listed as equivalent names a function of
a measured module and says why, and the documented scores cover the core, each >= 90%."""

from __future__ import annotations

import ast
import importlib.util
import re
import subprocess
import sys
from functools import cache
from pathlib import Path
from types import ModuleType

from .conftest import ROOT

MUTANT = re.compile(
    r"^modelsync\.(?P<module>[\w.]+)\.x(?:ǁ(?P<cls>\w+)ǁ|_)(?P<fn>\w+)__mutmut_\d+$"
)


@cache
def runner() -> ModuleType:
    spec = importlib.util.spec_from_file_location("mutation_run", ROOT / "mutation" / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def functions(path: Path) -> set[str]:
    """``name`` of each module-level function and ``Class.name`` of each method."""
    out: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            out.add(node.name)
        elif isinstance(node, ast.ClassDef):
            out.update(
                f"{node.name}.{item.name}"
                for item in node.body
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
            )
    return out


def test_every_measured_module_and_its_tests_exist() -> None:
    tests: dict[str, tuple[str, ...]] = runner().TESTS
    assert len(tests) >= 11
    for module, files in tests.items():
        assert (ROOT / "modelsync" / (module.replace(".", "/") + ".py")).is_file(), module
        assert files, f"{module}: no test file"
        for name in files:
            assert (ROOT / name).is_file(), f"{module}: {name} does not exist"


def test_every_equivalent_mutant_names_a_function_of_a_measured_module_and_a_reason() -> None:
    run = runner()
    listed: dict[str, str] = run.read_equivalents()
    assert listed, "mutation/equivalents.txt lists no mutant"
    for name, reason in listed.items():
        match = MUTANT.match(name)
        assert match, f"{name}: not a mutmut mutant name"
        module = match["module"]
        assert module in run.TESTS, f"{name}: {module} is not measured by mutation/run.py"
        fn = match["fn"] if match["cls"] is None else f"{match['cls']}.{match['fn']}"
        path = ROOT / "modelsync" / (module.replace(".", "/") + ".py")
        assert fn in functions(path), f"{name}: {path.name} has no function {fn}"
        assert len(reason.split()) >= 5, f"{name}: the reason says too little: {reason!r}"
        assert "slower" not in reason, f"{name}: only slower is not equivalent"


def test_the_documented_scores_cover_every_core_module_at_90_percent() -> None:
    text = (ROOT / "docs" / "testing.md").read_text(encoding="utf-8")
    rows = {
        m["path"]: float(m["score"])
        for m in re.finditer(
            r"^\| `(?P<path>[\w/]+\.py)` \|(?:[^|\n]*\|){5} (?P<score>[\d.]+)% \|", text, re.M
        )
    }
    expected = {module.replace(".", "/") + ".py" for module in runner().TESTS}
    assert set(rows) == expected
    low = {path: score for path, score in rows.items() if score < 90}
    assert not low, f"below 90%: {low}"
    assert re.search(r"^Measured \d{4}-\d\d-\d\d", text, re.M), "the scores carry no date"


def test_the_runner_lists_the_modules_a_newcomer_can_run() -> None:
    listed = subprocess.run(
        [sys.executable, str(ROOT / "mutation" / "run.py"), "--list"],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    names = [line.split(":", 1)[0] for line in listed.stdout.splitlines() if line]
    assert names == list(runner().TESTS)
