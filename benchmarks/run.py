"""modelsync benchmarks: whole processes, medians, ratios against baselines of the same run.

    python benchmarks/run.py            # 5 runs per scenario
    python benchmarks/run.py --quick    # 2 runs, for a smoke test
    invoke bench                        # the same, from this repository

Scenarios are built from the real snapshots in tests/data and served over a loopback
HTTP server, with a warm HTTP cache (the issue's setting). Baselines measured in the same
run: ``json.load`` of the catalog in a fresh interpreter, and the straightforward script
(benchmarks/straightforward.py) that round-trips every file through ruamel.yaml. The
synthetic catalog (10x: every provider copied ten times) checks that time and memory
grow at most linearly. Without network (the default source set to a host name that
does not resolve), a first sync on a fresh machine is compared with ``--offline``, and
an ``--offline`` sync with nothing to do with the cached no-op. Results:
docs/performance.md.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gzip
import http.server
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "benchmarks" / ".work"
DATA = ROOT / "tests" / "data"
PY = sys.executable
SCALE = 10


def modelsync_cmd(*args: str) -> list[str]:
    script = Path(PY).parent / "modelsync"
    head = [str(script)] if script.exists() else [PY, "-m", "modelsync.cli"]
    return [*head, *args]


def run(cmd: list[str], env: dict[str, str], cwd: Path = WORK) -> tuple[float, float]:
    """Wall time (s) and peak resident memory (MB) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0,):
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err.decode()}")
    return elapsed, usage.ru_maxrss / 1024


@contextlib.contextmanager
def serve(directory: Path) -> Iterator[str]:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(directory))
    handler.log_message = lambda *a, **k: None  # type: ignore[attr-defined]
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def prepare_data() -> None:
    WORK.mkdir(parents=True, exist_ok=True)
    # benchmarks/.work is its own project: without a tasks.py of its own, modelsync would
    # take this repository for the project and apply its invoke.yaml (five providers).
    (WORK / "tasks.py").write_text('"""Marks benchmarks/.work as a project of its own."""\n')
    for date in ("2026-03-18", "2026-05-21"):
        target = WORK / f"api-{date}.json"
        if not target.exists():
            target.write_bytes(gzip.decompress((DATA / f"api-{date}.json.gz").read_bytes()))
    big = WORK / f"api-x{SCALE}.json"
    if not big.exists():
        # In a child process: this process must stay small, or every child it forks would
        # start with its memory counted in the child's peak.
        subprocess.run([PY, __file__, "--make-synthetic", str(big)], check=True)


def make_synthetic(target: Path) -> None:
    """The newest catalog with every provider copied SCALE times (ids suffixed -0..-9)."""
    catalog = json.loads((WORK / "api-2026-05-21.json").read_bytes())
    scaled = {f"{pid}-{i}": provider for i in range(SCALE) for pid, provider in catalog.items()}
    target.write_text(json.dumps(scaled))


#: The request `select` and `invoke route` are timed with.
ROUTE = ("complex", ["vision"], 128_000)


def time_select(config_dir: Path) -> None:
    """Print the median milliseconds of `select` calls on a loaded catalog (in a child
    process, so that the benchmark's own process stays small): the same request again
    (its costs are kept per usage), a new usage each call, and the whole ranking."""
    import modelsync

    catalog = modelsync.load_catalog(config_dir=str(config_dir))
    complexity, caps, context = ROUTE

    def median_ms(call: Callable[[int], object], n: int = 51) -> float:
        times = []
        for i in range(n):
            start = time.perf_counter()
            call(i)
            times.append(time.perf_counter() - start)
        return statistics.median(times) * 1000

    kw = {
        "capabilities": caps,
        "min_context": context,
        "catalog": catalog,
        "include_unscored": True,
    }
    same = median_ms(lambda i: modelsync.select(complexity, limit=5, **kw))
    fresh = median_ms(
        lambda i: modelsync.select(
            complexity, usage={"input": 10_000 + i, "output": 1_000}, limit=5, **kw
        )
    )
    everything = median_ms(
        lambda i: modelsync.select(complexity, catalog=catalog, include_unscored=True)
    )
    print(json.dumps({"models": len(catalog), "same": same, "fresh": fresh, "all": everything}))


