"""The ownership-aware merge of a provider's catalog data into its config document.

One algorithm, two document types: plain data (a file in the canonical layout) and
ruamel's round-trip tree (a file a person has formatted or commented). An
:class:`~modelsync.yamlio.edit.Editor` hides the difference: how to make a node, insert
a key at a position, delete a key.

Who owns what is :mod:`modelsync.model.ownership`; a file of a provider that is not in the
catalog is the user's, beyond marking its managed models unavailable.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping, Sequence
from typing import Any

from ..errors import ConfigError
from ..model.catalog import CAPABILITIES, MODEL_FIELDS, PINNABLE, PROVIDER_FIELDS, Model, Provider
from ..model.ownership import anchored, is_managed, merged, own_keys, user_keys
from ..model.vocab import Kind
from ..report.types import Change
from ..yamlio.edit import Editor
from ..yamlio.meaning import plain

_MISSING: Any = object()


# --- merge -----------------------------------------------------------------------------


class MergeError(ConfigError):
    """A file the merge cannot apply; ``parts`` is the JSON path of what is wrong, so the
    caller can name its line."""

    def __init__(self, message: str, parts: Sequence[Any]) -> None:
        super().__init__(message)
        self.parts = list(parts)


def _same(a: Any, b: Any) -> bool:
    """Equal as YAML values: 4 and 4.0 differ, True and 1 differ, str styles do not."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and bool(a) == bool(b)
    if isinstance(a, float) or isinstance(b, float):
        return isinstance(a, float) and isinstance(b, float) and float(a) == float(b)
    if isinstance(a, int) or isinstance(b, int):
        return isinstance(a, int) and isinstance(b, int) and int(a) == int(b)
    if isinstance(a, str) or isinstance(b, str):
        return isinstance(a, str) and isinstance(b, str) and str(a) == str(b)
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=False))
    return a is None and b is None


