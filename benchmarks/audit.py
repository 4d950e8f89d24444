"""The audit over the full real catalog against the real LiteLLM map and genai-prices
data: its time, its findings by rule, and the matching coverage per provider.

    python benchmarks/audit.py --litellm PATH [--genai-prices PATH] [--runs 3]

``--litellm``: ``model_prices_and_context_window_backup.json`` from a released LiteLLM
package (``pip download litellm --no-deps``, then unzip that file from the wheel);
``--genai-prices``: ``prices/new_data/v2/data.json`` of pydantic/genai-prices. Syncs
the newest snapshot of tests/data into a work directory, then times
``modelsync.audit(all_models=True)`` (median of the runs). Results: docs/audit.md.
"""

from __future__ import annotations

import argparse
import collections
import gzip
import shutil
import statistics
import time
from pathlib import Path

import modelsync

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "benchmarks" / ".work" / "audit"
SNAPSHOT = ROOT / "tests" / "data" / "api-2026-05-21.json.gz"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--litellm", required=True)
    parser.add_argument("--genai-prices", default="none")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    catalog = WORK / "api.json"
    catalog.write_bytes(gzip.decompress(SNAPSHOT.read_bytes()))
    config_dir = WORK / "models"
    settings = modelsync.make_settings(
        config_dir=str(config_dir), cache_dir=str(WORK / "cache"), source=str(catalog)
    )
    modelsync.sync_to_configs(settings=settings)
    rules_cpu = []
    for _ in range(args.runs):
        start_cpu = time.process_time()
        modelsync.audit(settings=settings, all_models=True, litellm="none", genai_prices="none")
        rules_cpu.append(time.process_time() - start_cpu)
    times, cpu, report = [], [], None
    for _ in range(args.runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        report = modelsync.audit(
            settings=settings,
            all_models=True,
            litellm=str(Path(args.litellm).resolve()),
            genai_prices=str(Path(args.genai_prices).resolve())
            if args.genai_prices != "none"
            else "none",
        )
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    assert report is not None
    print(
        f"{len(report.audited)} models: with both sources median {statistics.median(times):.2f} s"
        f" wall, {statistics.median(cpu):.2f} s CPU; the rules alone "
        f"{statistics.median(rules_cpu):.2f} s CPU"
    )
    for source in report.sources:
        print(f"  {source.name}: {source.origin}, {source.entries} entries {source.problem or ''}")
    print("findings by rule:")
    by_rule = collections.Counter((f.source or "rules", f.rule) for f in report.findings)
    for (source, rule), count in sorted(by_rule.items()):
        print(f"  {source:<13} {rule:<24} {count}")
    print(f"matched by no source: {len(report.unmatched())} of {len(report.audited)}")
    sizes = collections.Counter(p for p, _ in report.audited)
    matched: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for m in report.matches:
        if m.source_id is not None:
            matched[m.source][m.provider] += 1
    names = [s.name for s in report.sources if s.origin not in ("off", "failed")]
    firsts = (
        "openai",
        "anthropic",
        "google",
        "mistral",
        "xai",
        "deepseek",
        "amazon-bedrock",
        "azure",
        "groq",
        "openrouter",
    )
    for title, providers in (
        ("ten largest providers", [p for p, _ in sizes.most_common(10)]),
        ("ten first-party and major providers", list(firsts)),
    ):
        print(f"coverage, {title}:")
        print("  provider models " + " ".join(names))
        for p in providers:
            cells = " ".join(f"{matched[n][p]} ({matched[n][p] / sizes[p]:.0%})" for n in names)
            print(f"  {p} {sizes[p]} {cells}")


if __name__ == "__main__":
    main()
