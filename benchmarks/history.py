"""The time of one model's price history over a year of daily syncs (whole processes and
in process, medians), and of a cost at a date in the middle of that year.

    python benchmarks/history.py            # 7 runs each
    python benchmarks/history.py --quick    # 3 runs

Generates a git repository (``git fast-import``) of 365 daily commits of ``openai.yml``
(synced from the newest snapshot in tests/data): each day one model's ``last_updated``
changes, and every 30 days ``gpt-5``'s input price. Results: docs/history.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "benchmarks" / ".work" / "history"
DAYS = 365
MODEL = "gpt-5"


def build(repo: Path) -> None:
    import modelsync
    from modelsync import yamlio

    shutil.rmtree(WORK, ignore_errors=True)
    repo.mkdir(parents=True)
    catalog = json.loads(gzip.decompress((ROOT / "tests/data/api-2026-05-21.json.gz").read_bytes()))
    (WORK / "api.json").write_text(json.dumps({"openai": catalog["openai"]}))
    config = repo / "config" / "models"
    modelsync.sync_to_configs(
        config_dir=str(config), source=str(WORK / "api.json"), cache_dir=str(WORK / "cache")
    )
    doc = yamlio.load((config / "openai.yml").read_bytes())
    ids = sorted(doc["models"])
    start = dt.datetime(2025, 6, 1, 6, 0, tzinfo=dt.timezone.utc)
    stream = []
    for day in range(DAYS):
        when = start + dt.timedelta(days=day)
        doc["models"][ids[day % len(ids)]]["last_updated"] = when.strftime("%Y-%m-%d")
        if day % 30 == 0:
            doc["models"][MODEL]["pricing"]["input"] = 1.0 + day / 100
        data = yamlio.dump(doc).encode()
        stamp = f"{int(when.timestamp())} +0000"
        message = b"sync"
        stream.append(
            b"commit refs/heads/main\n"
            + f"committer bench <b@example.com> {stamp}\n".encode()
            + f"data {len(message)}\n".encode() + message + b"\n"
            + f"M 100644 inline config/models/openai.yml\ndata {len(data)}\n".encode()
            + data + b"\n"
        )  # fmt: skip
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    subprocess.run(["git", "fast-import", "--quiet"], cwd=repo, input=b"".join(stream), check=True)
    subprocess.run(["git", "checkout", "-q", "-f", "main"], cwd=repo, check=True)


def timed(cmd: list[str], repo: Path, runs: int) -> str:
    """Median wall time and median CPU time (user + system, which load from other work
    on the machine hardly changes) of ``runs`` runs of a process."""
    walls, cpus = [], []
    for _ in range(runs):
        t = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=repo, stdout=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        walls.append(time.perf_counter() - t)
        cpus.append(usage.ru_utime + usage.ru_stime)
        assert os.waitstatus_to_exitcode(status) == 0, cmd
    return f"{statistics.median(walls):.3f} s (CPU {statistics.median(cpus):.3f} s)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    runs = 3 if parser.parse_args().quick else 7
    repo = WORK / "repo"
    build(repo)
    os.environ.pop("INVOKE_MODELSYNC_CONFIG_DIR", None)
    # An absolute --config-dir: this repository's own tasks.py would otherwise be the
    # project root of a repository generated under it.
    config = str(repo / "config" / "models")
    cli = [sys.executable, "-m", "modelsync.cli"]
    history = [*cli, "history", "--config-dir", config, "--provider", "openai", "--model", MODEL]
    history.append("--json")
    found = json.loads(subprocess.run(history, cwd=repo, capture_output=True, check=True).stdout)
    prices = [c for c in found["changes"] if c["field"] == "pricing.input"]
    code = (
        "import resource, time, modelsync\n"
        "def cpu():\n"
        "    me, kids = (resource.getrusage(w) for w in (resource.RUSAGE_SELF, "
        "resource.RUSAGE_CHILDREN))\n"
        "    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime\n"
        "t, c = time.perf_counter(), cpu()\n"
        f"modelsync.model_history('openai', {MODEL!r}, config_dir='config/models')\n"
        "print(time.perf_counter() - t, cpu() - c)\n"
    )
    measured = [
        subprocess.run(
            [sys.executable, "-c", code], cwd=repo, capture_output=True, check=True, text=True
        ).stdout.split()
        for _ in range(runs)
    ]
    inner = (
        f"{statistics.median(float(m[0]) for m in measured):.3f} s "
        f"(CPU {statistics.median(float(m[1]) for m in measured):.3f} s, git included)"
    )
    cost = [*cli, "cost", "--config-dir", config, "--provider", "openai", "--model", MODEL]
    cost += ["--input", "100k"]
    every = [*cli, "history", "--config-dir", config, "--provider", "openai", "--json"]
    found_text = f"{len(found['changes'])} ({len(prices)})"
    rows = [
        ("commits of openai.yml", str(DAYS)),
        (f"{MODEL}: changes found (input price changes)", found_text),
        (f"`modelsync history --provider openai --model {MODEL}` (process)", history),
        ("`model_history()` in process", inner),
        ("`modelsync cost --at 2025-12-01` (process)", [*cost, "--at", "2025-12-01"]),
        ("`modelsync cost` (today, process)", cost),
        ("`modelsync history --provider openai` (every model, process)", every),
    ]
    print(f"median of {runs} runs")
    for name, value in rows:
        if isinstance(value, list):
            value = timed(value, repo, runs)
        print(
            f"| {name} | {value:.3f} s |" if isinstance(value, float) else f"| {name} | {value} |"
        )


if __name__ == "__main__":
    main()
