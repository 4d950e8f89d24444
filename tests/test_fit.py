"""Which models can answer a request: the kinds that answer no chat request (derived from
family and id), text output, and the request within the model's limits; the router and
`invoke route` rank only those."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

import modelsync
from modelsync.model.catalog import Model
from modelsync.model.usage import Usage
from modelsync.use.fit import Kind, kind_of, why_unfit

from .conftest import ROOT, catalog, run_cli, sliced, write_catalog

DATA = Path(__file__).parent / "data"
CATALOGS = ("2026-01-10", "2026-03-18", "2026-05-21")
SMALL_REQUEST = Usage(input=100, output=100)


def _model(provider: str, model_id: str, raw: dict[str, Any]) -> Model:
    limit = raw.get("limit") or {}
    modalities = raw.get("modalities") or {}
    return Model(
        provider,
        model_id,
        str(raw.get("name") or model_id),
        family=raw.get("family"),
        context_window=limit.get("context") or None,
        max_output_tokens=limit.get("output") or None,
        modalities={k: tuple(v) for k, v in modalities.items()},
    )


def _real_models() -> dict[tuple[str, str, str | None], Model]:
    out = {}
    for date in CATALOGS:
        with gzip.open(DATA / f"api-{date}.json.gz") as fh:
            data = json.load(fh)
        for provider, raw in data.items():
            for model_id, model in (raw.get("models") or {}).items():
                out[(provider, model_id, model.get("family"))] = _model(provider, model_id, model)
    return out


def test_the_kind_rule_holds_for_every_such_model_of_the_real_catalogs() -> None:
    listed = json.loads((DATA / "model_kinds.json").read_text())["models"]
    models = _real_models()
    assert len(models) > 5_000
    kinds = {k.value for k in Kind}
    seen = set()
    for row in listed:
        key = (row["provider"], row["id"], row["family"])
        model = models[key]
        seen.add(key)
        if "text" in row["output"]:
            assert (kind_of(model) and kind_of(model).value) == row["kind"], key  # type: ignore[union-attr]
        if row["kind"] in kinds or "text" not in row["output"]:
            assert why_unfit(model, SMALL_REQUEST) is not None, key
        elif model.context_window:
            assert row["kind"] is None
            assert why_unfit(model, SMALL_REQUEST) is None, key
    assert sum(1 for r in listed if r["kind"] == "embedding") > 90
    # Every other model of the three catalogs is an ordinary model: no kind.
    ordinary = [m for k, m in models.items() if k not in seen]
    assert len(ordinary) > 5_000
    assert [m.id for m in ordinary if kind_of(m) is not None] == []


@pytest.mark.parametrize(
    ("model", "usage", "why"),
    [
        (
            Model("p", "m", "m", context_window=8_191),
            Usage(input=20_000, output=1_000),
            "prompt and output 21,000 tokens > its context window 8,191",
        ),
        (
            Model("p", "m", "m", context_window=200_000, max_output_tokens=4_096),
            Usage(input=10, output=5_000),
            "output 5,000 tokens > its output limit 4,096",
        ),
        (
            Model("p", "m", "m", modalities={"input": ("text",), "output": ("image",)}),
            SMALL_REQUEST,
            "outputs image, not text",
        ),
        (
            Model("p", "text-embedding-3-small", "x", family="text-embedding"),
            SMALL_REQUEST,
            "embedding model",
        ),
        (Model("p", "m", "m", context_window=0), SMALL_REQUEST, "context window is unknown"),
    ],
)
def test_a_model_that_cannot_answer_says_why(model: Model, usage: Usage, why: str) -> None:
    assert why in (why_unfit(model, usage) or "")


def test_ordinary_chat_models_fit() -> None:
    for model_id, family in [
        ("gpt-5.4", "gpt"),
        ("claude-sonnet-4-5", "claude-sonnet"),
        ("gpt-4o-audio-preview", "gpt"),
        ("deepseek-r1t2-chimera", "deepseek"),
    ]:
        model = Model("p", model_id, model_id, family=family, context_window=128_000)
        assert why_unfit(model, Usage(input=100_000, output=1_000)) is None


@pytest.fixture(scope="module")
def openai_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("repo")
    source = write_catalog(repo / "api.json", sliced(providers=["openai"]))
    modelsync.sync_to_configs(source=source, config_dir=str(repo / "config" / "models"))
    shutil.copy(ROOT / "tasks.py", repo)
    return repo


def test_readme_route_example_never_ranks_an_embedding_model(openai_repo: Path) -> None:
    # `route --complexity simple --max-cost 0.01 --input 20k --output 1k` (the README's).
    choices = modelsync.select(
        "simple",
        max_cost=0.01,
        usage={"input": 20_000, "output": 1_000},
        include_unscored=True,
        config_dir=str(openai_repo / "config" / "models"),
    )
    assert choices
    for choice in choices:
        model = modelsync.load_catalog(config_dir=str(openai_repo / "config" / "models")).get(
            choice.provider, choice.model
        )
        assert kind_of(model) is None, choice.model
        assert "embedding" not in choice.model
        assert (model.context_window or 10**9) >= 21_000


def test_route_with_a_long_prompt_lists_no_model_too_small(openai_repo: Path) -> None:
    result = run_cli(
        "route", "--complexity", "medium", "--input", "150k", "--output", "1k",
        "--include-unscored", "--limit", "0", "--json", cwd=openai_repo,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    cfg = modelsync.load_catalog(config_dir=str(openai_repo / "config" / "models"))
    assert doc["choices"]
    for choice in doc["choices"]:
        model = cfg.get(choice["provider"], choice["model"])
        assert model.context_window is None or model.context_window >= 151_000, choice["model"]
        fits = "fits: 151,000 prompt and output tokens"
        assert any(r.startswith(fits) for r in choice["reasons"])


def test_nothing_fits_says_what_was_left_out(openai_repo: Path) -> None:
    result = run_cli(
        "route", "--complexity", "medium", "--input", "100M", "--include-unscored",
        cwd=openai_repo,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1, result.stderr
    assert "request larger than its context window" in result.stderr
    assert "embedding model" in result.stderr


def test_the_sliced_catalog_has_openai_embeddings() -> None:
    # The fixture above means something only if the catalog holds such models.
    models = catalog()["openai"]["models"]
    assert "text-embedding-3-small" in models
