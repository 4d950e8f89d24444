"""Mutation testing of modelsync's core: mutmut over one module with the quick tests it uses.

    python mutation/run.py sync.merge                # one module
    python mutation/run.py sync.merge model.mapping  # several, one after the other
    python mutation/run.py --core                  # every module of the core
    python mutation/run.py sync.merge --survivors   # and list the surviving mutants
    python mutation/run.py --list                  # the modules and their tests
    python mutation/run.py sync.merge --no-run # score the last run again

Each module runs in its own copy of the repository under ``mutation/.work/<module>/``
(mutmut writes its ``mutants/`` tree there, never in the work tree), with the
``[tool.mutmut]`` settings of ``pyproject.toml`` plus two of its own: ``only_mutate``
(the module) and ``pytest_add_cli_args_test_selection`` (its tests, from ``TESTS``
below). mutmut runs only the tests that reach the mutated function, so the tests listed
for a module bound the run's time, not its verdicts' honesty: a mutant they do not
reach counts as "not reached", never as killed.

Mutants that no input can tell from the original are listed, each with the reason, in
``mutation/equivalents.txt``; they are counted apart and left out of the score:
``score = killed / (mutants - equivalents)``. A listed mutant that is killed is
reported as a stale entry. The table (Markdown) goes to standard output and, with
``--output FILE``, to a file. ``docs/testing.md`` keeps the last measured scores.

A mutant run is CPU-heavy: ``--max-children`` (default 1) bounds the processes.
"""

from __future__ import annotations

import argparse
import datetime
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "mutation" / ".work"
EQUIVALENTS = ROOT / "mutation" / "equivalents.txt"
MUTMUT = Path(sys.executable).parent / "mutmut"

#: module (dotted, under modelsync: ``sync.merge`` is modelsync/sync/merge.py) -> the
#: quick test files that exercise it.
TESTS: dict[str, tuple[str, ...]] = {
    "sync.merge": (
        "tests/unit/sync/test_merge_mutants.py",
        "tests/unit/sync/test_merge_contract.py",
        "tests/unit/sync/test_merge_edge_cases.py",
        "tests/unit/report/test_report.py",
    ),
    "sync.plan": (
        "tests/unit/sync/test_plan_mutants.py",
        "tests/unit/sync/test_plan_reports.py",
        "tests/unit/sync/test_merge_mutants.py",
        "tests/unit/sync/test_merge_contract.py",
        "tests/unit/sync/test_merge_edge_cases.py",
        "tests/unit/report/test_report.py",
    ),
    "model.mapping": (
        "tests/unit/model/test_mapping_mutants.py",
        "tests/unit/model/test_mapping.py",
        "tests/unit/model/test_catalog_mapping.py",
    ),
    "sync.guards": ("tests/unit/sync/test_guards_mutants.py", "tests/test_sources.py"),
    "sync.source": (
        "tests/unit/sync/test_source_mutants.py",
        "tests/unit/sync/test_source_bundled.py",
        "tests/test_sources.py",
        "tests/unit/upstream/test_fetch.py",
    ),
    "upstream.fetch": (
        "tests/unit/upstream/test_fetch_mutants.py",
        "tests/unit/upstream/test_fetch_decisions.py",
        "tests/unit/sync/test_source_bundled.py",
        "tests/unit/sync/test_source_mutants.py",
        "tests/unit/upstream/test_fetch.py",
        "tests/test_sources.py",
    ),
    "use.cost": (
        "tests/unit/use/test_cost_mutants.py",
        "tests/unit/use/test_cost.py",
        "tests/unit/use/test_cost_units.py",
        "tests/test_cost_requests.py",
    ),
    "use.router": (
        "tests/unit/use/test_router_mutants.py",
        "tests/unit/use/test_router.py",
        "tests/test_routing_tasks.py",
        "tests/test_route_requests.py",
        "tests/test_fit.py",
    ),
    "use.learn": (
        "tests/unit/use/test_learn_mutants.py",
        "tests/unit/use/test_learn.py",
        "tests/test_learn_once.py",
    ),
    "use.learnfile": (
        "tests/unit/use/test_learnfile_mutants.py",
        "tests/test_learn_once.py",
    ),
    "sync.attention": (
        "tests/unit/sync/test_attention_mutants.py",
        "tests/unit/sync/test_attention.py",
        "tests/test_attention_cost.py",
    ),
}