class Bench:
    def __init__(self, runs: int) -> None:
        self.runs = runs
        self.results: dict[str, tuple[float, float]] = {}
        self.notes: dict[str, str] = {}

    def measure(
        self,
        name: str,
        cmd: list[str],
        env: dict[str, str],
        prepare: Callable[[], None] | None = None,
        cwd: Path = WORK,
    ) -> float:
        times, mems = [], []
        for _ in range(self.runs):
            if prepare:
                prepare()
            t, m = run(cmd, env, cwd)
            times.append(t)
            mems.append(m)
        self.results[name] = (statistics.median(times), max(mems))
        print(f"  {name:<44} {statistics.median(times):8.3f} s {max(mems):7.0f} MB", flush=True)
        return statistics.median(times)

    def t(self, name: str) -> float:
        return self.results[name][0]

    def m(self, name: str) -> float:
        return self.results[name][1]


def reset(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


def copy_tree(src: Path, dst: Path) -> None:
    reset(dst)
    shutil.copytree(src, dst)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="2 runs per scenario")
    parser.add_argument("--make-synthetic", metavar="PATH", help=argparse.SUPPRESS)
    parser.add_argument("--time-select", metavar="CONFIG_DIR", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.make_synthetic:
        make_synthetic(Path(args.make_synthetic))
        return
    if args.time_select:
        time_select(Path(args.time_select))
        return
    bench = Bench(2 if args.quick else args.runs)
    prepare_data()
    cache = WORK / "cache"
    cfg = WORK / "cfg"
    env = {**os.environ, "XDG_CACHE_HOME": str(cache), "NO_COLOR": "1"}
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        env.pop(var, None)
    print(f"Benchmarks, {bench.runs} runs each, median wall time and peak RSS", flush=True)

    with serve(WORK) as base:
        new_url, old_url = f"{base}/api-2026-05-21.json", f"{base}/api-2026-03-18.json"
        big_url = f"{base}/api-x{SCALE}.json"
        reset(cache)

        # Baselines.
        bench.measure(
            "json.load of the catalog (python -c)",
            [PY, "-c", "import json; json.load(open('api-2026-05-21.json'))"],
            env,
        )
        straight = [
            PY,
            str(ROOT / "benchmarks" / "straightforward.py"),
            "api-2026-05-21.json",
            str(WORK / "straight"),
        ]
        bench.measure(
            "straightforward: cold write", straight, env, prepare=lambda: reset(WORK / "straight")
        )
        bench.measure("straightforward: re-sync, nothing changed", straight, env)

        # modelsync, full catalog, warm HTTP cache.
        sync_new = modelsync_cmd("sync", "--source", new_url, "--config-dir", str(cfg), "-q")
        reset(cfg)
        run(sync_new, env)  # warms the HTTP cache

        def cold() -> None:
            reset(cfg)
            reset(cache / "modelsync" / "state")

        bench.measure("modelsync: cold sync (empty config dir)", sync_new, env, prepare=cold)
        bench.measure("modelsync: no-op sync", sync_new, env)

        # Drift: configs synced from 2026-03-18, then synced to 2026-05-21.
        template, state_template = WORK / "cfg-0318", WORK / "state-0318"
        reset(cfg)
        reset(cache / "modelsync" / "state")
        run(modelsync_cmd("sync", "--source", old_url, "--config-dir", str(cfg), "-q"), env)
        copy_tree(cfg, template)
        copy_tree(cache / "modelsync" / "state", state_template)

        def drift() -> None:
            copy_tree(template, cfg)
            copy_tree(state_template, cache / "modelsync" / "state")

        bench.measure("modelsync: drift sync 03-18 -> 05-21", sync_new, env, prepare=drift)
        offline_scenarios(bench, env)
        drift()
        before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in cfg.iterdir()}
        run(sync_new, env)
        after = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in cfg.iterdir()}
        rewritten = sum(1 for n in after if n in before and after[n][1] != before[n][1])
        changed = sum(1 for n in after if n in before and after[n][0] != before[n][0])
        bench.notes["drift"] = (
            f"{changed} existing files changed, {rewritten} rewritten, "
            f"{len(after) - len(before)} new"
        )

        # validate, full catalog.
        validate = modelsync_cmd("validate", "--config-dir", str(cfg), "-q")
        bench.measure("modelsync: validate, no cached results", [*validate, "--no-cache"], env)
        run(validate, env)
        counter = iter(range(10**9))
        target = cfg / "openai.yml"
        original = target.read_bytes()

        def touch_one() -> None:
            target.write_bytes(original + f"# bench {next(counter)}\n".encode())

        bench.measure("modelsync: validate, one file changed", validate, env, prepare=touch_one)
        target.write_bytes(original)

        # Using the catalog: invoke models and invoke route over the full catalog, warm
        # index (the first run after a change of the files builds it), and select in process.
        models = modelsync_cmd("models", "--config-dir", str(cfg))
        complexity, caps, context = ROUTE
        route = modelsync_cmd(
            "route", "--config-dir", str(cfg), "--complexity", complexity,
            "--capability", caps[0], "--min-context", str(context), "--limit", "5",
            "--include-unscored",
        )  # fmt: skip
        bench.measure(
            "modelsync: models, index cold", models, env,
            prepare=lambda: reset(cache / "modelsync" / "index"),
        )  # fmt: skip
        bench.measure("modelsync: models", models, env)
        bench.measure("modelsync: route", route, env)
        timing = subprocess.run(
            [PY, __file__, "--time-select", str(cfg)], env=env, check=True,
            capture_output=True, text=True,
        )  # fmt: skip
        bench.notes["select"] = timing.stdout
        print(f"  select in process: {timing.stdout.strip()}", flush=True)

        # invoke --list.
        listing = WORK / "list-repo"
        listing.mkdir(exist_ok=True)
        shutil.copy(ROOT / "tasks.py", listing / "tasks.py")
        empty = WORK / "empty-repo"
        empty.mkdir(exist_ok=True)
        (empty / "tasks.py").write_text(
            "from invoke import task\n\n\n@task\ndef noop(c):\n    pass\n"
        )
        bench.measure(
            "invoke --list, one empty task", [PY, "-m", "invoke", "--list"], env, cwd=empty
        )
        bench.measure(
            "invoke --list, modelsync tasks", [PY, "-m", "invoke", "--list"], env, cwd=listing
        )

        # 10x synthetic catalog.
        sync_big = modelsync_cmd(
            "sync", "--source", big_url, "--config-dir", str(WORK / "cfg-big"), "-q"
        )
        reset(WORK / "cfg-big")
        run(sync_big, env)

        def cold_big() -> None:
            reset(WORK / "cfg-big")
            reset(cache / "modelsync" / "state")

        runs = bench.runs
        bench.runs = max(1, min(runs, 3))
        bench.measure(f"x{SCALE}: cold sync", sync_big, env, prepare=cold_big)
        bench.measure(f"x{SCALE}: no-op sync", sync_big, env)
        bench.measure(
            f"x{SCALE}: validate, no cached results",
            modelsync_cmd("validate", "--config-dir", str(WORK / "cfg-big"), "-q", "--no-cache"),
            env,
        )
        bench.runs = runs

    report(bench)


