"""The typed view of the synced files (`modelsync.load_catalog`) and the index in the
cache directory that makes reading it cheap."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import modelsync
from modelsync.use import index as catalog_index
from modelsync.use import view as catalog_view

from ...conftest import SMALL, run_cli, sliced, write_catalog
from ...routing_fixture import write_fixture


@pytest.fixture
def cfg(tmp_path: Path) -> Path:
    source = write_catalog(tmp_path / "api.json", sliced(providers=SMALL))
    config_dir = tmp_path / "cfg"
    modelsync.sync_to_configs(source=source, config_dir=str(config_dir))
    write_fixture(config_dir)
    return config_dir


def fresh(config_dir: Path, cache_dir: Path | None) -> modelsync.CatalogView:
    """A view read now, not one this process kept."""
    catalog_view._MEMO.clear()
    return catalog_view.read_catalog(config_dir, cache_dir)


def test_lookups_by_provider_and_id(cfg: Path, tmp_path: Path) -> None:
    catalog = modelsync.load_catalog(config_dir=str(cfg), cache_dir=str(tmp_path / "c"))
    model = catalog.get("anthropic", "claude-sonnet-4-5")
    assert isinstance(model, modelsync.Model) and model.pricing is not None
    assert catalog.default_model("acme") == "acme-mid"
    assert catalog.provider("gamma").default_model is None
    assert list(catalog.provider("gamma").models) == ["gamma-b", "gamma-a"], "file order"
    assert {m.provider for m in catalog.models(["g?*a", "groq"])} == {"gamma", "groq"}
    assert len(catalog) == sum(len(p.models) for p in catalog.providers.values())
    with pytest.raises(modelsync.ModelNotFound, match=r"did you mean 'claude-sonnet-4-5'"):
        catalog.get("anthropic", "claude-sonnet-4.5")
    with pytest.raises(modelsync.ProviderNotFound, match=r"did you mean 'anthropic'"):
        catalog.get("antropic", "x")
    with pytest.raises(TypeError):
        catalog.providers["x"] = catalog.provider("acme")  # type: ignore[index]


def test_the_index_gives_the_same_models_as_parsing(cfg: Path, tmp_path: Path) -> None:
    parsed = fresh(cfg, None)
    first = fresh(cfg, tmp_path / "c")  # parses and writes the index
    again = fresh(cfg, tmp_path / "c")  # reads the index
    assert list(parsed) == list(first) == list(again)
    assert {p: v.default_model for p, v in again.providers.items()} == {
        p: v.default_model for p, v in parsed.providers.items()
    }
    assert list(catalog_index.index_path(tmp_path / "c", cfg).parent.glob("*.json"))


def test_the_index_is_read_and_an_edited_file_is_read_again(cfg: Path, tmp_path: Path) -> None:
    cache = tmp_path / "c"
    fresh(cfg, cache)
    path = catalog_index.index_path(cache, cfg)
    data = json.loads(path.read_text())
    data["files"]["gamma"]["rows"][0]["name"] = "Renamed in the index"
    path.write_text(json.dumps(data))
    assert fresh(cfg, cache).get("gamma", "gamma-b").name == "Renamed in the index"
    gamma = cfg / "gamma.yml"
    gamma.write_text(gamma.read_text().replace("Gamma B", "Gamma Bee"))
    assert fresh(cfg, cache).get("gamma", "gamma-b").name == "Gamma Bee"


def test_a_corrupt_or_foreign_index_is_ignored(cfg: Path, tmp_path: Path) -> None:
    cache = tmp_path / "c"
    expected = list(fresh(cfg, None))
    path = catalog_index.index_path(cache, cfg)
    path.parent.mkdir(parents=True)
    for junk in (b"{not json", b"[]", b'{"key": "other"}'):
        path.write_bytes(junk)
        assert list(fresh(cfg, cache)) == expected
    fresh(cfg, cache)
    data = json.loads(path.read_text())
    data["files"]["gamma"]["rows"] = [{"bogus": 1}]
    path.write_text(json.dumps(data))
    assert list(fresh(cfg, cache)) == expected


def test_values_json_cannot_carry_are_parsed_every_time(cfg: Path, tmp_path: Path) -> None:
    odd = cfg / "odd.yml"
    odd.write_text(
        "provider: odd\nmodels:\n  m:\n    name: M\n    notes: .nan\n    weights: {1: 2}\n"
    )
    cache = tmp_path / "c"
    fresh(cfg, cache)
    again = fresh(cfg, cache).get("odd", "m")
    assert again.extra["weights"] == {1: 2}
    data = json.loads(catalog_index.index_path(cache, cfg).read_text())
    assert data["files"]["odd"]["rows"] is None


def test_this_process_sees_a_file_change(cfg: Path, tmp_path: Path) -> None:
    first = modelsync.load_catalog(config_dir=str(cfg), cache_dir=str(tmp_path / "c"))
    assert modelsync.load_catalog(config_dir=str(cfg), cache_dir=str(tmp_path / "c")) is first
    (cfg / "gamma.yml").unlink()
    later = modelsync.load_catalog(config_dir=str(cfg), cache_dir=str(tmp_path / "c"))
    assert "gamma" not in later.providers and "gamma" in first.providers


def test_a_broken_file_is_one_error_naming_it(cfg: Path, tmp_path: Path) -> None:
    (cfg / "gamma.yml").write_text("provider: gamma\nmodels: [\n")
    with pytest.raises(modelsync.ConfigError, match=r"gamma.yml:3"):
        fresh(cfg, tmp_path / "c")


@pytest.mark.slow
def test_invoke_models_answers_the_same_from_the_index(cfg: Path, tmp_path: Path) -> None:
    env = {"XDG_CACHE_HOME": str(tmp_path / "xdg")}
    args = ("modelsync", "models", "--config-dir", str(cfg), "--capability", "vision")
    cold = run_cli(*args, cwd=tmp_path, env=env)
    assert cold.returncode == 0, cold.stderr
    assert list((tmp_path / "xdg" / "modelsync" / "index").glob("*.json"))
    warm = run_cli(*args, cwd=tmp_path, env=env)
    assert warm.stdout == cold.stdout and "gamma/gamma-a" in warm.stdout
    unusable = run_cli(*args, cwd=tmp_path, env={"XDG_CACHE_HOME": str(cfg / "acme.yml")})
    assert unusable.returncode == 0 and unusable.stdout == cold.stdout
    assert unusable.stderr.count("modelsync: warning:") == 1


def test_a_symlinked_provider_file_is_never_read(cfg: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.yml"
    secret.write_text("provider: zeta\nmodels: {}\n")
    (cfg / "zeta.yml").symlink_to(secret)
    with pytest.raises(modelsync.ConfigError, match=r"zeta.yml: is a symlink"):
        fresh(cfg, tmp_path / "c")