#: The order of ``--core``.
CORE = tuple(TESTS)

#: mutmut's words for a mutant's fate, grouped the way the table counts them.
KILLED = {"killed", "timeout", "caught by type check"}
SURVIVED = {"survived", "suspicious"}
NOT_REACHED = {"no tests"}


@dataclass
class Score:
    module: str
    statuses: dict[str, str] = field(default_factory=dict)
    equivalents: set[str] = field(default_factory=set)
    seconds: float = 0.0

    def _count(self, kinds: set[str], *, equivalent: bool | None = None) -> int:
        return sum(
            1
            for name, status in self.statuses.items()
            if status in kinds and (equivalent is None or (name in self.equivalents) == equivalent)
        )

    @property
    def mutants(self) -> int:
        return len(self.statuses)

    @property
    def killed(self) -> int:
        return self._count(KILLED)

    @property
    def survived(self) -> int:
        return self._count(SURVIVED, equivalent=False)

    @property
    def not_reached(self) -> int:
        return self._count(NOT_REACHED, equivalent=False)

    @property
    def equivalent(self) -> int:
        return self._count(SURVIVED | NOT_REACHED, equivalent=True)

    @property
    def other(self) -> int:
        return self.mutants - self.killed - self.survived - self.not_reached - self.equivalent

    @property
    def stale(self) -> list[str]:
        """Listed as equivalent, yet killed: the list is out of date."""
        return sorted(n for n, s in self.statuses.items() if s in KILLED and n in self.equivalents)

    @property
    def score(self) -> float:
        real = self.mutants - self.equivalent
        return 100.0 * self.killed / real if real else 100.0

    def survivors(self) -> list[str]:
        return sorted(
            f"{name} ({status})"
            for name, status in self.statuses.items()
            if status not in KILLED and name not in self.equivalents
        )


def read_equivalents(path: Path = EQUIVALENTS) -> dict[str, str]:
    """``mutant name -> reason``; lines ``name  reason``, ``#`` comments, blank lines."""
    out: dict[str, str] = {}
    if not path.exists():
        return out
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, reason = line.partition(" ")
        if not reason.strip():
            sys.exit(f"{path}:{number}: {name} has no reason; an equivalent mutant needs one")
        out[name] = reason.strip()
    return out


def _toml_list(values: tuple[str, ...] | list[str]) -> str:
    return "[" + ", ".join(f'"{v}"' for v in values) + "]"


def _path(module: str) -> str:
    """``sync.merge`` -> ``modelsync/sync/merge.py``."""
    return f"modelsync/{module.replace('.', '/')}.py"


