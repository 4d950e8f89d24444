"""What a user sees of a route, exactly: which models are chosen and in what order, the
reasons, the tally of the models left out, the text, and each error's line; on provider
files written here (never this repository's ``config/models``)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import modelsync
from modelsync.use.router import explain_excluded, render, suggested_capabilities

# The default usage is 1,000 input + 1,000 output tokens: a model priced {input: a,
# output: b} costs (a + b) / 1,000 USD.


def entry(price: tuple[float, float] | None = (1.0, 1.0), **fields: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"name": "x", "context_window": 100_000}
    if price is not None:
        out["pricing"] = {"input": price[0], "output": price[1]}
    out.update(fields)
    return out


def write(config: Path, provider: str, models: dict[str, Any], default: str | None = None) -> None:
    config.mkdir(parents=True, exist_ok=True)
    doc: dict[str, Any] = {"provider": provider}
    if default is not None:
        doc["default_model"] = default
    doc["models"] = models
    # JSON is YAML: the files are read as any provider file.
    (config / f"{provider}.yml").write_text(json.dumps(doc, indent=1), encoding="utf-8")


def score(value: Any) -> dict[str, Any]:
    return {"task_complexity_score": {"complex": value, "medium": value}}


def route(config: Path, complexity: str = "complex", **kw: Any) -> list[modelsync.Choice]:
    return modelsync.select(complexity, config_dir=str(config), **kw)


def names(choices: list[modelsync.Choice]) -> list[str]:
    return [f"{c.provider}/{c.model}" for c in choices]


def test_a_later_route_reads_the_index_not_the_provider_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``route`` answers from the index kept in the cache directory: once it is written,
    a new process parses no provider file."""
    from modelsync import yamlio
    from modelsync.use import view

    config = tmp_path / "config" / "models"
    write(config, "p", {"a": entry(**score(4.5)), "b": entry((2.0, 2.0), **score(4.5))})
    cache = str(tmp_path / "cache")
    first = route(config, cache_dir=cache)
    view._MEMO.clear()  # what a new process starts with
    parsed: list[int] = []
    real_load = yamlio.load
    monkeypatch.setattr(yamlio, "load", lambda data: parsed.append(len(data)) or real_load(data))
    assert names(route(config, cache_dir=cache)) == names(first) == ["p/a", "p/b"]
    assert parsed == [], "the provider file was parsed again instead of read from the index"


# --- who is left out, and the tally ---------------------------------------------------


@pytest.fixture
def crowd(tmp_path: Path) -> Path:
    config = tmp_path / "config" / "models"
    s = score(4.5)
    write(
        config,
        "p",
        {
            "ok": entry(**s, capabilities=["vision"]),
            "gone": entry(**s, available=False, deprecated=True),
            "gone-too": entry(**s, available=False),
            "old": entry(**s, deprecated=True),
            "text-embedding-9": entry(**s),
            "fancy-rerank": entry(**s),
            "painter": entry(**s, modalities={"input": ["text"], "output": ["image"]}),
            "nowindow": entry(**s, context_window=0),
            "short-out": entry(**s, max_output_tokens=999),
            "short-in": entry(**s, max_input_tokens=999),
            "tiny": entry(**s, context_window=1999),
            "tiny-too": entry(**s, context_window=1000),
            "dear": entry((10.0, 10.0), **s),
            "dear-too": entry((10.0, 10.0), **s),
            "unpriced": entry(None, **s),
            "unscored": entry(),
        },
    )
    return config


def test_every_model_left_out_is_counted_under_its_reason(crowd: Path) -> None:
    excluded: dict[str, int] = {}
    choices = route(
        crowd, excluded=excluded, capabilities=["vision"], max_cost=0.002, min_context=2000
    )
    assert names(choices) == ["p/ok"]
    assert excluded == {
        "not available": 2,
        "deprecated": 1,
        "embedding model": 1,
        "rerank model": 1,
        "does not output text": 1,
        "context window unknown": 1,
        "output above its output limit": 1,
        "prompt above its input limit": 1,
        "request larger than its context window": 2,
        "lacks a required capability": 4,  # dear, dear-too, unpriced, unscored
    }
    assert explain_excluded(excluded) == (
        "4 lacks a required capability, 2 not available, "
        "2 request larger than its context window, 1 context window unknown, 1 deprecated, "
        "1 does not output text, 1 embedding model, 1 output above its output limit, "
        "1 prompt above its input limit, 1 rerank model"
    )


