"""Ratios to a baseline, from runs interleaved with it: the catalog tasks against a no-op
sync, a cold sync against the straightforward ruamel round trip.

    python benchmarks/interleaved.py            # 11 rounds
    python benchmarks/interleaved.py --quick    # 3 rounds

On a shared machine the load changes from one second to the next, so a ratio of two
medians measured minutes apart says little. Here every round runs each scenario once,
in an order that rotates from round to round, and each ratio is the median over rounds
of the scenario's time divided by its baseline's time in the same round. Wall time and
CPU time (user + system of the child) are both reported; the load average is printed
before and after. Nothing is asserted. Results: docs/performance.md.

Scenarios, on the full newest snapshot in tests/data (served from a loopback HTTP
server, with a warm HTTP cache, as in benchmarks/run.py):

* baseline ``modelsync sync`` with nothing to do, against ``modelsync models`` (the
  whole catalog as a table), ``modelsync route`` and ``modelsync cost``, the catalog
  index warm;
* baseline ``benchmarks/straightforward.py`` writing every file, against a cold
  ``modelsync sync`` (empty config directory, no sync state);
* baseline ``invoke --list`` in a repository whose ``tasks.py`` is this one's, against
  ``invoke sync`` with nothing to do in the same repository (the cost a no-op sync adds
  to starting Invoke).

Bytecode is cached (``PYTHONDONTWRITEBYTECODE`` is cleared for the children), as it is
for an installed package.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from run import PY, ROOT, WORK, modelsync_cmd, prepare_data, reset, serve

Scenario = tuple[str, list[str], Callable[[], None] | None]


def timed(cmd: list[str], env: dict[str, str], cwd: Path = WORK) -> tuple[float, float]:
    """Wall and CPU seconds of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{err.decode()}")
    return wall, usage.ru_utime + usage.ru_stime


def interleave(
    baseline: Scenario,
    others: list[Scenario],
    rounds: int,
    env: dict[str, str],
    cwd: Path = WORK,
) -> None:
    """Run ``baseline`` and ``others`` once per round, rotating their order, and print
    each one's median times and its median ratio to the baseline of the same round."""
    scenarios = [baseline, *others]
    times: dict[str, list[tuple[float, float]]] = {name: [] for name, _, _ in scenarios}
    for i in range(rounds):
        shift = i % len(scenarios)
        for name, cmd, prepare in scenarios[shift:] + scenarios[:shift]:
            if prepare is not None:
                prepare()
            times[name].append(timed(cmd, env, cwd))
    base = times[baseline[0]]
    print("| scenario | wall (median) | ratio, wall | CPU (median) | ratio, CPU |")
    print("| --- | --- | --- | --- | --- |")
    for name, _, _ in scenarios:
        own = times[name]
        wall = statistics.median(t[0] for t in own)
        cpu = statistics.median(t[1] for t in own)
        if name == baseline[0]:
            print(f"| {name} (baseline) | {wall:.3f} s | 1 | {cpu:.3f} s | 1 |")
            continue
        r_wall = statistics.median(a[0] / b[0] for a, b in zip(own, base, strict=True))
        r_cpu = statistics.median(a[1] / b[1] for a, b in zip(own, base, strict=True))
        print(f"| {name} | {wall:.3f} s | {r_wall:.2f}x | {cpu:.3f} s | {r_cpu:.2f}x |")
    print(flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=11)
    parser.add_argument("--quick", action="store_true", help="3 rounds")
    args = parser.parse_args()
    rounds = 3 if args.quick else args.rounds
    prepare_data()
    cache, cfg = WORK / "cache-interleaved", WORK / "cfg-interleaved"
    env = {**os.environ, "XDG_CACHE_HOME": str(cache), "NO_COLOR": "1"}
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        env.pop(var, None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    print(f"load average before: {os.getloadavg()[0]:.2f}, {os.cpu_count()} cores", flush=True)
    with serve(WORK) as base:
        url = f"{base}/api-2026-05-21.json"
        sync = modelsync_cmd("sync", "--source", url, "--config-dir", str(cfg), "-q")
        reset(cfg)
        reset(cache)
        for _ in range(2):  # warm the HTTP cache, write the bytecode
            timed(sync, env)
        models = modelsync_cmd("models", "--config-dir", str(cfg))
        route = modelsync_cmd(
            "route", "--config-dir", str(cfg), "--complexity", "complex",
            "--capability", "vision", "--min-context", "128000", "--limit", "5",
            "--include-unscored",
        )  # fmt: skip
        cost = modelsync_cmd(
            "cost", "--config-dir", str(cfg), "--provider", "anthropic",
            "--model", "claude-opus-4-6", "--input", "250k", "--output", "2k",
        )  # fmt: skip
        for cmd in (models, route, cost):  # build the index
            timed(cmd, env)
        print(f"Using the catalog: {rounds} rounds, full catalog, index warm\n")
        interleave(
            ("no-op sync", sync, None),
            [("models", models, None), ("route", route, None), ("cost", cost, None)],
            rounds,
            env,
        )

        listing = WORK / "list-interleaved"
        reset(listing)
        listing.mkdir(parents=True)
        shutil.copy(ROOT / "tasks.py", listing / "tasks.py")
        invoke_list = [PY, "-m", "invoke", "--list"]
        invoke_sync = [
            PY, "-m", "invoke", "sync", "--source", url, "--config-dir", str(cfg), "-q",
        ]  # fmt: skip
        timed(invoke_sync, env, listing)
        print(f"Starting Invoke: {rounds} rounds, nothing to sync\n")
        interleave(
            ("invoke --list", invoke_list, None),
            [("invoke sync, nothing to do", invoke_sync, None)],
            rounds,
            env,
            cwd=listing,
        )

        straight_dir = WORK / "baseline-out"
        straight = [
            PY,
            str(ROOT / "benchmarks" / "straightforward.py"),
            "api-2026-05-21.json",
            str(straight_dir),
        ]

        def cold() -> None:
            reset(cfg)
            reset(cache / "modelsync" / "state")

        print(f"Cold sync: {rounds} rounds, empty config directory, warm HTTP cache\n")
        interleave(
            ("straightforward cold write", straight, lambda: reset(straight_dir)),
            [("cold sync", sync, cold)],
            rounds,
            env,
        )
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
