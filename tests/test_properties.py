"""Property tests: awkward ids, keys and values; random catalogs; random user edits.

Invariants: a sync never raises an unexpected exception, never loses a user-owned key,
value or comment, always writes files that validate and that YAML 1.1 and 1.2 readers
read alike, and a second sync changes nothing.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

import modelsync
from modelsync import yamlio
from modelsync.checks.keys import MODEL_KEYS, TOP_KEYS, close_key
from modelsync.model.catalog import MODEL_FIELDS
from modelsync.settings import make_settings

from .conftest import sliced, yaml11

#: Property tests: Hypothesis tries hundreds of cases each.
pytestmark = pytest.mark.slow

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
# A key within reach of a known key's spelling (``modes`` for ``models``) is refused as a
# likely typo (tests/unit/checks/test_key_names.py); user data here is what is kept.
user_keys = texts.filter(
    lambda s: (
        s not in MODEL_FIELDS
        and s not in ("pinned", "")
        and close_key(s, (*TOP_KEYS, *MODEL_KEYS)) is None
    )
)
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
            doc = yamlio.load(path.read_bytes())
            _apply(doc, edits)
            try:
                text = yamlio.dump(doc)
            except yamlio.Unrepresentable:  # not canonical: let ruamel write the file
                text = yamlio.RoundTrip().dump_plain(doc)
            if variant == "commented":
                text = COMMENT + text
            path.write_text(text)
            owned_before = _owned(yaml11(text))

            source.write_text(json.dumps(second))
            report = modelsync.sync_to_configs(
                settings=s, source=str(source), allow_shrink=True, allow_older=True
            )
            assert report.ok, report.failed
            written = path.read_text()
            by11 = yaml11(written)
            by12 = ruamel12.load(written)
            assert _same(by11, by12), "YAML 1.1 and 1.2 readers disagree"
            assert _same(_owned(by11), owned_before) or _owned_is_superset(by11, owned_before)
            assert modelsync.validate_configs(settings=s, use_cache=False).ok

            before = path.read_bytes()
            again = modelsync.sync_to_configs(
                settings=s, source=str(source), allow_shrink=True, allow_older=True
            )
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
        text = yamlio.dump(doc)
    except yamlio.Unrepresentable:
        return
    assert _same(yaml11(text) or {}, doc)
    assert _same(ruamel12.load(text) or {}, doc)
    assert _same(yamlio.load(text) or {}, doc)
    rt = yamlio.RoundTrip()
    assert rt.dump_plain(doc) == text, "canonical writer and ruamel disagree"


@settings(max_examples=300, deadline=None)
@given(st.one_of(texts, st.from_regex(r"[-+._0-9eExXoObB:<=~nNtTfF]{1,8}", fullmatch=True)))
def test_a_model_id_the_writer_leaves_plain_is_never_ambiguous(model_id: str) -> None:
    """What the sync writes as a plain key, its key check never refuses."""
    from modelsync.checks.keys import other_reading

    if yamlio.scalar_style(model_id) == "plain":
        assert other_reading(model_id) is None


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
        # NaN and Infinity are not JSON, but real-world encoders write them. A mutated
        # last_updated may be an older date: the rollback guard is tested on its own.
        source.write_text(json.dumps(bad, allow_nan=True))
        report = modelsync.sync_to_configs(
            settings=s, source=str(source), allow_shrink=True, allow_older=True
        )
        assert report.ok, report.failed
        assert modelsync.validate_configs(settings=s, use_cache=False).ok
        path = root / "cfg" / "p.yml"
        before = path.read_bytes() if path.exists() else None
        again = modelsync.sync_to_configs(
            settings=s, source=str(source), allow_shrink=True, allow_older=True
        )
        assert again.changed_files == []
        assert (path.read_bytes() if path.exists() else None) == before


# --- hand-written constructs -----------------------------------------------------------


@st.composite
def hand_writing(draw: Any) -> dict[str, Any]:
    """Which constructs a person adds to a synced file by hand."""
    return {
        "alias": draw(st.booleans()),  # a second model's pricing: *p
        "user_alias": draw(st.booleans()),  # a user key of the last model: *p
        "merge": draw(st.booleans()),  # a hand-written entry with <<: *base
        "block_list": draw(st.booleans()),  # capabilities as a block list with comments
        "markers": draw(st.booleans()),  # --- and ... with a comment after it
        "indent4": draw(st.booleans()),  # PyYAML's indent=4 layout
        "comments": draw(st.booleans()),  # above the first model, between the first two
        "quote": draw(st.sampled_from(["'", '"', ""])),  # a user value's quoting
        "note": draw(texts.filter(lambda s: "\n" not in s and "\r" not in s)),
        "prune": draw(st.booleans()),
        "default": draw(st.booleans()),  # default_model names the last model
    }


EXTRA = "extra:\n{0}since: !!timestamp 2024-01-01\n{0}legacy: !!bool yes\n"


def _hand_write(
    text: str, how: dict[str, Any]
) -> tuple[str, list[tuple[str, str | None]], dict[tuple[str, str], Any]]:
    """The synced ``text`` with ``how``'s constructs added, the lines that must survive,
    (with the model they are in, if they go when it is pruned), and the values that must
    keep their meaning (by model and key)."""
    from ruamel.yaml.comments import CommentedSeq
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

    from modelsync.yamlio.components import single_quotable

    rt = yamlio.RoundTrip()
    document = rt.load(text)
    models = document.data["models"]
    ids = list(models)
    first, last = models[ids[0]], models[ids[-1]]
    kept: dict[tuple[str, str], Any] = {}
    if how["alias"] or how["user_alias"] or how["merge"]:
        first["pricing"].yaml_set_anchor("p", always_dump=True)
    if how["alias"] and len(ids) > 1:
        last["pricing"] = first["pricing"]
    if how["user_alias"]:
        last["list_price"] = first["pricing"]
        kept[(ids[-1], "list_price")] = yamlio.load(text)["models"][ids[0]]["pricing"]
    if how["merge"]:
        first.yaml_set_anchor("base", always_dump=True)
    if how["block_list"]:
        first["capabilities"] = CommentedSeq(
            [*first["capabilities"], "streaming", "system_messages"]
        )
        first["capabilities"].fa.set_block_style()
    note = how["note"]
    if how["quote"] == '"':
        last["notes"] = DoubleQuotedScalarString(note)
    elif how["quote"] == "'" and single_quotable(note):
        last["notes"] = SingleQuotedScalarString(note)
    elif how["quote"] == "":
        last["notes"] = note
    if how["default"]:
        document.data.insert(len(document.data) - 1, "default_model", ids[-1])
    if how["indent4"]:
        document.layout = dataclasses.replace(
            document.layout, indent=yamlio.Indent(4, 4, 0, scalar_dash=2)
        )
    text = document.dump()
    pad = "    " if how["indent4"] else "  "
    lines = text.splitlines(keepends=True)
    dash = ""
    if how["block_list"]:
        at = next(i for i, ln in enumerate(lines) if ln.strip() == "- streaming")
        dash = lines[at][: len(lines[at]) - len(lines[at].lstrip())].rstrip("\n")
        lines.insert(at, f"{dash}# router needs these two:\n")
        lines[at + 2] = lines[at + 2].rstrip("\n") + "  # since v2\n"
    if how["comments"] and len(ids) > 1:
        second = rt.load("".join(lines)).data["models"].lc.key(ids[1])[0]
        lines.insert(second, f"{pad}# the second model, hand-picked\n")
        at = lines.index("models:\n") + 1
        lines.insert(at, f"{pad}# models, sorted by id\n")
    text = "".join(lines)
    if how["merge"]:
        text += f"{pad}hand-child:\n{pad * 2}<<: *base\n{pad * 2}name: child\n{pad * 2}notes: x\n"
    extra = EXTRA.format(pad)
    text += extra
    if how["markers"]:
        text = "---\n" + text + "...\n# after the end marker\n"
    if "notes" in last:  # as the file reads (a plain Yes is true to YAML 1.1 readers)
        kept[(ids[-1], "notes")] = yamlio.load(text)["models"][ids[-1]]["notes"]
    ours = set(extra.splitlines())
    inside = (
        {f"{dash}# router needs these two:", f"{dash}- system_messages  # since v2"}
        if how["block_list"]
        else set()
    )
    must = [
        (ln, ids[0] if ln in inside else None)
        for ln in text.splitlines()
        if ln.lstrip().startswith("#") or ln in inside or ln in ours
    ]
    return text, must, kept


# No shrinking: a failing example is reported as found (shrinking these catalogs takes
# minutes and rarely makes them shorter).
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
@given(first=catalogs(), second=catalogs(), how=hand_writing())
def test_hand_written_constructs_survive_syncs(
    first: dict[str, Any], second: dict[str, Any], how: dict[str, Any]
) -> None:
    """Anchors and aliases, merge keys, comments in lists and after '...', another
    indentation, quoted values, --prune: no user line lost, no model changed through
    another, the output validates, and a second sync is a no-op."""
    from modelsync.model.mapping import provider_from_upstream
    from modelsync.yamlio.meaning import same

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        source = root / "api.json"
        s = make_settings(
            config_dir=str(root / "cfg"), cache_dir=str(root / "cache"), prune=how["prune"]
        )
        source.write_text(json.dumps(first))
        assert modelsync.sync_to_configs(settings=s, source=str(source)).ok
        path = root / "cfg" / "p.yml"
        text, must, kept = _hand_write(path.read_text(), how)
        path.write_text(text)
        assert modelsync.validate_configs(settings=s, use_cache=False).ok, text

        source.write_text(json.dumps(second))
        report = modelsync.sync_to_configs(settings=s, source=str(source), allow_shrink=True)
        assert report.ok, report.failed
        written = path.read_text()
        lines = written.splitlines()
        position = -1
        pruned = {c.model for c in report.changes("pruned")}
        for line, owner in must:
            if owner in pruned:
                continue
            assert line in lines[position + 1 :], f"user line lost or moved: {line!r}"
            position = lines.index(line, position + 1)
        doc = yamlio.load(written)
        upstream = provider_from_upstream("p", second["p"]).models
        for model_id, entry in doc["models"].items():
            if model_id in upstream and entry.get("source") == "models.dev":
                config = upstream[model_id].to_config()
                assert entry.get("pricing") == config.get("pricing"), model_id
        for (model_id, key), value in kept.items():
            assert same(doc["models"][model_id][key], value), (model_id, key)
        if how["merge"]:
            child = doc["models"]["hand-child"]
            assert set(child.own_keys) == {"name", "notes"}
        if how["default"]:
            assert doc["default_model"] in doc["models"]
        if how["indent4"]:
            now, was = yamlio.guess_indent(written), yamlio.guess_indent(text)
            assert now.mapping == was.mapping
            if any(ln.lstrip().startswith("- ") for ln in lines):  # still a block list
                assert now == was
        assert modelsync.validate_configs(settings=s, use_cache=False).ok, written

        again = modelsync.sync_to_configs(settings=s, source=str(source), allow_shrink=True)
        assert again.changed_files == [] and path.read_text() == written