def test_cost_min_context_and_scores_leave_out_the_rest(crowd: Path) -> None:
    excluded: dict[str, int] = {}
    assert names(route(crowd, excluded=excluded, max_cost=0.002)) == ["p/ok"]
    assert excluded["cost above max_cost"] == 2 and excluded["cost unknown, max_cost given"] == 1
    assert excluded["unscored"] == 1
    assert "cost unknown, max_cost given" not in route_tally(crowd)
    left: dict[str, int] = {}
    route(crowd, excluded=left, min_context=100_001)
    assert left["context below min_context"] == 5  # ok, dear, dear-too, unpriced, unscored
    assert explain_excluded({}) == "no model in the files"
    assert explain_excluded({"a": 1_234, "b": 2}) == "1,234 a, 2 b"


def route_tally(config: Path) -> dict[str, int]:
    excluded: dict[str, int] = {}
    route(config, excluded=excluded)
    return excluded


def test_a_request_exactly_at_a_limit_fits(tmp_path: Path) -> None:
    config = tmp_path / "models"
    s = score(4.5)
    write(
        config,
        "p",
        {
            "out": entry(**s, max_output_tokens=1500),
            "in": entry(**s, max_input_tokens=1000),
            "window": entry(**s, context_window=2500),
        },
    )
    usage = {"input": 1000, "output": 1000, "reasoning": 500}
    assert names(route(config, usage=usage)) == ["p/in", "p/out", "p/window"]
    assert names(route(config, usage={**usage, "reasoning": 501})) == ["p/in"]
    assert names(route(config, usage={"input": 1001, "output": 1})) == ["p/out", "p/window"]
    assert names(route(config, min_context=2500, usage=usage)) == ["p/in", "p/out", "p/window"]
    assert names(route(config, min_context=2501, usage=usage)) == ["p/in", "p/out"]


def test_a_window_of_one_token_holds_a_one_token_request(tmp_path: Path) -> None:
    config = tmp_path / "models"
    write(config, "p", {"one": entry(**score(4.5), context_window=1)})
    for least in (0, 1):
        (choice,) = route(config, usage={"input": 1}, min_context=least)
        assert f"context 1 >= {least}" in choice.reasons
    assert route(config, usage={"input": 1}, min_context=2) == []


def test_a_cost_equal_to_max_cost_qualifies(tmp_path: Path) -> None:
    config = tmp_path / "models"
    # 1,000 x 100 + 1,000 x 200 = $0.3: as a float, 0.3 is a little below 0.3.
    write(config, "p", {"m": entry((100.0, 200.0), **score(4.5))})
    (choice,) = route(config, max_cost=0.3)
    assert choice.cost == Decimal("0.3")
    assert "estimated cost $0.3 <= max $0.3 for 1,000 input + 1,000 output tokens" in (
        choice.reasons
    )
    assert names(route(config, max_cost=Decimal("0.3"))) == ["p/m"]
    assert route(config, max_cost=Decimal("0.2999")) == []
    # A decimal limit is taken as it is, not through a float (which rounds this one up
    # to 0.3).
    assert route(config, max_cost=Decimal("0.29999999999999999999")) == []
    settings = modelsync.Settings(config_dir=str(config))
    assert names(modelsync.select("complex", settings=settings)) == ["p/m"]


# --- the order ------------------------------------------------------------------------


@pytest.fixture
def ladder(tmp_path: Path) -> Path:
    config = tmp_path / "models"
    write(
        config,
        "a",
        {
            "cheap": entry((0.5, 0.5), **score(4.0)),
            "mid-hi": entry((1.0, 1.0), **score(5)),
            "mid-lo": entry((1.0, 1.0), **score(4.5)),
            "mid-default": entry((1.0, 1.0), **score(4.5)),
            "nocost": entry(None, **score(5.0)),
            "below-hi": entry((9.0, 9.0), **score(3.9)),
            "below-cheap": entry((0.1, 0.1), **score(2.0)),
            "below-dear": entry((5.0, 5.0), **score(2.0)),
        },
        default="mid-default",
    )
    write(config, "b", {"mid-lo": entry((1.0, 1.0), **score(4.5))})
    return config


