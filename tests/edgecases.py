"""Small hand-written provider files and catalogs for the merge edge-case tests.

A file is written as text, the way people edit it; the catalog is a tiny models.dev
document with one provider ``p``; :func:`sync_text` runs a real sync over them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import modelsync
from modelsync.settings import Settings, make_settings
from modelsync.yamlio import quote

HEAD = "provider: p\nname: P\nenv: [P_KEY]\ndoc: https://p.example\n"


def model(input: float = 1.0, output: float = 2.0, **extra: Any) -> dict[str, Any]:
    """An upstream model: context 1000, output 100, the given prices."""
    return {
        "limit": {"context": 1000, "output": 100},
        "cost": {"input": input, "output": output},
        **extra,
    }


def catalog(**models: dict[str, Any]) -> dict[str, Any]:
    """A catalog with provider ``p`` and the given models (``m_a`` names ``m-a``)."""
    return {
        "p": {
            "id": "p",
            "name": "P",
            "env": ["P_KEY"],
            "doc": "https://p.example",
            "models": {k.replace("_", "-"): v for k, v in models.items()},
        }
    }


def entry(model_id: str, input: float = 1.0, output: float = 2.0, user: str = "") -> str:
    """A managed entry as the sync writes it for :func:`model` (``user``: lines of user
    keys, added after ``source``)."""
    return (
        f"  {model_id}:\n"
        f"    name: {quote(model_id, True)}\n"
        "    context_window: 1000\n"
        "    max_output_tokens: 100\n"
        "    pricing:\n"
        f"      input: {input}\n"
        f"      output: {output}\n"
        "    capabilities: []\n"
        "    available: true\n"
        "    deprecated: false\n"
        "    source: models.dev\n"
        f"{user}"
    )


@dataclass
class Run:
    settings: Settings
    path: Path
    source: Path

    def sync(self, data: dict[str, Any] | None = None) -> modelsync.SyncReport:
        if data is not None:
            self.source.write_text(json.dumps(data))
        return modelsync.sync_to_configs(
            settings=self.settings, source=str(self.source), allow_shrink=True
        )

    @property
    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")

    def findings(self) -> list[str]:
        result = modelsync.validate_configs(settings=self.settings, use_cache=False)
        return [str(f) for f in result.findings]

    def settles(self) -> bool:
        """A second sync changes nothing, and the file validates."""
        before = self.path.read_bytes()
        report = self.sync()
        return (
            report.ok
            and not report.changed_files
            and self.path.read_bytes() == before
            and modelsync.validate_configs(settings=self.settings, use_cache=False).ok
        )


def setup(tmp_path: Path, text: str, name: str = "p", **settings: Any) -> Run:
    config_dir = tmp_path / "cfg"
    config_dir.mkdir(parents=True, exist_ok=True)
    path = config_dir / f"{name}.yml"
    path.write_text(text, encoding="utf-8")
    s = make_settings(config_dir=str(config_dir), cache_dir=str(tmp_path / "cache"), **settings)
    return Run(s, path, tmp_path / "api.json")


def sync_text(
    tmp_path: Path, text: str, data: dict[str, Any], **settings: Any
) -> tuple[Run, modelsync.SyncReport]:
    """Write ``text`` as ``p.yml``, sync ``data`` into it; return the run and report."""
    run = setup(tmp_path, text, **settings)
    return run, run.sync(data)


def changes(report: modelsync.SyncReport) -> list[tuple[str, str, str | None]]:
    return [(c.model, c.kind, c.field) for p in report.providers for c in p.changes]