def prepare(module: str) -> Path:
    """A fresh copy of what the run needs, with the module's own mutmut settings."""
    work = WORK / module
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis")
    shutil.copytree(ROOT / "modelsync", work / "modelsync", ignore=ignore)
    # The schemas are installed as the package modelsync.schemas (package-dir): in the
    # copy they live where a plain import finds them.
    shutil.copytree(ROOT / "schemas", work / "modelsync" / "schemas", ignore=ignore)
    shutil.copytree(ROOT / "tests", work / "tests", ignore=ignore)
    # Tests of the tasks copy tasks.py next to the files they make, and some read the
    # README and the docs: they find them where they would in the repository (mutmut
    # copies them on into its mutants/ tree: also_copy below).
    extra = [n for n in ("tasks.py", "invoke.yaml", "README.md") if (ROOT / n).exists()]
    for name in extra:
        shutil.copy2(ROOT / name, work / name)
    shutil.copytree(ROOT / "docs", work / "docs", ignore=ignore)
    tests = [t for t in TESTS[module] if (ROOT / t).exists()]
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    own = (
        f"only_mutate = {_toml_list([_path(module)])}\n"
        f"pytest_add_cli_args_test_selection = {_toml_list(tests)}\n"
        f"also_copy = {_toml_list([*extra, 'docs/'])}\n"
    )
    pyproject, found = re.subn(r"^\[tool\.mutmut\]\n", lambda m: m.group(0) + own, pyproject,
                               flags=re.M)  # fmt: skip
    if not found:
        sys.exit("pyproject.toml has no [tool.mutmut] table")
    (work / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    return work


def statuses(work: Path) -> dict[str, str]:
    out = subprocess.run(
        [str(MUTMUT), "results", "--all", "true"],
        cwd=work,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found: dict[str, str] = {}
    for line in out.splitlines():
        name, sep, status = line.strip().rpartition(": ")
        if sep and name.startswith("modelsync."):
            found[name] = status
    return found


def measure(
    module: str, max_children: int, equivalents: dict[str, str], *, run_mutmut: bool = True
) -> Score:
    if module not in TESTS:
        sys.exit(f"unknown module {module!r}; known: {', '.join(TESTS)}")
    prefix = f"modelsync.{module}."
    listed = {n for n in equivalents if n.startswith(prefix)}
    work = WORK / module
    if not run_mutmut:
        if not (work / "mutants").is_dir():
            sys.exit(f"no earlier run of {module} in {work}: run it first")
        found = {n: s for n, s in statuses(work).items() if n.startswith(prefix)}
        return Score(module, found, listed)
    work = prepare(module)
    start = time.monotonic()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    run = subprocess.run(
        [str(MUTMUT), "run", "--max-children", str(max_children)],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
    )
    seconds = time.monotonic() - start
    (work / "mutmut-run.log").write_text(run.stdout + run.stderr, encoding="utf-8")
    if run.returncode != 0:
        tail = "\n".join((run.stdout + run.stderr).splitlines()[-20:])
        sys.exit(f"mutmut failed for {module} (log: {work / 'mutmut-run.log'}):\n{tail}")
    found = {n: s for n, s in statuses(work).items() if n.startswith(prefix)}
    return Score(module, found, listed, seconds)


def table(scores: list[Score]) -> str:
    lines = [
        "| module | mutants | killed | survived | not reached | equivalents | score |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for s in scores:
        lines.append(
            f"| `{_path(s.module)}` | {s.mutants} | {s.killed} | {s.survived} | {s.not_reached} "
            f"| {s.equivalent} | {s.score:.1f}% |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help=f"modules to measure ({', '.join(TESTS)})")
    parser.add_argument("--core", action="store_true", help="measure every core module")
    parser.add_argument("--max-children", type=int, default=1, help="parallel mutants (1)")
    parser.add_argument("--output", type=Path, help="also write the Markdown table here")
    parser.add_argument("--survivors", action="store_true", help="list surviving mutants")
    parser.add_argument("--list", action="store_true", help="show modules and their tests")
    parser.add_argument(
        "--no-run",
        action="store_true",
        help="score the last run again (after editing mutation/equivalents.txt)",
    )
    args = parser.parse_args(argv)
    if args.list:
        for module, tests in TESTS.items():
            print(f"{module}: {' '.join(tests)}")
        return 0
    modules = list(CORE) if args.core else args.modules
    if not modules:
        parser.error("name a module or pass --core")
    unknown = [m for m in modules if m not in TESTS]
    if unknown:
        parser.error(f"unknown module {unknown[0]!r}; known: {', '.join(TESTS)}")
    if not MUTMUT.exists():
        parser.error(
            f"mutmut is not installed beside {sys.executable}: pip install -e '.[test,mutation]'"
        )
    equivalents = read_equivalents()
    scores = []
    for module in modules:
        doing = "scoring the last run of" if args.no_run else "mutating"
        print(f"{doing} {_path(module)} ...", file=sys.stderr, flush=True)
        score = measure(module, args.max_children, equivalents, run_mutmut=not args.no_run)
        scores.append(score)
        if not args.no_run:
            print(f"  {score.mutants} mutants in {score.seconds:.0f} s", file=sys.stderr)
        for name in score.stale:
            print(f"  stale equivalent (killed): {name}", file=sys.stderr)
        if score.other:
            print(f"  {score.other} mutants neither killed nor survived", file=sys.stderr)
        if args.survivors:
            for line in score.survivors():
                print(f"  survivor: {line}", file=sys.stderr)
    today = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")
    text = f"{table(scores)}\n\nMeasured {today} with `python mutation/run.py`.\n"
    print(text)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