def test_reaching_models_by_cost_then_score_then_default_then_name(ladder: Path) -> None:
    choices = route(ladder)
    assert names(choices) == [
        "a/cheap",
        "a/mid-hi",
        "a/mid-default",
        "a/mid-lo",
        "b/mid-lo",
        "a/nocost",
        "a/below-hi",
        "a/below-cheap",
        "a/below-dear",
    ]
    assert [c.rank for c in choices] == list(range(1, 10))
    reasons = [c.reasons[-1] for c in choices]
    assert choices[0].reasons[-1] == "cheapest of the 6 candidate(s) reaching the threshold"
    assert reasons[1] == "costs more than #1 a/cheap ($0.002 > $0.001)"
    assert reasons[2] == "the default_model of a"
    assert choices[2].reasons[-2] == "same cost as #2 a/mid-hi, lower score (4.5 < 5)"
    assert reasons[3] == (
        "same cost and score as #3 a/mid-default, which is its provider's default_model"
    )
    assert reasons[4] == "ties with #4 a/mid-lo; ordered by provider and model id"
    assert reasons[5] == "cost unknown, ranks after #5 b/mid-lo (cost $0.002)"
    assert reasons[6] == "highest score of the 3 scored candidate(s) below the threshold"
    assert reasons[7] == "lower score than #7 a/below-hi (2 < 3.9)"
    assert reasons[8] == "costs more than #8 a/below-cheap ($0.01 > $0.0002)"
    assert choices[0].reasons[-2] == "score 4 for complex reaches the threshold 4"
    assert choices[6].reasons[-2] == "score 3.9 for complex is below the threshold 4"
    assert [c.is_default for c in choices].count(True) == 1 and choices[2].is_default


def test_a_limit_keeps_the_best_across_standings(ladder: Path) -> None:
    everything = route(ladder)
    for limit in (1, 6, 7, 9, 20):
        assert route(ladder, limit=limit) == everything[:limit]
    assert route(ladder, limit=0) == everything
    assert route(ladder, limit=None) == everything
    for bad in (True, -1, 1.5, "2"):
        with pytest.raises(modelsync.UsageError) as raised:
            route(ladder, limit=bad)
        assert str(raised.value) == f"limit {bad!r}: expected a whole number >= 0 (0 or None: all)"


def test_the_text_of_a_route(ladder: Path) -> None:
    choices = route(ladder, limit=2, providers=["a"])
    assert render(choices, "complex task") == (
        "complex task:\n"
        "  1. a/cheap  score 4  $0.001\n"
        "       - available\n"
        "       - estimated cost $0.001 for 1,000 input + 1,000 output tokens\n"
        "       - fits: 2,000 prompt and output tokens <= context 100,000\n"
        "       - score 4 for complex reaches the threshold 4\n"
        "       - cheapest of the 5 candidate(s) reaching the threshold\n"
        "  2. a/mid-hi  score 5  $0.002\n"
        "       - available\n"
        "       - estimated cost $0.002 for 1,000 input + 1,000 output tokens\n"
        "       - fits: 2,000 prompt and output tokens <= context 100,000\n"
        "       - score 5 for complex reaches the threshold 4\n"
        "       - costs more than #1 a/cheap ($0.002 > $0.001)\n"
    )
    assert render([], "complex task") == "no model qualifies for complex task\n"


def test_unscored_models_by_suggested_capabilities_then_context_then_cost(
    tmp_path: Path,
) -> None:
    config = tmp_path / "models"
    write(
        config,
        "u",
        {
            "both": entry((5.0, 5.0), capabilities=["reasoning", "function_calling"]),
            "one": entry((0.1, 0.1), capabilities=["function_calling"]),
            "one-big": entry((9.0, 9.0), capabilities=["reasoning"], context_window=200_000),
            "none-cheap": entry((0.1, 0.1)),
            "none-nocost": entry(None),
            "none-dear": entry((0.2, 0.2)),
        },
    )
    with pytest.raises(modelsync.NotScored) as raised:
        route(config)
    assert str(raised.value) == (
        f"6 model(s) of {config} fit this request, but none has a task_complexity_score for "
        "complex: score models by hand (task_complexity_score: {complex: 4} in a model's "
        "entry) or learn scores from outcomes (invoke scores --from outcomes.jsonl); "
        "include_unscored=True (--include-unscored) lists the unscored ones"
    )
    choices = route(config, include_unscored=True)
    assert names(choices) == [
        "u/both",
        "u/one-big",
        "u/one",
        "u/none-cheap",
        "u/none-dear",
        "u/none-nocost",
    ]
    assert choices[0].reasons[-2:] == (
        "has 2 of the capabilities a complex task suggests (reasoning, function_calling)",
        "first of the 6 unscored candidate(s) by capabilities, context, cost",
    )
    assert choices[1].reasons[-1] == "fewer suggested capabilities than #1 u/both (1 < 2)"
    assert choices[2].reasons[-1] == "smaller context than #2 u/one-big (100,000 < 200,000)"
    heads = [x for x in render(choices[4:], "complex task").splitlines() if "- " not in x]
    assert heads == [
        "complex task:",
        "  5. u/none-dear  unscored  $0.0004",
        "  6. u/none-nocost  unscored  cost unknown",
    ]
    medium = route(config, "medium", include_unscored=True)
    # A medium task suggests function_calling only.
    assert names(medium)[:3] == ["u/one", "u/both", "u/one-big"]
    assert medium[0].reasons[-2] == (
        "has 1 of the capabilities a medium task suggests (function_calling)"
    )
    simple = route(config, "simple", include_unscored=True)
    assert names(simple) == [
        "u/one-big",
        "u/none-cheap",
        "u/one",
        "u/none-dear",
        "u/both",
        "u/none-nocost",
    ]