def offline_scenarios(bench: Bench, env: dict[str, str]) -> None:
    """A fresh machine without network: the bundled snapshot, with and without --offline."""
    cfg, cache = WORK / "cfg-offline", WORK / "cache-offline"
    env = {
        **env,
        "XDG_CACHE_HOME": str(cache),
        # The default source, on a host name that never resolves: no network.
        "INVOKE_MODELSYNC_API_URL": "https://models.dev.invalid/api.json",
    }
    offline = modelsync_cmd("sync", "--offline", "--config-dir", str(cfg), "-q")
    no_network = modelsync_cmd("sync", "--config-dir", str(cfg), "-q")

    def fresh() -> None:
        reset(cfg)
        reset(cache)

    bench.measure("modelsync: --offline, first run", offline, env, prepare=fresh)
    bench.measure("modelsync: no network, first run", no_network, env, prepare=fresh)
    fresh()
    run(offline, env)
    bench.measure("modelsync: --offline, nothing to do", offline, env)
    bench.measure("modelsync: no network, nothing to do", no_network, env)


def report(b: Bench) -> None:
    json_t = b.t("json.load of the catalog (python -c)")
    cold_base = b.t("straightforward: cold write")
    resync_base = b.t("straightforward: re-sync, nothing changed")
    noop = b.t("modelsync: no-op sync")
    offline_first = b.t("modelsync: --offline, first run")
    nonet_first = b.t("modelsync: no network, first run")
    offline_noop = b.t("modelsync: --offline, nothing to do")
    nonet_noop = b.t("modelsync: no network, nothing to do")
    rows: list[tuple[str, str, str, str]] = [
        (
            "no-op sync",
            f"{b.t('modelsync: no-op sync'):.3f} s",
            f"{resync_base / b.t('modelsync: no-op sync'):.0f}x faster than re-sync; "
            f"{b.t('modelsync: no-op sync') / json_t:.1f}x json.load",
            ">= 20x faster; <= 6x json.load",
        ),
        (
            "drift sync 03-18 -> 05-21",
            f"{b.t('modelsync: drift sync 03-18 -> 05-21'):.3f} s",
            f"{b.t('modelsync: drift sync 03-18 -> 05-21') / cold_base:.2f}x cold write; "
            f"{b.notes['drift']}",
            "<= 1.0x cold write",
        ),
        (
            "cold sync",
            f"{b.t('modelsync: cold sync (empty config dir)'):.3f} s",
            f"{b.t('modelsync: cold sync (empty config dir)') / cold_base:.2f}x cold write",
            "<= 0.35x",
        ),
        (
            "no network, first run on a fresh machine",
            f"{nonet_first:.3f} s",
            f"{nonet_first / offline_first:.2f}x the same with --offline",
            "<= 1.3x",
        ),
        (
            "--offline, nothing to do",
            f"{offline_noop:.3f} s",
            f"{offline_noop / noop:.2f}x the cached no-op",
            "<= 1.5x",
        ),
        (
            "no network, nothing to do",
            f"{nonet_noop:.3f} s",
            f"{nonet_noop / noop:.2f}x the cached no-op",
            "",
        ),
        (
            "validate, whole catalog",
            f"{b.t('modelsync: validate, no cached results'):.3f} s",
            "",
            "< 1.5 s",
        ),
        (
            "validate, one file changed",
            f"{b.t('modelsync: validate, one file changed'):.3f} s",
            "",
            "< 0.5 s",
        ),
        (
            "invoke --list",
            f"{b.t('invoke --list, modelsync tasks'):.3f} s",
            f"{b.t('invoke --list, modelsync tasks') / b.t('invoke --list, one empty task'):.2f}x"
            " one empty task",
            "<= 1.3x",
        ),
    ]
    noop = b.t("modelsync: no-op sync")
    select_ms = json.loads(b.notes["select"])
    rows.extend(
        [
            (
                "`invoke models`, full catalog",
                f"{b.t('modelsync: models'):.3f} s",
                f"{b.t('modelsync: models') / noop:.2f}x no-op sync; index cold "
                f"{b.t('modelsync: models, index cold'):.3f} s",
                "<= 1.5x no-op sync",
            ),
            (
                "`invoke route`, full catalog",
                f"{b.t('modelsync: route'):.3f} s",
                f"{b.t('modelsync: route') / noop:.2f}x no-op sync",
                "<= 1.5x no-op sync",
            ),
            (
                f"`select` in process, {select_ms['models']} models",
                f"{select_ms['same']:.1f} ms",
                f"a new usage each call {select_ms['fresh']:.1f} ms; "
                f"all candidates ranked {select_ms['all']:.1f} ms",
                "< 20 ms",
            ),
        ]
    )
    peak = max(m for name, (_, m) in b.results.items() if name.startswith("modelsync"))
    rows.append(("peak memory, any task", f"{peak:.0f} MB", "", "< 200 MB"))
    for what in ("cold sync", "no-op sync", "validate, no cached results"):
        one = {
            "cold sync": "modelsync: cold sync (empty config dir)",
            "no-op sync": "modelsync: no-op sync",
            "validate, no cached results": "modelsync: validate, no cached results",
        }[what]
        big = f"x{SCALE}: {what}"
        rows.append(
            (
                f"x{SCALE} catalog: {what}",
                f"{b.t(big):.3f} s",
                f"time {b.t(big) / b.t(one):.1f}x, memory {b.m(big) / b.m(one):.1f}x "
                f"of 1x ({b.m(big):.0f} MB)",
                f"<= {SCALE}x",
            )
        )
    print()
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )
    print()
    print("| scenario | median | ratio | target |")
    print("| --- | --- | --- | --- |")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print()
    print("| baseline | median |")
    print("| --- | --- |")
    for name in (
        "json.load of the catalog (python -c)",
        "straightforward: cold write",
        "straightforward: re-sync, nothing changed",
        "invoke --list, one empty task",
        "modelsync: --offline, first run",
    ):
        print(f"| {name} | {b.t(name):.3f} s |")
    (WORK / "results.json").write_text(
        json.dumps({k: {"median_s": v[0], "peak_mb": v[1]} for k, v in b.results.items()}, indent=2)
    )


if __name__ == "__main__":
    main()
