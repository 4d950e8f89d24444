"""The Markdown report, read by a real CommonMark/GFM renderer (cmark-gfm, the parser
GitHub's own is built on): every string from the catalog stays inside a code span, where
it can make no link, no ``@mention``, no ``#123`` reference and no tag."""

from __future__ import annotations

import dataclasses
import json
from html.parser import HTMLParser
from pathlib import Path

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options
from hypothesis import given, settings
from hypothesis import strategies as st

from modelsync.model.vocab import Kind, Origin, Status
from modelsync.report.attention import Attention, Why
from modelsync.report.markdown import code, render_markdown
from modelsync.report.types import Change, ProviderResult, SourceInfo, SyncReport
from modelsync.util.text import escape

from .conftest import dumps, run_cli, sliced

HOSTILE = "x @octocat closes #1 https://evil.example/phish"
#: What gives the hostile id away if it escaped its code span.
TELLS = ("octocat", "#1", "evil.example", "phish")


class _Html(HTMLParser):
    """The text inside ``<code>``, the text outside it, and every tag."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.code: list[str] = []
        self.outside: list[str] = []
        self.tags: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "code":
            self.depth += 1
            self.code.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "code":
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.code[-1] += data
        else:
            self.outside.append(data)


def _render(markdown: str) -> _Html:
    """GitHub's flavour: tables, autolinks, strikethrough, task lists, tag filter."""
    html = cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)
    return _Html(html)


def _assert_contained(markdown: str, expected_spans: int) -> None:
    page = _render(markdown)
    assert "a" not in page.tags, "a link"
    outside = "".join(page.outside)
    for tell in TELLS:
        assert tell not in outside, (tell, outside)
    assert sum(text == HOSTILE or HOSTILE in text for text in page.code) >= expected_spans


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("`| \\<>&*_[]()#@!a\n\t"), max_size=12) | st.text())
def test_a_code_span_shows_any_text_as_it_is(text: str) -> None:
    shown = escape(text)
    cell = code(text).replace("|", "\\|")  # as the report's tables escape a cell
    for markdown in (f"- {code(text)}\n", f"| head |\n| --- |\n| {cell} |\n"):
        page = _render(markdown)
        assert page.code == [shown or " "], markdown
        assert "a" not in page.tags and "".join(page.outside).split() in ([], ["head"])


def test_code_pads_and_fences_around_backticks() -> None:
    assert code("plain") == "`plain`"
    assert code("a`b") == "``a`b``"
    assert code("`x``") == "``` `x`` ```"
    assert code(" both ") == "`  both  `"
    assert code("   ") == "`   `"
    assert code("") == "` `"
    assert code("a\nb") == "`a\\nb`"


def _hostile_report() -> SyncReport:
    """A report with the hostile string in every place the Markdown shows catalog data."""
    p, m = "acme", HOSTILE
    changes = [
        Change(p, m, Kind.PRICE, "input", 1.0, 2.0),
        Change(p, m, Kind.PRICE, "modes", {HOSTILE: {"input": 1.0}}, {HOSTILE: {"input": 3.0}}),
        Change(p, m, Kind.CONTEXT_WINDOW, "context_window", 1000, 2000),
        Change(p, m, Kind.MAX_OUTPUT_TOKENS, "max_output_tokens", 100, 200),
        Change(p, m, Kind.DEPRECATED),
        Change(p, m, Kind.REMOVED),
        Change(p, m, Kind.PRUNED),
        Change(p, m, Kind.BACK),
        Change(p, m, Kind.PINNED, HOSTILE, 1, 2),
        Change(p, m, Kind.SHADOWED),
        Change(p, m, Kind.ADDED),
    ]
    return SyncReport(
        source=SourceInfo(Origin.FILE, HOSTILE, newest_update=HOSTILE),
        config_dir=HOSTILE,
        providers=[
            ProviderResult(p, Status.ADDED, "acme.yml", changes, skipped_models={m: HOSTILE}),
            ProviderResult(
                "gone",
                Status.CHANGED,
                "gone.yml",
                [Change("gone", m, Kind.REMOVED)],
                in_catalog=False,
            ),
            ProviderResult("bad", Status.SKIPPED, "bad.yml", error=HOSTILE),
            ProviderResult("down", Status.FAILED, "down.yml", error=HOSTILE),
        ],
        attention=[Attention(p, m, Why.PINNED_MOVED, HOSTILE, HOSTILE, HOSTILE, (HOSTILE,))],
    )


def test_every_section_keeps_catalog_text_in_code_spans() -> None:
    markdown = render_markdown(_hostile_report())
    headings = [line for line in markdown.splitlines() if line.startswith("### ")]
    assert len(headings) >= 13, headings
    # catalog, config dir, attention (3), prices (2), limits (2), deprecated, removed (2),
    # pruned, back, pinned (2), shadowed, skipped provider, failed, skipped model (2)
    _assert_contained(markdown, 20)
    refused = render_markdown(dataclasses.replace(_hostile_report(), refused=HOSTILE))
    _assert_contained(refused, 3)


@pytest.mark.slow
def test_a_hostile_model_id_in_a_real_sync_and_a_failure_line(tmp_path: Path) -> None:
    """A real sync through the CLI: the hostile id is repriced, deprecated, and skipped
    for bad data under another provider; then a failing sync's Markdown error line."""
    old = sliced("2026-05-21", ("groq", "mistral"))
    template = dict(next(iter(old["groq"]["models"].values())))
    template["cost"] = {"input": 1.0, "output": 2.0}
    old["groq"]["models"][HOSTILE] = {**template, "id": HOSTILE}
    (tmp_path / "old.json").write_bytes(dumps(old))
    assert run_cli("modelsync", "sync", "--source", "old.json", "-q", cwd=tmp_path).returncode == 0
    new = json.loads(json.dumps(old))
    new["groq"]["models"][HOSTILE].update(cost={"input": 5.0, "output": 2.0}, status="deprecated")
    new["mistral"]["models"][HOSTILE] = {**template, "id": HOSTILE, "cost": {"input": "x"}}
    (tmp_path / "new.json").write_bytes(dumps(new))
    out = run_cli("modelsync", "sync", "--source", "new.json", "--format", "markdown", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "### Price changes (1)" in out.stdout and "### Newly deprecated (1)" in out.stdout
    assert "### Models skipped for bad upstream data (1)" in out.stdout
    _assert_contained(out.stdout, 3)

    out = run_cli("modelsync", "sync", "--source", HOSTILE, "--format", "markdown", cwd=tmp_path)
    assert out.returncode == 1 and "**Failed:**" in out.stdout, (out.stdout, out.stderr)
    _assert_contained(out.stdout, 1)
