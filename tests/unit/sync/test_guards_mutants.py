"""The shrink and older guards, on small config directories: which catalog is refused,
the report's exact words and figures, and that a refused catalog changes no file.

Found unchecked by mutation testing (``python mutation/run.py guards``): the quick
suite had no shrink test at all, nor the boundaries of either guard.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import modelsync

from ...conftest import files_snapshot
from ...edgecases import entry, model


def head(pid: str) -> str:
    return f"provider: {pid}\nname: {pid.upper()}\nenv: [{pid.upper()}_KEY]\ndoc: https://{pid}.example\n"


def provider(pid: str, models: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": pid,
        "name": pid.upper(),
        "env": [f"{pid.upper()}_KEY"],
        "doc": f"https://{pid}.example",
        "models": models,
    }


def dated(day: str) -> dict[str, Any]:
    return model(last_updated=day)


def dated_entry(model_id: str, day: str, available: bool = True) -> str:
    text = entry(model_id).replace(
        "    available: true\n", f"    last_updated: '{day}'\n    available: true\n"
    )
    return text if available else text.replace("available: true", "available: false")


def configs(tmp_path: Path, files: dict[str, list[str]]) -> Path:
    """A config directory: provider -> its managed models (ids), all available."""
    directory = tmp_path / "cfg"
    directory.mkdir(parents=True, exist_ok=True)
    for pid, ids in files.items():
        body = "".join(entry(m) for m in ids)
        (directory / f"{pid}.yml").write_text(head(pid) + ("models:\n" + body if ids else ""))
    return directory


def sync(tmp_path: Path, directory: Path, data: dict[str, Any], **kw: Any) -> modelsync.SyncReport:
    source = tmp_path / "api.json"
    source.write_text(json.dumps(data))
    return modelsync.sync_to_configs(
        config_dir=str(directory), cache_dir=str(tmp_path / "cache"), source=str(source), **kw
    )


def catalog_of(counts: dict[str, int]) -> dict[str, Any]:
    return {pid: provider(pid, {f"m{i}": model() for i in range(n)}) for pid, n in counts.items()}


FIVE = [f"m{i}" for i in range(5)]


# --- shrink ------------------------------------------------------------------------------------


def test_a_catalog_with_too_few_models_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    directory = configs(tmp_path, {"p": FIVE, "q": FIVE})
    before = files_snapshot(directory)
    report = sync(tmp_path, directory, catalog_of({"p": 4, "q": 3}))
    assert report.refused == (
        "the catalog has 2 providers and 7 models, the configs were synced from 2 and 10: "
        "below the threshold of 80% (modelsync.shrink_threshold); pass --allow-shrink to "
        "apply it anyway"
    )
    refusal = report.to_json()["refusal"]
    assert sorted(Path(p).name for p in refusal.pop("would_change")) == ["p.yml", "q.yml"]
    assert refusal == {
        "guard": "shrink",
        "catalog_providers": 2,
        "catalog_models": 7,
        "configs_providers": 2,
        "configs_models": 10,
        "threshold": 0.8,
    }
    assert not report.ok
    assert files_snapshot(directory) == before
    applied = sync(tmp_path, directory, catalog_of({"p": 4, "q": 3}), allow_shrink=True)
    assert applied.ok and applied.refused is None and len(applied.changed_files) == 2


def test_a_catalog_at_the_threshold_is_applied(tmp_path: Path) -> None:
    directory = configs(tmp_path, {"p": FIVE, "q": FIVE})
    report = sync(tmp_path, directory, catalog_of({"p": 4, "q": 4}))
    assert report.ok and report.refused is None
    assert report.to_json()["counts"]["models"]["removed"] == 2


def test_a_catalog_with_too_few_providers_is_refused(tmp_path: Path) -> None:
    directory = configs(tmp_path, {p: ["m0"] for p in "pqrst"})
    report = sync(tmp_path, directory, catalog_of({"p": 3, "q": 1, "r": 1}))
    assert report.refused is not None
    assert report.refused.startswith(
        "the catalog has 3 providers and 5 models, the configs were synced from 5 and 5:"
    )
    assert report.to_json()["refusal"]["catalog_providers"] == 3
    at_threshold = sync(tmp_path, directory, catalog_of({"p": 2, "q": 1, "r": 1, "s": 1}))
    assert at_threshold.ok and at_threshold.refused is None


def test_a_threshold_of_its_own_is_used_and_shown(tmp_path: Path) -> None:
    directory = configs(tmp_path, {"p": FIVE, "q": FIVE})
    report = sync(tmp_path, directory, catalog_of({"p": 4, "q": 2}), shrink_threshold=0.7)
    assert report.refused is not None and "the threshold of 70% " in report.refused
    assert report.to_json()["refusal"]["threshold"] == 0.7
    report = sync(tmp_path, directory, catalog_of({"p": 4, "q": 3}), shrink_threshold=0.7)
    assert report.ok and report.refused is None


def test_a_file_without_available_models_is_no_provider_to_lose(tmp_path: Path) -> None:
    directory = configs(tmp_path, {"p": ["m0", "m1"]})
    gone = "".join(entry(m).replace("available: true", "available: false") for m in ("x", "y"))
    (directory / "q.yml").write_text(head("q") + "models:\n" + gone)
    data = {"p": provider("p", {"m0": model(3.0), "m1": model()})}
    report = sync(tmp_path, directory, data)
    assert report.ok and report.refused is None, report.refused
    assert [c.model for c in report.changes("price")] == ["m0"]


def test_a_catalog_provider_without_a_models_mapping_counts_as_empty(tmp_path: Path) -> None:
    directory = configs(tmp_path, {"p": ["m0"], "q": ["m0"]})
    data = catalog_of({"p": 1, "q": 1})
    data["p"]["models"]["m0"] = model(3.0)
    data["odd"] = {"id": "odd", "name": "Odd", "models": None}
    report = sync(tmp_path, directory, data)
    assert report.refused is None, report.refused
    assert [c.model for c in report.changes("price")] == ["m0"]


def test_a_catalog_provider_without_models_is_not_counted(tmp_path: Path) -> None:
    directory = configs(tmp_path, {"p": ["m0"], "q": ["m0"]})
    data = catalog_of({"p": 2, "q": 0})
    report = sync(tmp_path, directory, data)
    assert report.refused is not None
    assert report.refused.startswith("the catalog has 1 providers and 2 models")


def test_files_of_providers_not_synced_now_count_too(tmp_path: Path) -> None:
    directory = configs(tmp_path, {"p": ["m0"], "q": FIVE})
    data = {"p": provider("p", {"m0": model(3.0)})}
    report = sync(tmp_path, directory, data, providers="p")
    assert report.refused is not None
    assert report.refused.startswith(
        "the catalog has 1 providers and 1 models, the configs were synced from 2 and 6:"
    )


def test_a_directory_without_models_accepts_any_catalog(tmp_path: Path) -> None:
    directory = configs(tmp_path, {"p": [], "q": []})
    report = sync(tmp_path, directory, catalog_of({"p": 1}))
    assert report.ok and report.refused is None
    assert "  m0:\n" in (directory / "p.yml").read_text()


# --- older -------------------------------------------------------------------------------------


def older_setup(tmp_path: Path) -> Path:
    directory = tmp_path / "cfg"
    directory.mkdir()
    text = (
        head("p")
        + "models:\n"
        + dated_entry("m0", "2026-05-01")
        + dated_entry("m1", "2026-04-01")
        + dated_entry("m2", "2026-06-01", available=False)
    )
    (directory / "p.yml").write_text(text)
    return directory


def test_a_catalog_older_than_the_configs_is_refused_with_both_dates(tmp_path: Path) -> None:
    directory = older_setup(tmp_path)
    before = files_snapshot(directory)
    data = {"p": provider("p", {"m0": dated("2026-04-30"), "m1": dated("2026-04-01")})}
    report = sync(tmp_path, directory, data)
    assert report.refused == (
        f"the catalog ({tmp_path / 'api.json'}) is older than the configs: its newest model "
        "update is 2026-04-30, the configs' is 2026-05-01; pass --allow-older to apply it "
        "anyway"
    )
    refusal = report.to_json()["refusal"]
    assert "would_change" in refusal
    del refusal["would_change"]
    assert refusal == {
        "guard": "older",
        "catalog_updated": "2026-04-30",
        "configs_updated": "2026-05-01",
    }
    assert files_snapshot(directory) == before
    assert sync(tmp_path, directory, data, allow_older=True).ok


@pytest.mark.parametrize("day", ["2026-05-01", "2026-05-02"])
def test_a_catalog_as_new_as_the_configs_is_applied(tmp_path: Path, day: str) -> None:
    # The unavailable m2 (2026-06-01) does not count: it is not what the file was synced from.
    directory = older_setup(tmp_path)
    data = {"p": provider("p", {"m0": dated(day), "m1": dated("2026-04-01")})}
    report = sync(tmp_path, directory, data)
    assert report.ok and report.refused is None, report.refused


def test_a_provider_that_left_the_catalog_does_not_make_it_older(tmp_path: Path) -> None:
    directory = older_setup(tmp_path)
    (directory / "q.yml").write_text(head("q") + "models:\n" + dated_entry("x", "2026-09-01"))
    data = {
        "p": provider("p", {"m0": dated("2026-05-01"), "m1": dated("2026-04-01")}),
        "r": provider("r", {"x": dated("2026-05-01")}),
    }
    report = sync(tmp_path, directory, data, allow_shrink=True)
    assert report.ok and report.refused is None, report.refused


def test_a_sync_of_one_provider_counts_the_others_without_parsing_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The shrink guard counts the models of the files not synced now from what the last
    sync recorded of them, so ``--provider p`` costs what p costs, not the directory."""
    from modelsync import yamlio

    directory = configs(tmp_path, {"p": ["m0"], "q": FIVE})
    data = {"p": provider("p", {"m0": model(3.0)}), "q": provider("q", {m: model() for m in FIVE})}
    assert sync(tmp_path, directory, data).refused is None  # records what each file holds
    parsed: list[str] = []
    real_load = yamlio.load

    def load(content: bytes | str) -> Any:
        text = content.decode() if isinstance(content, bytes) else content
        parsed.append(text.split("\n", 1)[0])
        return real_load(content)

    monkeypatch.setattr(yamlio, "load", load)
    data["p"]["models"]["m0"] = model(4.0)
    report = sync(tmp_path, directory, {"p": data["p"]}, providers="p")
    assert report.refused is not None and "synced from 2 and 6" in report.refused
    assert "provider: q" not in parsed, "q.yml was parsed to count its models"
