"""One configuration: the Python API reads the project's ``invoke.yaml`` as the tasks and
the ``modelsync`` command do, in an adopter's repository with real files."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import modelsync
from modelsync.settings import make_settings

from .conftest import run_cli, sliced, write_catalog

#: The adopter's tasks.py: modelsync's tasks mounted as ``catalog``.
ADOPTER_TASKS = textwrap.dedent(
    """
    from invoke import Collection
    import modelsync.tasks

    ns = Collection()
    ns.add_collection(modelsync.tasks.ns, name="catalog")
    """
)


def adopter(tmp_path: Path, settings: str) -> Path:
    """A repository with a tasks.py, an invoke.yaml holding ``settings`` (YAML lines of
    the modelsync namespace) and a subdirectory ``app/`` to run from."""
    repo = tmp_path / "adopter"
    (repo / "app").mkdir(parents=True)
    (repo / "tasks.py").write_text(ADOPTER_TASKS)
    (repo / "invoke.yaml").write_text("modelsync:\n" + textwrap.indent(settings, "  "))
    return repo


def provider_files(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.glob("*.yml"))


def test_the_api_syncs_only_the_providers_invoke_yaml_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = write_catalog(tmp_path / "api.json", sliced())
    repo = adopter(tmp_path, "providers: [anthropic, xai]\n")
    monkeypatch.chdir(repo / "app")

    report = modelsync.sync_if_needed(max_age=86400, source=source)

    assert report is not None and report.ok
    # config_dir's default is relative to the project root, not to app/.
    assert provider_files(repo / "config" / "models") == ["anthropic.yml", "xai.yml"]
    assert not (repo / "app" / "config").exists()
    assert modelsync.sync_to_configs(source=source).changed_files == []


def test_the_api_and_the_command_agree_on_the_same_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = write_catalog(tmp_path / "api.json", sliced())
    repo = adopter(tmp_path, "providers: [groq]\nconfig_dir: catalog\n")
    result = run_cli("modelsync", "sync", "--source", source, cwd=repo / "app")
    assert result.returncode == 0, result.stderr
    assert provider_files(repo / "catalog") == ["groq.yml"]

    monkeypatch.chdir(repo / "app")
    report = modelsync.sync_to_configs(source=source)
    assert report.ok and report.changed_files == []
    assert report.providers[0].path == str(repo / "catalog" / "groq.yml")
    assert list(modelsync.load_catalog().providers) == ["groq"]
    model = next(iter(modelsync.load_catalog()))
    cost = modelsync.estimate_cost("groq", model.id, {"input": 1000, "output": 10})
    assert cost.provider == "groq"
    assert modelsync.last_sync() is not None


def test_keywords_and_settings_still_override_the_project_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = write_catalog(tmp_path / "api.json", sliced())
    repo = adopter(tmp_path, "providers: [anthropic, xai]\n")
    monkeypatch.chdir(repo / "app")

    report = modelsync.sync_to_configs(source=source, providers=["groq"], config_dir="one")
    assert report.ok and provider_files(repo / "one") == ["groq.yml"]

    explicit = make_settings({}, config_dir=str(tmp_path / "two"), source=source)
    assert explicit.providers == ()
    assert modelsync.sync_to_configs(settings=explicit, dry_run=True).ok
    assert len(modelsync.sync_to_configs(settings=explicit).changed_files) == len(sliced())
    assert make_settings().providers == ("anthropic", "xai")


def test_the_environment_beats_the_project_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = adopter(tmp_path, "providers: [anthropic, xai]\ncache_ttl: 60\n")
    monkeypatch.chdir(repo / "app")
    monkeypatch.setenv("INVOKE_MODELSYNC_PROVIDERS", "groq")
    s = make_settings()
    assert (s.providers, s.cache_ttl) == (("groq",), 60)


def test_outside_any_project_the_defaults_apply(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = write_catalog(tmp_path / "api.json", sliced())
    alone = tmp_path / "alone"
    alone.mkdir()
    monkeypatch.chdir(alone)
    report = modelsync.sync_to_configs(source=source)
    assert report.ok
    assert len(provider_files(alone / "config" / "models")) == len(sliced())


def test_a_bad_project_file_is_one_usage_error_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = adopter(tmp_path, "cache_ttl: soon\n")
    monkeypatch.chdir(repo / "app")
    with pytest.raises(modelsync.UsageError, match=r"setting modelsync\.cache_ttl"):
        modelsync.load_catalog()
    (repo / "invoke.yaml").write_text("modelsync: [\n")
    with pytest.raises(modelsync.UsageError, match=r"invoke\.yaml: cannot read"):
        modelsync.last_sync()


def test_an_unknown_setting_in_the_project_file_is_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    repo = adopter(tmp_path, "cache_tl: 60\n")
    monkeypatch.chdir(repo / "app")
    logging.getLogger("modelsync").propagate = True
    with caplog.at_level(logging.WARNING, logger="modelsync"):
        make_settings()
    assert "modelsync.cache_tl" in caplog.text and "invoke.yaml" in caplog.text


def test_a_fresh_check_in_a_project_reads_its_settings_without_the_yaml_reader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = write_catalog(tmp_path / "api.json", sliced())
    repo = adopter(tmp_path, "providers: [groq]\n")
    monkeypatch.chdir(repo / "app")
    assert modelsync.sync_if_needed(source=source) is not None
    code = textwrap.dedent(
        f"""
        import sys, modelsync
        assert modelsync.sync_if_needed(source={source!r}) is None
        print([m for m in ("yaml", "ruamel", "requests") if m in sys.modules])
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert out.stdout.strip() == "[]"
    # An edited file is read again: its providers apply at once.
    (repo / "invoke.yaml").write_text("modelsync:\n  providers: [anthropic]\n")
    report = modelsync.sync_if_needed(source=source)
    assert report is not None and [p.id for p in report.providers] == ["anthropic"]
