"""Property tests: awkward ids, keys and values; random catalogs; random user edits.

Invariants: a sync never raises an unexpected exception, never loses a user-owned key,
value or comment, always writes files that validate and that YAML 1.1 and 1.2 readers
read alike, and a second sync changes nothing.
"""

from __future__ import annotations

import copy
import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

import modelsync
from modelsync import yamlfmt
from modelsync.catalog import MODEL_FIELDS
from modelsync.settings import make_settings

from .conftest import sliced, yaml11

AWKWARD = [
    "no",
    "on",
    "off",
    "yes",
    "y",
    "n",
    "null",
    "~",
    "true",
    "False",
    "1e3",
    "1.0",
    "0x1F",
    "2024-01-01",
    "1:20",
    ".inf",
    "a: b",
    "#",
    "a #b",
    " lead",
    "trail ",
    "ünïcødé",
    "名前",
    "@at",
    "a/b:c@d",
    "- x",
    "[x]",
    "{y}",
    "it's",
    '"q"',
    "<<",
    "=",
    "!tag",
    "&anchor",
    "*alias",
    "%",
    "|",
    ">",
    "?",
    "",
    "\t",
    "line\nbreak",
    "Yes",
    "NULL",
    "-",
    "0",
    "007",
]
texts = st.one_of(st.sampled_from(AWKWARD), st.text(max_size=12)).filter(lambda s: _encodable(s))
ids = texts.filter(lambda s: s not in ("",))
user_keys = texts.filter(lambda s: s not in MODEL_FIELDS and s not in ("pinned", ""))
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    texts,
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(user_keys, inner, max_size=3)
    ),
    max_leaves=6,
)
prices = st.one_of(
    st.integers(0, 1000),
    st.sampled_from([0.075, 1e-07, 2.5e-06, 0.1, 3.0, 1e6]),
    st.floats(0, 1e6, allow_nan=False),
)


def _encodable(s: str) -> bool:
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


BASE = sliced(providers=["xai"])["xai"]
TEMPLATE = next(iter(BASE["models"].values()))


@st.composite
def catalogs(draw: Any) -> dict[str, Any]:
    models = {}
    for model_id in draw(st.lists(ids, min_size=1, max_size=5, unique=True)):
        raw = copy.deepcopy(TEMPLATE)
        raw["id"] = model_id
        raw["name"] = draw(texts)
        raw["cost"] = {"input": draw(prices), "output": draw(prices)}
        raw["limit"] = {
            "context": draw(st.integers(0, 10**7)),
            "output": draw(st.integers(0, 10**6)),
        }
        if draw(st.booleans()):
            raw["status"] = draw(st.sampled_from(["alpha", "beta", "deprecated", "other"]))
        models[model_id] = raw
    provider = {k: v for k, v in BASE.items() if k != "models"}
    provider["name"] = draw(texts)
    return {"p": {**provider, "models": models}}


@st.composite
def user_edits(draw: Any) -> list[tuple[str, str | None, str, Any]]:
    """(where, model id or None, key, value) edits a user makes to a synced file."""
    edits = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["model_key", "top_key", "hand_model"]))
        edits.append((kind, None, draw(user_keys), draw(values)))
    return edits


def _apply(doc: dict[str, Any], edits: list[tuple[str, str | None, str, Any]]) -> None:
    managed = list(doc["models"])
    for i, (kind, _, key, value) in enumerate(edits):
        if kind == "model_key" and managed:
            doc["models"][managed[i % len(managed)]][key] = value
        elif kind == "top_key" and key not in (
            "provider",
            "name",
            "env",
            "api",
            "doc",
            "models",
            "default_model",
        ):
            doc[key] = value
        elif kind == "hand_model" and key not in doc["models"]:
            doc["models"][key] = {"name": "hand", "notes": value}


def _owned(doc: dict[str, Any]) -> dict[str, Any]:
    """The user-owned part of a parsed file."""
    out: dict[str, Any] = {
        "top": {
            k: v
            for k, v in doc.items()
            if k not in ("provider", "name", "env", "api", "doc", "models")
        }
    }
    for model_id, entry in doc["models"].items():
        if entry.get("source") != "models.dev":
            out[f"hand:{model_id}"] = entry
        else:
            out[f"keys:{model_id}"] = {k: v for k, v in entry.items() if k not in MODEL_FIELDS}
    return out


ruamel12 = YAML(typ="safe", pure=True)


def _same(a: Any, b: Any) -> bool:
    return json.dumps(a, sort_keys=True, default=str) == json.dumps(b, sort_keys=True, default=str)


