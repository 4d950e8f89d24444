"""This repository's tasks: modelsync's own tasks at top level, plus ``bench``.

invoke sync            # sync config/models/ with models.dev
invoke validate        # check config/models/*.yml against the schema
invoke clear-cache     # forget cached responses and fingerprints
invoke models          # list synced models
invoke bench           # run the benchmarks (benchmarks/run.py)
"""

from __future__ import annotations

import sys

from invoke.collection import Collection
from invoke.context import Context
from invoke.tasks import task

import modelsync.tasks as modelsync_tasks


@task(help={"quick": "Fewer repetitions (for a smoke run)."})
def bench(c: Context, quick: bool = False) -> None:
    """Run the performance benchmarks and print medians and ratios."""
    c.run(f"{sys.executable} benchmarks/run.py{' --quick' if quick else ''}", pty=False)


ns = Collection()
for name, t in modelsync_tasks.ns.tasks.items():
    ns.add_task(t, name=name)
ns.add_task(bench)
ns.configure(modelsync_tasks.ns.configuration())
