"""The YAML layer: quoting for YAML 1.1 and 1.2 readers, the canonical writer, the
fast reader and the round trip."""

from __future__ import annotations

import pytest
from ruamel.yaml import YAML

from modelsync import yamlio

from ...conftest import sliced, yaml11

ruamel12 = YAML(typ="safe", pure=True)


@pytest.mark.parametrize(
    "word",
    [
        "no",
        "No",
        "NO",
        "yes",
        "on",
        "off",
        "y",
        "n",
        "Y",
        "true",
        "False",
        "null",
        "~",
        "",
        "1e3",
        "1e-07",
        "1.0",
        "0x1F",
        "0o17",
        "017",
        "1_000",
        "1:20",
        ".inf",
        "-.inf",
        ".nan",
        "._5",
        "2024-10-22",
        "2024-10-22T10:00:00Z",
        "+1",
        "-1",
        "<<",
        "=",
        "---",
        "...",
        "- a",
        "a: b",
        "#x",
        "a #x",
        "@x",
        "`x",
        "!x",
        "&x",
        "*x",
        "%x",
        "|",
        ">",
        "?",
        "[a]",
        "{a}",
        "a,b",
        " lead",
        "trail ",
    ],
)
def test_ambiguous_strings_are_quoted_and_read_back_as_strings(word: str) -> None:
    doc = {"key": word, word: "value", "list": [word]}
    text = yamlio.dump(doc)
    assert yaml11(text) == doc, text  # YAML 1.1
    assert ruamel12.load(text) == doc, text  # YAML 1.2
    assert f"key: {word}\n" not in text or yamlio.scalar_style(word, True) == "plain"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.075, "0.075"),
        (1e-07, "1.0e-07"),
        (4.0, "4.0"),
        (1e16, "1.0e+16"),
        (2.5e-06, "2.5e-06"),
        (3, "3"),
        (True, "true"),
        (None, ""),
    ],
)
def test_numbers_are_written_exactly_and_read_as_numbers(value: object, text: str) -> None:
    out = yamlio.dump({"v": value})
    assert out == f"v: {text}\n".replace("v: \n", "v:\n")
    assert yaml11(out)["v"] == value and type(yaml11(out)["v"]) is type(value)
    assert ruamel12.load(out)["v"] == value


def test_plain_strings_stay_plain() -> None:
    for word in (
        "Claude Sonnet 4.5",
        "gpt-4o",
        "302ai",
        "claude-3-5-sonnet@20241022",
        "workers-ai/@cf/meta/llama-3-8b-instruct",
    ):
        assert yamlio.scalar_style(word) == "plain", word
    assert yamlio.scalar_style("https://x.ai/docs?a=1", value=True) == "plain"
    assert yamlio.scalar_style("https://x.ai/docs") == "single"  # keys and flow items


@pytest.mark.slow
def test_canonical_writer_equals_ruamel_on_real_catalog_data() -> None:
    from modelsync.model.mapping import provider_from_upstream

    rt = yamlio.RoundTrip()
    for provider_id, raw in sliced().items():
        provider = provider_from_upstream(provider_id, raw)
        doc = {
            "provider": provider_id,
            **provider.fields,
            "models": {m: provider.models[m].to_config() for m in sorted(provider.models)},
        }
        text = yamlio.dump(doc)
        assert rt.dump_plain(doc) == text, provider_id
        assert rt.load(text).dump() == text, "ruamel must give a canonical file back unchanged"
        assert yaml11(text) == doc and yamlio.load(text) == doc


def test_fast_reader_rejects_duplicate_keys_with_position() -> None:
    with pytest.raises(yamlio.YamlError) as err:
        yamlio.load("provider: x\nmodels:\n  a: {}\n  b: {}\n  a: {}\n")
    assert (err.value.line, err.value.column) == (5, 3)
    assert "duplicate key 'a'" in err.value.message


def test_fast_reader_keeps_timestamps_as_strings_and_reports_bad_bytes() -> None:
    assert yamlio.load("d: 2024-10-22\n") == {"d": "2024-10-22"}
    with pytest.raises(yamlio.YamlError) as err:
        yamlio.load(b"a: 1\nb: caf\xe9\n")
    assert (err.value.line, err.value.column) == (2, 7)
    assert "UTF-8" in err.value.message


def test_syntax_errors_carry_line_and_column() -> None:
    with pytest.raises(yamlio.YamlError) as err:
        yamlio.load("a: 1\nb: [1, 2\nc: 3\n")
    assert err.value.line == 3


@pytest.mark.parametrize(
    "text",
    [
        "---\na: 1\n",
        "# header\n---\na: 1  # note\n",
        "# header\n\n--- # start\na: 1\n",
        "a: 1\n...\n",
        "%YAML 1.2\n---\na: 1\n",
        "a: 1\r\nb: [x, y]\r\n",
        "\ufeff# bom\na: 1\n",
        "a:\n- 1\n- 2\n",
        "a:\n    b:\n        - x   # four spaces\n",
        "a: 1\n\n\n# trailing comment\n",
        "a: 2.594789688286345e+16\nb: 1.0e-07\nc: 3.00\n",
    ],
)
def test_round_trip_keeps_what_ruamel_alone_would_drop(text: str) -> None:
    assert yamlio.RoundTrip().load(text).dump() == text


def test_round_trip_does_not_carry_state_between_documents() -> None:
    rt = yamlio.RoundTrip()
    assert rt.load("%YAML 1.2\n---\na: 1\n").dump().startswith("%YAML")
    assert rt.load("b: 2\n").dump() == "b: 2\n"


def test_guess_indent() -> None:
    assert yamlio.guess_indent("a:\n  b:\n    - x\n") == yamlio.Indent(2, 4, 2)
    assert yamlio.guess_indent("a:\n  b:\n  - x\n") == yamlio.Indent(2, 2, 0)
    assert yamlio.guess_indent("a:\n    b: 1\n") == yamlio.Indent(4, 4, 2)
