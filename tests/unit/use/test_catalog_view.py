"""The typed view of the synced files (`modelsync.load_catalog`) and the index in the
cache directory that makes reading it cheap."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import modelsync
from modelsync import yamlio
from modelsync.use import index as catalog_index
from modelsync.use import index_codec, query
from modelsync.use import view as catalog_view

from ...conftest import SMALL, catalog, dumps, run_cli, sliced, write_catalog
from ...routing_fixture import write_fixture


@pytest.fixture
def cfg(tmp_path: Path) -> Path:
    source = write_catalog(tmp_path / "api.json", sliced(providers=SMALL))
    config_dir = tmp_path / "cfg"
    modelsync.sync_to_configs(source=source, config_dir=str(config_dir))
    write_fixture(config_dir)
    return config_dir


@pytest.fixture(scope="module")
def full(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The whole newest catalog (132 providers, 4,803 models), synced."""
    root = tmp_path_factory.mktemp("full")
    (root / "api.json").write_bytes(dumps(catalog()))
    s = modelsync.make_settings(config_dir=str(root / "cfg"), cache_dir=str(root / "cache"))
    modelsync.sync_to_configs(settings=s, source=str(root / "api.json"))
    return root / "cfg"


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


def edit_index(path: Path, key: str, change: Callable[[Any], Any]) -> int:
    """Apply ``change`` to every value under ``key`` in the index at ``path`` (each line
    of it is JSON; lists are walked into), keeping its lines; how many were changed."""
    changed = 0

    def walk(node: Any) -> None:
        nonlocal changed
        if isinstance(node, dict):
            for k, v in node.items():
                if k == key:
                    node[k] = apply(v)
                else:
                    walk(v)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    def apply(value: Any) -> Any:
        nonlocal changed
        if isinstance(value, list):
            return [apply(v) for v in value]
        new = change(value)
        changed += new is not value
        return new

    lines = []
    for line in path.read_bytes().splitlines():
        data = json.loads(line)
        walk(data)
        lines.append(json.dumps(data).encode())
    path.write_bytes(b"\n".join(lines) + b"\n")
    return changed


def test_the_index_is_read_and_an_edited_file_is_read_again(cfg: Path, tmp_path: Path) -> None:
    cache = tmp_path / "c"
    fresh(cfg, cache)
    path = catalog_index.index_path(cache, cfg)
    renamed = edit_index(path, "name", lambda v: "Renamed" if v == "Gamma B" else v)
    assert renamed == 1
    assert fresh(cfg, cache).get("gamma", "gamma-b").name == "Renamed"
    gamma = cfg / "gamma.yml"
    gamma.write_text(gamma.read_text().replace("Gamma B", "Gamma Bee"))
    assert fresh(cfg, cache).get("gamma", "gamma-b").name == "Gamma Bee"


