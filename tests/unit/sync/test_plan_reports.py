"""What the sync reports of each provider it plans: added, changed or unchanged, the diff
of a dry run (which ``git apply`` reads from the current directory), and the one line of
a provider whose file cannot be read or merged, or whose catalog data is unusable.

Found unchecked by mutation testing (``python mutation/run.py sync.plan``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

import modelsync
from modelsync.settings import Settings

from ...edgecases import catalog, model


def sync(settings: Settings, data: dict[str, Any], tmp_path: Path, **kw: Any) -> Any:
    source = tmp_path / "api.json"
    source.write_text(json.dumps(data))
    return modelsync.sync_to_configs(settings=settings, source=str(source), **kw)


def result(report: modelsync.SyncReport, provider: str = "p") -> Any:
    (found,) = [p for p in report.providers if p.id == provider]
    return found


def test_a_new_provider_is_added_with_a_diff_from_dev_null(
    settings: Settings, tmp_path: Path, config_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config_dir.mkdir(parents=True)
    monkeypatch.chdir(config_dir.parent.parent)  # the repository's root
    report = sync(settings, catalog(m_a=model()), tmp_path, dry_run=True)
    p = result(report)
    assert p.status == "added"
    assert p.diff.startswith("--- /dev/null\n+++ b/config/models/p.yml\n@@ -0,0 +1,")
    assert not (config_dir / "p.yml").exists()


def test_a_changed_provider_has_a_diff_from_its_file(
    settings: Settings, tmp_path: Path, config_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sync(settings, catalog(m_a=model(1.0)), tmp_path)
    before = (config_dir / "p.yml").read_bytes()
    monkeypatch.chdir(config_dir.parent.parent)
    report = sync(settings, catalog(m_a=model(3.0)), tmp_path, dry_run=True)
    p = result(report)
    assert p.status == "changed"
    head = "--- a/config/models/p.yml\n+++ b/config/models/p.yml\n@@ "
    assert p.diff.startswith(head)
    assert "\n-      input: 1.0\n" in p.diff and "\n+      input: 3.0\n" in p.diff
    assert (config_dir / "p.yml").read_bytes() == before
    again = sync(settings, catalog(m_a=model(1.0)), tmp_path, dry_run=True)
    assert result(again).status == "unchanged" and result(again).diff is None


def test_outside_the_repository_the_diff_names_the_file_by_its_absolute_path(
    settings: Settings, tmp_path: Path, config_dir: Path
) -> None:
    report = sync(settings, catalog(m_a=model()), tmp_path, dry_run=True)
    path = os.path.abspath(config_dir / "p.yml")
    assert result(report).diff.startswith(f"--- /dev/null\n+++ b/{path}\n")


def test_without_dry_run_there_is_no_diff(settings: Settings, tmp_path: Path) -> None:
    report = sync(settings, catalog(m_a=model()), tmp_path)
    assert result(report).status == "added" and result(report).diff is None


@pytest.mark.parametrize(
    ("text", "kind"),
    [("", "empty"), ("- a\n- b\n", "a list"), ("just text\n", "a str")],
)
def test_a_file_that_is_not_a_mapping_fails_in_one_line_and_is_left_alone(
    settings: Settings, tmp_path: Path, config_dir: Path, text: str, kind: str
) -> None:
    config_dir.mkdir(parents=True)
    path = config_dir / "p.yml"
    path.write_text(text)
    report = sync(settings, catalog(m_a=model()), tmp_path)
    p = result(report)
    assert p.status == "failed"
    assert p.error == f"{path}: top level is {kind}, not a mapping"
    assert path.read_text() == text
    assert not report.ok


def test_a_file_that_cannot_be_read_fails_in_one_line(
    settings: Settings, tmp_path: Path, config_dir: Path
) -> None:
    (config_dir / "p.yml").mkdir(parents=True)
    report = sync(settings, catalog(m_a=model()), tmp_path)
    p = result(report)
    assert p.status == "failed"
    assert p.error.startswith(f"{config_dir / 'p.yml'}: ")
    assert "\n" not in p.error


def test_a_yaml_error_names_the_file_and_its_line(
    settings: Settings, tmp_path: Path, config_dir: Path
) -> None:
    config_dir.mkdir(parents=True)
    path = config_dir / "p.yml"
    path.write_text("models:\n  m-a:\n    name: [unclosed\n")
    report = sync(settings, catalog(m_a=model()), tmp_path)
    p = result(report)
    assert p.status == "failed"
    assert p.error.startswith(f"{path}:")
    assert p.error.split(":")[1].strip().isdigit()
    assert path.read_text() == "models:\n  m-a:\n    name: [unclosed\n"


def test_a_misspelt_key_names_its_line_and_how_many_more(
    settings: Settings, tmp_path: Path, config_dir: Path
) -> None:
    sync(settings, catalog(m_a=model(), m_b=model()), tmp_path)
    path = config_dir / "p.yml"
    text = path.read_text()
    one = text.replace("    pricing:", "    pricnig:", 1)
    path.write_text(one)
    p = result(sync(settings, catalog(m_a=model(2.0), m_b=model()), tmp_path))
    assert p.status == "failed"
    line = one.splitlines().index("    pricnig:") + 1
    assert p.error.startswith(f"{path}:{line}: models.m-a.pricnig: ")
    assert p.error.endswith("; the file was left as it is")
    assert "more, see" not in p.error
    two = one.replace("    pricing:", "    pricnig:", 1)
    path.write_text(two)
    p = result(sync(settings, catalog(m_a=model(2.0), m_b=model()), tmp_path))
    assert p.error.startswith(f"{path}:{line}: models.m-a.pricnig: ")
    assert " (and 1 more, see " in p.error
    assert path.read_text() == two


def test_unusable_catalog_data_skips_the_provider_and_leaves_its_file(
    settings: Settings, tmp_path: Path, config_dir: Path
) -> None:
    sync(settings, catalog(m_a=model()), tmp_path)
    before = (config_dir / "p.yml").read_bytes()
    bad = catalog(m_a=model(2.0))
    bad["p"]["env"] = 7
    report = sync(settings, bad, tmp_path)
    p = result(report)
    assert p.status == "skipped"
    assert p.error.startswith("invalid upstream data, file left as it is: ")
    assert (config_dir / "p.yml").read_bytes() == before


@pytest.mark.parametrize(
    ("extra", "line", "message"),
    [
        (
            "    context_window: big\n",
            1,
            "models.mine.context_window: 'big' is not of type 'integer'",
        ),
        (
            "    context_window: big\n    max_output_tokens: -5\n",
            1,
            "models.mine.context_window: 'big' is not of type 'integer' (and 1 more)",
        ),
        (
            "    pricing:\n      input: .nan\n",
            2,
            "models.mine.pricing.input: .nan is not a finite number",
        ),
    ],
)
def test_a_merge_that_would_not_be_valid_names_the_users_line_and_writes_nothing(
    settings: Settings, tmp_path: Path, config_dir: Path, extra: str, line: int, message: str
) -> None:
    sync(settings, catalog(m_a=model()), tmp_path)
    path = config_dir / "p.yml"
    text = path.read_text() + "  mine:\n    name: mine\n" + extra
    path.write_text(text)
    at = len(text.splitlines()) - len(extra.splitlines()) + line
    p = result(sync(settings, catalog(m_a=model(2.0)), tmp_path))
    assert p.status == "failed"
    assert p.error == (
        f"{path}:{at}: {message}; the merged file would not be valid, so it was not written"
    )
    assert path.read_text() == text


# --- the date the files were synced from (the rollback guard) --------------------------------


def dated(day: str, price: float = 1.0) -> dict[str, Any]:
    return model(price, last_updated=day)


def test_a_catalog_older_than_the_files_is_refused_with_both_dates(
    settings: Settings, tmp_path: Path, config_dir: Path
) -> None:
    sync(settings, catalog(m_a=dated("2026-05-01"), m_b=dated("2026-03-01")), tmp_path)
    before = (config_dir / "p.yml").read_bytes()
    report = sync(
        settings, catalog(m_a=dated("2026-04-01", 2.0), m_b=dated("2026-03-01")), tmp_path
    )
    assert report.refused is not None
    assert "its newest model update is 2026-04-01, the configs' is 2026-05-01" in report.refused
    assert (config_dir / "p.yml").read_bytes() == before


def test_a_model_kept_as_unavailable_does_not_date_the_files(
    settings: Settings, tmp_path: Path, config_dir: Path
) -> None:
    sync(settings, catalog(m_a=dated("2026-05-01"), m_b=dated("2026-06-01")), tmp_path)
    # m-b leaves the catalog: applied on purpose, it is kept as unavailable.
    sync(settings, catalog(m_a=dated("2026-05-01")), tmp_path, allow_shrink=True, allow_older=True)
    assert "available: false" in (config_dir / "p.yml").read_text()
    report = sync(settings, catalog(m_a=dated("2026-05-02", 2.0)), tmp_path, allow_shrink=True)
    assert report.refused is None
    assert result(report).status == "changed"


def test_a_hand_written_model_does_not_date_the_files(
    settings: Settings, tmp_path: Path, config_dir: Path
) -> None:
    sync(settings, catalog(m_a=dated("2026-05-01")), tmp_path)
    path = config_dir / "p.yml"
    path.write_text(path.read_text() + "  mine:\n    name: mine\n    last_updated: '2099-01-01'\n")
    report = sync(settings, catalog(m_a=dated("2026-05-02", 2.0)), tmp_path)
    assert report.refused is None
    assert result(report).status == "changed"