class Merger:
    """Merges one provider's catalog data into one config document."""

    def __init__(self, editor: Editor, provider_id: str, *, prune: bool = False) -> None:
        self.editor = editor
        self.provider_id = provider_id
        self.prune = prune
        self.changes: list[Change] = []
        self._default_model: Any = None
        self._models_parent: tuple[MutableMapping[Any, Any], Any] | None = None

    # -- generic field sync ------------------------------------------------------------

    def _position(self, mapping: Mapping[Any, Any], key: str, order: Sequence[str]) -> int:
        """Where a missing ``key`` goes: after the nearest earlier key of ``order``."""
        rank = {k: i for i, k in enumerate(order)}
        mine = rank[key]
        keys = list(mapping)
        best_after = -1
        first_later = None
        for i, k in enumerate(keys):
            r = rank.get(k) if isinstance(k, str) else None
            if r is None:
                continue
            if r < mine:
                best_after = i
            elif first_later is None:
                first_later = i
        if best_after >= 0:
            return best_after + 1
        return first_later if first_later is not None else len(keys)

    def _assign(self, container: MutableMapping[Any, Any], key: Any, new: Any) -> None:
        current = container[key]
        if isinstance(current, MutableMapping) and isinstance(new, Mapping) and new:
            self._sync_mapping(current, new)
        elif isinstance(current, list) and isinstance(new, list):
            if _same(current, new):
                return
            if (
                len(current) == len(new)
                and all(isinstance(c, MutableMapping) for c in current)
                and all(isinstance(n, Mapping) for n in new)
            ):
                for c, n in zip(current, new, strict=False):
                    self._sync_mapping(c, n)
            else:
                self.editor.set_items(current, new, parent=(container, key))
        elif not _same(current, new):
            container[key] = self.editor.node(new)

    def _sync_mapping(self, current: MutableMapping[Any, Any], new: Mapping[str, Any]) -> None:
        order = list(new)
        for key in [k for k in current if k not in new]:
            self.editor.delete(current, key)
        for key, value in new.items():
            if key in current:
                self._assign(current, key, value)
            else:
                self.editor.insert(
                    current, self._position(current, key, order), key, self.editor.node(value)
                )

    def _sync_fields(
        self,
        target: MutableMapping[Any, Any],
        new: Mapping[str, Any],
        order: Sequence[str],
        skip: frozenset[str] = frozenset(),
    ) -> None:
        own = own_keys(target) if merged(target) else None
        for key in order:
            if key in skip:
                continue
            value = new.get(key, _MISSING)
            if own is not None and key in target and key not in own:
                # Inherited through a merge key: never edited in place (that would edit
                # the entry it comes from); overridden here when upstream differs.
                if value is not _MISSING and not _same(target[key], value):
                    target[key] = self.editor.node(value)
                continue
            if value is _MISSING:
                if key in target:
                    self.editor.delete(target, key)
            elif key in target:
                self._assign(target, key, value)
            else:
                self.editor.insert(
                    target, self._position(target, key, order), key, self.editor.node(value)
                )

    # -- models ------------------------------------------------------------------------

    def _pinned(self, model_id: str, entry: Mapping[Any, Any]) -> frozenset[str]:
        pinned = entry.get("pinned")
        if pinned is None:
            return frozenset()
        where = ["models", model_id, "pinned"]
        if not isinstance(pinned, list) or not all(isinstance(p, str) for p in pinned):
            raise MergeError(f"models.{model_id}.pinned must be a list of field names", where)
        unknown = [(i, p) for i, p in enumerate(pinned) if p not in PINNABLE]
        if unknown:
            raise MergeError(
                f"models.{model_id}.pinned: {', '.join(repr(p) for _, p in unknown)} "
                f"{'is not a' if len(unknown) == 1 else 'are not'} synced field"
                f"{'' if len(unknown) == 1 else 's'} (pinnable: {', '.join(PINNABLE)})",
                [*where, unknown[0][0]],
            )
        return frozenset(str(p) for p in pinned)

    def _note(
        self, model_id: str, kind: str, field: str | None = None, old: Any = None, new: Any = None
    ) -> None:
        self.changes.append(Change(self.provider_id, model_id, Kind(kind), field, old, new))

    def _report_price_changes(self, model_id: str, old_pricing: Any, new_pricing: Any) -> None:
        """One change per price that differs: flat prices first, then tiers and modes."""
        if _same(old_pricing, new_pricing):
            return
        old_p = plain(old_pricing) if isinstance(old_pricing, Mapping) else {}
        new_p = new_pricing or {}
        keys = [k for k in dict.fromkeys([*old_p, *new_p]) if k not in ("tiers", "modes")]
        for k in [*keys, "tiers", "modes"]:
            if not _same(old_p.get(k), new_p.get(k)):
                self._note(model_id, "price", k, old_p.get(k), new_p.get(k))

    def _report_field_changes(
        self,
        model_id: str,
        entry: Mapping[Any, Any],
        new: Mapping[str, Any],
        pinned: frozenset[str],
    ) -> None:
        if "pricing" not in pinned:
            self._report_price_changes(model_id, entry.get("pricing"), new.get("pricing"))
        for field in ("context_window", "max_output_tokens"):
            if field in pinned:
                continue
            old = entry.get(field)
            if not _same(old, new.get(field)):
                self._note(model_id, field, field, plain(old), new.get(field))
        if (
            "deprecated" not in pinned
            and new.get("deprecated") is True
            and entry.get("deprecated") is not True
        ):
            self._note(model_id, "deprecated", "deprecated", plain(entry.get("deprecated")), True)
        if entry.get("available") is False:
            self._note(model_id, "back")

    def _capabilities(self, current: Any, derived: list[str]) -> list[str]:
        """Derived capabilities first, then those the user added, in their order."""
        extra = (
            [c for c in current if c not in CAPABILITIES and c not in derived]
            if isinstance(current, list)
            else []
        )
        return [*derived, *extra]

    def _update_model(
        self, model_id: str, entry: MutableMapping[Any, Any], new: dict[str, Any]
    ) -> None:
        pinned = self._pinned(model_id, entry)
        for field in sorted(pinned):
            if field in new and (field not in entry or not _same(entry[field], new[field])):
                self._note(model_id, "pinned", field, plain(entry.get(field)), new[field])
        self._report_field_changes(model_id, entry, new, pinned)
        new = dict(new)
        new["capabilities"] = self._capabilities(entry.get("capabilities"), new["capabilities"])
        self._sync_fields(entry, new, MODEL_FIELDS, skip=pinned)

    def _retire_model(
        self, model_id: str, models: MutableMapping[Any, Any], entry: MutableMapping[Any, Any]
    ) -> None:
        if self.prune and not user_keys(entry):
            if model_id == self._default_model:
                self._note(model_id, "not_pruned", "default_model")
            elif anchored(entry):
                self._note(model_id, "not_pruned", "anchor")
            else:
                self.editor.delete(models, model_id, parent=self._models_parent)
                self._note(model_id, "pruned")
                return
        if entry.get("available") is not False:
            self._note(model_id, "removed")
            if "available" in entry:
                self._assign(entry, "available", False)
            else:
                self.editor.insert(
                    entry, self._position(entry, "available", MODEL_FIELDS), "available", False
                )

    def merge(self, doc: MutableMapping[Any, Any], upstream: Provider | None) -> list[Change]:
        """Merge ``upstream`` (``None``: the provider left the catalog) into ``doc``."""
        self._default_model = doc.get("default_model")
        self._models_parent = (doc, "models")
        self._merge_provider(doc, upstream)
        models = self._models(doc, upstream)
        if models is None:
            return self.changes
        catalog = upstream.models if upstream is not None else {}
        skipped = upstream.skipped if upstream is not None else {}
        self._merge_existing(models, catalog, skipped)
        self._add_new(doc, models, catalog)
        return self.changes

    def _merge_provider(self, doc: MutableMapping[Any, Any], upstream: Provider | None) -> None:
        """``provider`` must name this file's provider; its synced fields follow upstream."""
        if "provider" not in doc:
            self.editor.insert(doc, 0, "provider", self.editor.node(self.provider_id))
        elif doc["provider"] != self.provider_id:
            raise MergeError(
                f"provider: {doc['provider']!r} does not match the file name "
                f"({self.provider_id!r})",
                ["provider"],
            )
        if upstream is not None:
            self._sync_fields(
                doc, upstream.fields, ("provider", *PROVIDER_FIELDS), skip=frozenset({"provider"})
            )

    def _models(
        self, doc: MutableMapping[Any, Any], upstream: Provider | None
    ) -> MutableMapping[Any, Any] | None:
        """The document's ``models`` mapping, made when upstream has models; ``None`` when
        there is none and nothing to add."""
        models = doc.get("models", _MISSING)
        if models is _MISSING or models is None:
            if upstream is None or not upstream.models:
                return None
            models = self.editor.mapping()
            doc["models"] = models
        elif not isinstance(models, MutableMapping):
            raise MergeError("models: must be a mapping of model id to model", ["models"])
        return models

    def _merge_existing(
        self,
        models: MutableMapping[Any, Any],
        catalog: Mapping[str, Model],
        skipped: Mapping[str, str],
    ) -> None:
        """Update the managed models upstream still has, retire those it dropped; note
        hand-written entries that shadow a catalog model."""
        for model_id in list(models):
            entry = models[model_id]
            if not is_managed(entry):
                if model_id in catalog:
                    self._note(str(model_id), "shadowed")
                continue
            if model_id in skipped:
                continue  # bad upstream data: keep what the file has
            if model_id in catalog:
                self._update_model(model_id, entry, catalog[model_id].to_config())
            else:
                self._retire_model(model_id, models, entry)

    def _add_new(
        self,
        doc: MutableMapping[Any, Any],
        models: MutableMapping[Any, Any],
        catalog: Mapping[str, Model],
    ) -> None:
        """Insert the catalog's models the file does not have, each among the managed
        models in id order."""
        managed = [(i, str(k)) for i, (k, v) in enumerate(models.items()) if is_managed(v)]
        placed = []
        for model_id in sorted(set(catalog) - set(models)):
            index = _insert_position(managed, model_id, len(models))
            placed.append(
                (
                    index,
                    self.editor.node(model_id, False),
                    self.editor.node(catalog[model_id].to_config()),
                )
            )
            self._note(model_id, "added")
        self.editor.insert_many(models, placed, parent=(doc, "models"))


def _insert_position(managed: list[tuple[int, str]], model_id: str, size: int) -> int:
    """Where a new model goes: right after the last managed model whose id sorts before it
    (so hand-written entries keep their place), else before the first managed model."""
    before = [i for i, key in managed if key < model_id]
    if before:
        return before[-1] + 1
    return managed[0][0] if managed else size