COMMENT = "# kept: the user's comment\n"


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(first=catalogs(), second=catalogs(), edits=user_edits())
def test_sync_keeps_user_data_validates_and_is_idempotent(
    first: dict[str, Any], second: dict[str, Any], edits: list[Any]
) -> None:
    """The same user edits, once as a canonical file (merged as plain data) and once with
    a comment (merged through ruamel's round trip): both keep everything, and both give
    the same file but for the comment."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        source = root / "api.json"
        outputs = {}
        for variant in ("plain", "commented"):
            s = make_settings(config_dir=str(root / variant), cache_dir=str(root / "cache"))
            source.write_text(json.dumps(first))
            report = modelsync.sync_to_configs(settings=s, source=str(source))
            assert report.ok, report.failed
            path = root / variant / "p.yml"
            doc = yamlfmt.load(path.read_bytes())
            _apply(doc, edits)
            try:
                text = yamlfmt.dump(doc)
            except yamlfmt.Unrepresentable:  # not canonical: let ruamel write the file
                text = yamlfmt.RoundTrip().dump_plain(doc)
            if variant == "commented":
                text = COMMENT + text
            path.write_text(text)
            owned_before = _owned(yaml11(text))

            source.write_text(json.dumps(second))
            report = modelsync.sync_to_configs(settings=s, source=str(source), allow_shrink=True)
            assert report.ok, report.failed
            written = path.read_text()
            by11 = yaml11(written)
            by12 = ruamel12.load(written)
            assert _same(by11, by12), "YAML 1.1 and 1.2 readers disagree"
            assert _same(_owned(by11), owned_before) or _owned_is_superset(by11, owned_before)
            assert modelsync.validate_configs(settings=s, use_cache=False).ok

            before = path.read_bytes()
            again = modelsync.sync_to_configs(settings=s, source=str(source), allow_shrink=True)
            assert again.changed_files == [] and path.read_bytes() == before
            outputs[variant] = written
        assert outputs["commented"] == COMMENT + outputs["plain"]


def _owned_is_superset(after: dict[str, Any], before: dict[str, Any]) -> bool:
    """User data kept; entries of models newly added by the catalog may appear."""
    now = _owned(after)
    return all(k in now and _same(now[k], v) for k, v in before.items())


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(user_keys, values, max_size=4))
def test_canonical_writer_is_read_back_exactly_by_both_yaml_versions(doc: dict[str, Any]) -> None:
    try:
        text = yamlfmt.dump(doc)
    except yamlfmt.Unrepresentable:
        return
    assert _same(yaml11(text) or {}, doc)
    assert _same(ruamel12.load(text) or {}, doc)
    assert _same(yamlfmt.load(text) or {}, doc)
    rt = yamlfmt.RoundTrip()
    assert rt.dump_plain(doc) == text, "canonical writer and ruamel disagree"


junk = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**20), 10**20) | st.floats() | texts,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=6,
)
UPSTREAM_KEYS = [
    "name",
    "family",
    "limit",
    "cost",
    "modalities",
    "tool_call",
    "reasoning",
    "structured_output",
    "status",
    "knowledge",
    "release_date",
    "last_updated",
    "open_weights",
    "experimental",
    "interleaved",
    "provider",
    "id",
]


@st.composite
def mutated_catalogs(draw: Any) -> dict[str, Any]:
    data = draw(catalogs())
    models = data["p"]["models"]
    for _ in range(draw(st.integers(1, 4))):
        model = models[draw(st.sampled_from(sorted(models)))]
        path = draw(
            st.sampled_from(
                [*UPSTREAM_KEYS, "limit.context", "cost.input", "cost.tiers", "modalities.input"]
            )
        )
        target, _, leaf = path.rpartition(".")
        holder = model.get(target) if target else model
        if isinstance(holder, dict):
            holder[leaf] = draw(junk)
    if draw(st.booleans()):
        data["p"][draw(st.sampled_from(["name", "env", "doc", "api"]))] = draw(junk)
    return data


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(good=catalogs(), bad=mutated_catalogs())
def test_mutated_catalogs_never_break_the_sync(good: dict[str, Any], bad: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        s = make_settings(config_dir=str(root / "cfg"), cache_dir=str(root / "cache"))
        source = root / "api.json"
        source.write_text(json.dumps(good))
        assert modelsync.sync_to_configs(settings=s, source=str(source)).ok
        # NaN and Infinity are not JSON, but real-world encoders write them.
        source.write_text(json.dumps(bad, allow_nan=True))
        report = modelsync.sync_to_configs(settings=s, source=str(source), allow_shrink=True)
        assert report.ok, report.failed
        assert modelsync.validate_configs(settings=s, use_cache=False).ok
        path = root / "cfg" / "p.yml"
        before = path.read_bytes() if path.exists() else None
        again = modelsync.sync_to_configs(settings=s, source=str(source), allow_shrink=True)
        assert again.changed_files == []
        assert (path.read_bytes() if path.exists() else None) == before
