"""The baseline: the straightforward way to sync a catalog into per-provider YAML files.

Every provider file is loaded with ruamel.yaml's round-trip loader (when it exists),
updated from the catalog and dumped again, whether or not anything changed. This is what
a first implementation of the sync looks like; the benchmarks measure modelsync against it.

    python benchmarks/straightforward.py api.json config/models
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML


def entry(raw: dict[str, Any]) -> dict[str, Any]:
    limit = raw.get("limit", {})
    out: dict[str, Any] = {"name": raw.get("name", raw.get("id"))}
    if "family" in raw:
        out["family"] = raw["family"]
    out["context_window"] = limit.get("context")
    out["max_output_tokens"] = limit.get("output")
    cost = raw.get("cost")
    if cost:
        out["pricing"] = {k: float(v) for k, v in cost.items() if isinstance(v, (int, float))}
    caps = []
    if raw.get("tool_call"):
        caps.append("function_calling")
    if "image" in raw.get("modalities", {}).get("input", []):
        caps.append("vision")
    if raw.get("reasoning"):
        caps.append("reasoning")
    out["capabilities"] = caps
    out["available"] = True
    out["deprecated"] = raw.get("status") == "deprecated"
    out["source"] = "models.dev"
    return out


def main(source: str, config_dir: str) -> None:
    catalog = json.loads(Path(source).read_bytes())
    directory = Path(config_dir)
    directory.mkdir(parents=True, exist_ok=True)
    yaml = YAML()
    for provider_id, provider in catalog.items():
        path = directory / f"{provider_id}.yml"
        doc: Any = yaml.load(path) if path.exists() else None
        if doc is None:
            doc = {"provider": provider_id, "name": provider.get("name"), "models": {}}
        models = doc.setdefault("models", {})
        for model_id, raw in sorted(provider["models"].items()):
            existing = models.get(model_id)
            fresh = entry(raw)
            if existing is None:
                models[model_id] = fresh
            else:
                for key, value in fresh.items():
                    existing[key] = value
        with path.open("w") as fh:
            yaml.dump(doc, fh)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
