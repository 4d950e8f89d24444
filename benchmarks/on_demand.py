"""The cost of ``modelsync.sync_if_needed()`` when the last sync is fresh, against an empty
``import modelsync`` measured in the same run (whole processes, medians).

    python benchmarks/on_demand.py            # 9 runs each
    python benchmarks/on_demand.py --quick    # 3 runs

Sets up a config directory synced from the snapshot in tests/data, then times a fresh
interpreter that imports modelsync, and one that also calls ``sync_if_needed`` (which
must find the record fresh: no request, no provider file read), in a project without
and with an ``invoke.yaml``. Results: docs/performance.md.
"""

from __future__ import annotations

import argparse
import gzip
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "benchmarks" / ".work" / "on-demand"


def timed(code: str, env: dict[str, str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], env=env, check=True, cwd=WORK)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    runs = 3 if args.quick else 9
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    # A project of its own: the API reads the invoke.yaml of the project it runs in.
    (WORK / "tasks.py").write_text('"""Marks this directory as a project of its own."""\n')
    source = WORK / "api.json"
    source.write_bytes(gzip.decompress((ROOT / "tests/data/api-2026-05-21.json.gz").read_bytes()))
    env = {**os.environ, "XDG_CACHE_HOME": str(WORK / "cache")}
    setup = f"import modelsync; modelsync.sync_to_configs(source={str(source)!r})"
    subprocess.run([sys.executable, "-c", setup], env=env, check=True, cwd=WORK)
    check = f"import modelsync; assert modelsync.sync_if_needed(source={str(source)!r}) is None"
    subprocess.run([sys.executable, "-c", check], env=env, check=True, cwd=WORK)
    empty = timed("import modelsync", env, runs)
    fresh = timed(check, env, runs)
    (WORK / "invoke.yaml").write_text("modelsync:\n  config_dir: config/models\n")
    with_file = timed(check, env, runs)
    print(f"| import modelsync | {empty:.3f} s | baseline |")
    print(f"| sync_if_needed(), last sync fresh | {fresh:.3f} s | {fresh / empty:.2f}x |")
    print(
        "| sync_if_needed(), last sync fresh, project with invoke.yaml "
        f"| {with_file:.3f} s | {with_file / empty:.2f}x |"
    )


if __name__ == "__main__":
    main()
