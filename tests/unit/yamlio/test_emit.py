"""The canonical YAML writer on small documents: layout, scalars and what it refuses."""

from __future__ import annotations

import math
from typing import Any

import pytest

from modelsync import yamlio


def test_the_layout_of_nested_mappings_and_sequences() -> None:
    doc = {
        "provider": "acme",
        "models": {
            "acme-1": {
                "name": "Acme 1",
                "context_window": 128000,
                "pricing": {"input": 0.075, "tiers": [{"above_context": 200000, "input": 1.5}]},
                "capabilities": ["vision", "reasoning"],
                "available": True,
                "notes": None,
                "extra": {},
                "empty": [],
            }
        },
    }
    assert yamlio.dump(doc) == (
        "provider: acme\n"
        "models:\n"
        "  acme-1:\n"
        "    name: Acme 1\n"
        "    context_window: 128000\n"
        "    pricing:\n"
        "      input: 0.075\n"
        "      tiers:\n"
        "        - above_context: 200000\n"
        "          input: 1.5\n"
        "    capabilities: [vision, reasoning]\n"
        "    available: true\n"
        "    notes:\n"
        "    extra: {}\n"
        "    empty: []\n"
    )


def test_an_empty_document_is_an_empty_mapping() -> None:
    assert yamlio.dump({}) == "{}\n"


def test_keys_that_need_quotes_get_them() -> None:
    assert yamlio.dump({"no": 1, "1.0": 2, "a/b:c": 3, 5: 4}) == (
        "'no': 1\n'1.0': 2\n'a/b:c': 3\n5: 4\n"
    )


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.075, "0.075"),
        (1e-07, "1.0e-07"),
        (1e22, "1.0e+22"),
        (3.0, "3.0"),
        (float("inf"), ".inf"),
        (float("-inf"), "-.inf"),
        (math.nan, ".nan"),
    ],
)
def test_floats_keep_a_dot_so_every_reader_sees_a_float(value: float, text: str) -> None:
    assert yamlio.format_float(value) == text


@pytest.mark.parametrize(
    ("text", "style"),
    [
        ("gpt-4o", "plain"),
        ("https://api.x.ai/v1", "plain"),
        ("no", "single"),
        ("2025-01-01", "single"),
        ("a: b", "single"),
        ("tab\there", "double"),
        ("line\nbreak", "double"),
    ],
)
def test_scalar_style_in_a_value(text: str, style: str) -> None:
    assert yamlio.scalar_style(text, value=True) == style


def test_a_key_is_held_to_the_strict_rule() -> None:
    assert yamlio.scalar_style("https://api.x.ai/v1", value=True) == "plain"
    assert yamlio.scalar_style("https://api.x.ai/v1") == "single"


@pytest.mark.parametrize(
    "doc",
    [
        {"a": [[1, 2]]},
        {"a": {"when": object()}},
        {None: 1},
        {("a", "b"): 1},
        {"multi\nline": 1},
        {"k" * 130: 1},
    ],
    ids=["nested-sequence", "object", "null-key", "tuple-key", "multi-line-key", "long-key"],
)
def test_data_outside_the_canonical_layout_is_refused(doc: dict[Any, Any]) -> None:
    with pytest.raises(yamlio.Unrepresentable):
        yamlio.dump(doc)