def test_a_corrupt_or_foreign_index_is_ignored(
    cfg: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache = tmp_path / "c"
    expected = list(fresh(cfg, None))
    path = catalog_index.index_path(cache, cfg)
    path.parent.mkdir(parents=True)
    for junk in (b"{not json", b"[]", b'{"key": "other"}', b"\xff\xfe"):
        path.write_bytes(junk)
        assert list(fresh(cfg, cache)) == expected
    fresh(cfg, cache)
    lines = path.read_bytes().splitlines()
    path.write_bytes(b"\n".join([lines[0], b'{"bogus": 1}', *lines[2:]]))
    assert list(fresh(cfg, cache)) == expected
    lines = path.read_bytes().splitlines()
    path.write_bytes(b"\n".join(lines[:2]))  # blocks missing
    assert list(fresh(cfg, cache)) == expected


def test_values_json_cannot_carry_are_kept_exactly(cfg: Path, tmp_path: Path) -> None:
    odd = cfg / "odd.yml"
    odd.write_text(
        "provider: odd\nmodels:\n  m:\n    name: M\n    notes: .nan\n    weights: {1: 2}\n"
        "    tags: !!set {a, b}\n    blob: !!binary aGk=\n    pairs: !!omap [{x: 1}]\n"
        '    "$": {"$": [map, []]}\n'
        "    pricing:\n      input: .inf\n      modes:\n"
        "        fast: {input: 2.0, request: {body: {tier: 1}, 2: [3]}}\n"
    )
    cache = tmp_path / "c"
    parsed = fresh(cfg, None).get("odd", "m")
    fresh(cfg, cache)
    entry = catalog_index.load(catalog_index.index_path(cache, cfg), cfg, 10**7).entries["odd"]
    assert entry.block is not None
    again = fresh(cfg, cache).get("odd", "m")
    assert again.extra["weights"] == {1: 2} and again.extra["tags"] == {"a", "b"}
    assert again.extra["blob"] == b"hi" and again.extra["pairs"] == [("x", 1)]
    assert again.extra["$"] == {"$": ["map", []]}
    assert again.pricing is not None and again.pricing.mode_requests["fast"][2] == [3]
    assert repr(again) == repr(parsed)


def test_the_index_knows_every_field_of_a_model() -> None:
    assert set(index_codec.KINDS) == set(index_codec.FIELDS)


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


def _string_input_price(value: Any) -> Any:
    if isinstance(value, dict) and isinstance(value.get("input"), float):
        return {**value, "input": str(value["input"])}
    return value


def _string_int(value: Any) -> Any:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def test_a_string_context_window_in_the_index_is_read_from_the_file(
    cfg: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache = tmp_path / "c"
    usage = {"input": 250_000, "output": 2_000}
    expected = modelsync.estimate_cost("acme", "acme-big", usage, config_dir=str(cfg))
    fresh(cfg, cache)
    assert edit_index(catalog_index.index_path(cache, cfg), "context_window", _string_int)
    catalog_view._MEMO.clear()
    with caplog.at_level("WARNING", logger="modelsync"):
        got = modelsync.estimate_cost(
            "acme", "acme-big", usage, config_dir=str(cfg), cache_dir=str(cache)
        )
        assert got == expected
        assert isinstance(fresh(cfg, cache).get("acme", "acme-mid").context_window, int)
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 1 and "catalog index" in warnings[0], warnings
    caplog.clear()
    assert list(fresh(cfg, cache)) == list(fresh(cfg, None)), "the index was rewritten"
    assert not caplog.records


def test_a_string_price_in_the_index_does_not_break_sorting(
    cfg: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache = tmp_path / "c"
    catalog_view._MEMO.clear()
    expected = modelsync.list_models(config_dir=str(cfg), sort="input_price")
    fresh(cfg, cache)
    assert edit_index(catalog_index.index_path(cache, cfg), "pricing", _string_input_price)
    catalog_view._MEMO.clear()
    with caplog.at_level("WARNING", logger="modelsync"):
        got = modelsync.list_models(config_dir=str(cfg), cache_dir=str(cache), sort="input_price")
    assert got == expected
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 1 and "catalog index" in warnings[0], warnings


@pytest.mark.slow
def test_invoke_cost_and_models_survive_a_corrupt_index(cfg: Path, tmp_path: Path) -> None:
    env = {"XDG_CACHE_HOME": str(tmp_path / "xdg")}
    cost = ("modelsync", "cost", "--config-dir", str(cfg), "--provider", "acme")
    cost += ("--model", "acme-big", "--input", "250k", "--output", "2k")
    models = ("modelsync", "models", "--config-dir", str(cfg), "--sort", "input_price")
    clean = [run_cli(*args, cwd=tmp_path, env=env) for args in (cost, models)]
    assert [r.returncode for r in clean] == [0, 0], clean[0].stderr + clean[1].stderr
    (index,) = (tmp_path / "xdg" / "modelsync" / "index").glob("*.json")
    for key, change, args, before in (
        ("context_window", _string_int, cost, clean[0]),
        ("pricing", _string_input_price, models, clean[1]),
    ):
        assert edit_index(index, key, change)
        broken = run_cli(*args, cwd=tmp_path, env=env)
        assert (broken.returncode, broken.stdout) == (0, before.stdout), broken.stderr
        assert broken.stderr.count("modelsync: warning:") == 1, broken.stderr
        assert "catalog index" in broken.stderr and "Traceback" not in broken.stderr
        again = run_cli(*args, cwd=tmp_path, env=env)
        assert (again.stdout, again.stderr) == (before.stdout, "")


@pytest.mark.slow
def test_every_file_of_the_full_catalog_is_read_from_the_index(
    full: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "c"
    parsed = fresh(full, None)
    fresh(full, cache)  # writes the index
    loads: list[int] = []
    real_load = yamlio.load

    def counting_load(data: bytes | str) -> Any:
        loads.append(len(data))
        return real_load(data)

    monkeypatch.setattr(yamlio, "load", counting_load)
    indexed = fresh(full, cache)
    assert list(indexed) == list(parsed) and len(indexed.providers) == 132
    assert len(indexed) > 4_800
    assert not loads, f"{len(loads)} provider files parsed instead of read from the index"
    # Every query answers the same from the index as from the files (each query reads
    # the view this process last read of the directory).
    answers: list[list[Any]] = []
    for view in (parsed, indexed):
        catalog_view._MEMO[os.path.realpath(full)] = (
            tuple((p.id, catalog_view._signature(p.path)) for p in view.providers.values()),
            view,
        )
        assert query.load_models(full) is not None and query.load_models(full)[0] is view._all[0]
        answers.append(
            [
                query.query(full, sort=sort, **filters)
                for sort in query.SORT_FIELDS
                for filters in ({}, {"capabilities": ["vision"], "min_context": 128_000})
            ]
        )
        for complexity in ("simple", "medium", "complex"):
            choices = modelsync.select(
                complexity, usage={"input": 20_000}, catalog=view, include_unscored=True
            )
            answers[-1].append([(c.provider, c.model, c.rank, c.score, c.cost) for c in choices])
        for model in parsed:
            if model.pricing is None:
                continue
            big = model.pricing.tiers[0].above_context + 1 if model.pricing.tiers else 0
            for mode in (None, *model.pricing.modes):
                for usage in ({"input": 1_000, "output": 100, "cache_read": 10}, {"input": big}):
                    answers[-1].append(
                        modelsync.estimate_cost(
                            model.provider, model.id, usage, mode=mode, allow_missing=True,
                            catalog=view,
                        )
                    )  # fmt: skip
    assert answers[0] == answers[1] and len(answers[0]) > 8_000
    assert not loads


def test_settled_files_are_not_read_again_and_an_edit_in_place_is(
    cfg: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file whose signature (inode, size, mtime, ctime) is as the index recorded it
    once it had settled is not read; an edit that keeps the size and sets the mtime back
    moves the ctime, and the file is read again."""
    import sys
    import time

    from modelsync.util import fsutil

    monkeypatch.setattr(fsutil, "SETTLED", 0.0)  # every file counts as settled
    cache = tmp_path / "c"
    fresh(cfg, cache)  # builds the index, with the signatures
    paths = {os.path.realpath(p) for p in cfg.glob("*.yml")}
    opened: list[str] = []

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event == "open" and isinstance(args[0], str) and os.path.realpath(args[0]) in paths:
            opened.append(args[0])

    sys.addaudithook(hook)
    view = fresh(cfg, cache)
    assert view.get("acme", "acme-mid") is not None
    assert opened == [], "no settled file is read"
    path = cfg / "acme.yml"
    before = path.stat()
    text = path.read_text()
    old = "acme-mid"
    assert text.count(old) >= 1
    time.sleep(0.05)
    with path.open("r+") as fh:  # in place, same size: the default model renamed
        fh.write(text.replace(f"default_model: {old}", "default_model: acme-MID", 1))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size
    assert fresh(cfg, cache).default_model("acme") == "acme-MID"
    assert [p for p in opened if p.endswith("acme.yml")], "the edited file is read"