def test_the_capabilities_each_threshold_suggests() -> None:
    assert suggested_capabilities(5.0) == ("reasoning", "function_calling")
    assert suggested_capabilities(4.0) == ("reasoning", "function_calling")
    assert suggested_capabilities(3.99) == ("function_calling",)
    assert suggested_capabilities(2.5) == ("function_calling",)
    assert suggested_capabilities(2.49) == ()


def test_only_numbers_are_scores(tmp_path: Path) -> None:
    config = tmp_path / "models"
    write(
        config,
        "p",
        {
            "int": entry(**score(4)),
            "bool": entry(**score(True)),
            "text": entry(**score("5")),
            "null": entry(**score(None)),
            "list": entry(task_complexity_score=[5]),
            "other": entry(task_complexity_score={"simple": 5}),
        },
    )
    (choice,) = route(config)
    assert (choice.model, choice.score) == ("int", 4.0)
    excluded: dict[str, int] = {}
    route(config, excluded=excluded)
    assert excluded == {"unscored": 5}
    assert names(route(config, include_unscored=True))[0] == "p/int"
    assert len(route(config, include_unscored=True)) == 6


# --- mistakes -------------------------------------------------------------------------


def test_each_mistake_is_one_line_naming_it(crowd: Path) -> None:
    def message(**kw: Any) -> str:
        with pytest.raises(modelsync.UsageError) as raised:
            route(crowd, **kw)
        return str(raised.value)

    assert message(complexity="compelx") == (
        "complexity 'compelx': choose one of simple, medium, complex "
        "(modelsync.route_thresholds); did you mean 'complex'?"
    )
    assert message(capabilities=["visoin"]) == (
        "capability 'visoin' is not a capability of the vocabulary or of any model; "
        "did you mean 'vision'?"
    )
    for bad in (-1, float("nan"), float("inf"), Decimal("-0.01"), Decimal("NaN")):
        assert message(max_cost=bad) == f"max_cost {bad!r}: expected a finite cost >= 0 in USD"
    assert names(route(crowd, max_cost=0.002)) == ["p/ok"]


def test_a_capability_only_a_model_has_is_known(tmp_path: Path) -> None:
    config = tmp_path / "models"
    write(config, "p", {"a": entry(**score(5), capabilities=["teleport"]), "b": entry(**score(5))})
    (choice,) = route(config, capabilities=["teleport"])
    assert choice.model == "a" and "has teleport" in choice.reasons


def test_one_loaded_catalog_routes_requests_of_different_sizes(ladder: Path) -> None:
    catalog = modelsync.load_catalog(config_dir=str(ladder))
    small = modelsync.select("complex", catalog=catalog, limit=1)
    large = modelsync.select("complex", catalog=catalog, limit=1, usage={"input": 50_000})
    assert (small[0].model, small[0].cost) == ("cheap", Decimal("0.001"))
    assert (large[0].model, large[0].cost) == ("cheap", Decimal("0.025"))


def test_rank_keeps_its_own_memos_and_tally_or_fills_the_ones_given(
    tmp_path: Path,
) -> None:
    """``rank`` called without its memos and tally keeps its own for the call; given
    them, it fills them (a cost per priced model, a verdict per model looked at, the
    models left out by reason), which is what lets ``select`` route many requests on one
    catalog without pricing a model twice."""
    from modelsync.use.choice import Request
    from modelsync.use.router import rank

    config = tmp_path / "config" / "models"
    write(
        config,
        "p",
        {
            "a": entry(**score(4.5)),
            "old": entry(**score(4.5), deprecated=True),
            "emb": entry(**score(4.5), family="text-embedding"),
        },
    )
    catalog = modelsync.load_catalog(config_dir=str(config))
    request = Request("complex", 4.0)
    alone = rank(catalog.models(), request, {})
    assert [c.model for c in alone] == ["a"]
    costs: dict[int, Any] = {}
    kinds: dict[int, Any] = {}
    excluded: dict[str, int] = {}
    again = rank(catalog.models(), request, {}, None, costs, excluded, kinds)
    assert [(c.model, c.cost) for c in again] == [(c.model, c.cost) for c in alone]
    assert excluded == {"deprecated": 1, "embedding model": 1}
    a = catalog.get("p", "a")
    assert costs == {id(a): Decimal("0.002")}
    assert set(kinds) == {id(a), id(catalog.get("p", "emb"))}
    assert kinds[id(a)] is None and "embedding" in str(kinds[id(catalog.get("p", "emb"))])
