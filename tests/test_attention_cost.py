"""What finding attention items costs a sync: nothing for files whose models nobody
depends on (every new file, most synced ones), and no second parse for those with one.

YAML parses are counted with a hook around the real reader (every caller reaches it as
``yamlio.load``), keyed by what was parsed."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import modelsync
from modelsync import yamlio
from modelsync.settings import Settings

from .conftest import SMALL, catalog, sliced, write_catalog

OLD = "2026-03-18"


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> Iterator[Counter[str]]:
    """How many times each text (by digest) was parsed with the YAML reader."""
    counted: Counter[str] = Counter()
    real = yamlio.load

    def counting_load(data: bytes | str) -> Any:
        raw = data.encode() if isinstance(data, str) else data
        counted[hashlib.sha256(raw).hexdigest()] += 1
        return real(data)

    monkeypatch.setattr(yamlio, "load", counting_load)
    yield counted


def _digests(directory: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in directory.iterdir()}


def _changing_providers(count: int) -> list[str]:
    """Providers whose catalog data differs between the two snapshots."""
    old, new = catalog(OLD), catalog()
    return sorted(p for p in new if p in old and old[p] != new[p])[:count]


def test_a_cold_sync_parses_no_yaml(
    settings: Settings, tmp_path: Path, parses: Counter[str]
) -> None:
    source = write_catalog(tmp_path / "api.json", sliced(providers=SMALL))
    report = modelsync.sync_to_configs(settings=settings, source=source)
    assert len(report.changed_files) == len(SMALL)
    assert sum(parses.values()) == 0, "a new file has no model anyone depends on"


def test_a_sync_of_files_nobody_depends_on_parses_each_once(
    settings: Settings, tmp_path: Path, parses: Counter[str]
) -> None:
    providers = _changing_providers(24)
    old = write_catalog(tmp_path / "old.json", sliced(OLD, providers=providers))
    new = write_catalog(tmp_path / "new.json", sliced(providers=providers))
    modelsync.sync_to_configs(settings=settings, source=old)
    before = _digests(settings.config_path)
    parses.clear()
    report = modelsync.sync_to_configs(settings=settings, source=new)
    after = _digests(settings.config_path)
    changed = [name for name in before if after[name] != before[name]]
    assert len(changed) >= 20 and len(report.changed_files) >= 20
    assert report.attention == []
    assert max(parses.values()) == 1, "a file was parsed twice"
    assert not {after[name] for name in changed} & set(parses), "a written file was parsed"


def test_a_depended_on_model_is_compared_without_parsing_again(
    settings: Settings, tmp_path: Path, parses: Counter[str]
) -> None:
    providers = _changing_providers(24)
    old = write_catalog(tmp_path / "old.json", sliced(OLD, providers=providers))
    new = write_catalog(tmp_path / "new.json", sliced(providers=providers))
    modelsync.sync_to_configs(settings=settings, source=old)
    # Every model of every file depended on: each file is still parsed once.
    for path in settings.config_path.iterdir():
        text = path.read_text().replace(
            "    source: models.dev\n", "    source: models.dev\n    notes: x\n"
        )
        path.write_text(text)
    parses.clear()
    report = modelsync.sync_to_configs(settings=settings, source=new)
    assert report.attention, "the drift changes something about some model"
    assert max(parses.values()) == 1, "a file was parsed twice"
