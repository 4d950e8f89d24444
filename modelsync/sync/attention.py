"""Needs attention: what a sync changed about the models a team depends on.

A managed model is *depended on* when its file's ``default_model`` names it, or when it
carries a user-owned key: ``task_complexity_score``, ``notes``, ``pinned``, or a key
listed in the ``watch_keys`` setting. For those models a sync compares the file before
and after (what it wrote, or with ``--check``/``--dry-run`` would write) and reports:

* it left the catalog (now ``available: false``), or came back;
* it became deprecated, or its ``alpha``/``beta`` status changed;
* a price (input, output, cache read, cache write) rose by more than ``price_alert``
  percent; its context window or output limit shrank;
* a pinned field's upstream value moved since the last sync (not merely differs).

The planner hands over what the merge already holds (:class:`Watched`): copies of the
old entries of the models that may be depended on, and the merged document. A file with
no such model (every new file, most synced ones) costs nothing here; the files are
parsed again only for a plan that holds nothing (one whose file was not merged).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeGuard

from ..model.catalog import SOURCE
from ..model.ownership import DEPENDENCY_KEYS
from ..model.vocab import Kind
from ..report.attention import Attention, Why
from ..util.digests import digest

if TYPE_CHECKING:
    from ..settings import Settings
    from .plan import Plan
    from .state import State

#: Prices whose rise is watched.
WATCHED_PRICES = ("input", "output", "cache_read", "cache_write")


def find(settings: Settings, state: State | None, plans: Mapping[str, Plan]) -> list[Attention]:
    """Attention items of every provider whose file this sync changes (or would)."""

    items: list[Attention] = []
    for provider_id, plan in sorted(plans.items()):
        status = plan.result.status
        pinned = [c for c in plan.result.changes if c.kind == Kind.PINNED]
        if not status.writes and not pinned:
            continue
        if plan.old is None:
            continue  # a new file: no model had a value to compare with
        watched = plan.watched
        before: Mapping[Any, Any]
        after: Mapping[Any, Any]
        if watched is None:  # nothing held: parse the file before and after
            before = _models(plan.old)
            after_doc = _doc(plan.new if plan.new is not None else plan.old)
            listed = after_doc.get("models")
            after = listed if isinstance(listed, dict) else {}
            default = after_doc.get("default_model")
        elif not watched.before:
            continue  # no model of it is depended on
        elif plan.new is not None and watched.after is not None:
            before, after, default = watched.before, watched.after, watched.after_default
        else:  # not merged, or not to be written: the file as it was
            before, after, default = watched.before, watched.before, watched.default
        known = state.providers.get(provider_id) if state else None
        previous = {(n[0], n[2]): n[4] for n in known.notes if n[1] == "pinned"} if known else {}
        # Untouched since the last sync: a pinned difference not recorded then is new
        # upstream (after a hand edit it may be the new pin itself).
        untouched = known is not None and plan.old is not None and digest(plan.old) == known.file
        for model_id, entry in after.items():
            if watched is not None and model_id not in watched.before:
                continue
            if not isinstance(entry, dict) or entry.get("source") != SOURCE:
                continue
            depends = _depends(model_id, entry, default, settings.watch_keys)
            if not depends:
                continue
            old = before.get(model_id)
            if isinstance(old, dict):
                items += _compare(provider_id, model_id, old, entry, depends, settings)
            items += _pinned_moved(provider_id, model_id, pinned, previous, untouched, depends)
    return items


def _doc(data: bytes | None) -> dict[str, Any]:
    from .. import yamlio

    if data is None:
        return {}
    try:
        doc = yamlio.load(data)
    except yamlio.YamlError:
        return {}
    return doc if isinstance(doc, dict) else {}


def _models(data: bytes | None) -> dict[str, Any]:
    models = _doc(data).get("models")
    return models if isinstance(models, dict) else {}


def _depends(
    model_id: str, entry: Mapping[str, Any], default: Any, watch: Iterable[str]
) -> tuple[str, ...]:
    keys = [k for k in (*DEPENDENCY_KEYS, *watch) if k in entry]
    return (("default_model",) if model_id == default else ()) + tuple(dict.fromkeys(keys))


def _compare(
    provider: str,
    model: str,
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    depends: tuple[str, ...],
    settings: Settings,
) -> list[Attention]:
    def item(why: Why, field: str | None = None, a: Any = None, b: Any = None) -> Attention:
        return Attention(provider, model, why, field, a, b, depends)

    out: list[Attention] = []
    was, now = old.get("available", True) is not False, new.get("available", True) is not False
    if was and not now:
        out.append(item(Why.LEFT, "available", True, False))
    elif now and not was:
        out.append(item(Why.BACK, "available", False, True))
    if new.get("deprecated") is True and old.get("deprecated") is not True:
        out.append(item(Why.DEPRECATED, "deprecated", False, True))
    s_old, s_new = old.get("status"), new.get("status")
    if s_new != s_old:
        out.append(item(Why.STATUS, "status", s_old, s_new))
    p_old, p_new = old.get("pricing"), new.get("pricing")
    if isinstance(p_old, dict) and isinstance(p_new, dict):
        for key in WATCHED_PRICES:
            a, b = p_old.get(key), p_new.get(key)
            if _number(a) and _number(b) and a > 0 and b > a * (1 + settings.price_alert / 100):
                out.append(item(Why.PRICE_ROSE, key, a, b))
    for key, why in (
        ("context_window", Why.CONTEXT_SHRANK),
        ("max_output_tokens", Why.OUTPUT_SHRANK),
    ):
        a, b = old.get(key), new.get(key)
        if _number(a) and _number(b) and 0 < b < a:
            out.append(item(why, key, a, b))
    return out


def _number(value: Any) -> TypeGuard[float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _pinned_moved(
    provider: str,
    model: str,
    pinned: Iterable[Any],
    previous: Mapping[tuple[str, str | None], Any],
    untouched: bool,
    depends: tuple[str, ...],
) -> list[Attention]:
    """Pinned fields whose upstream value is not what the last sync saw. The last sync
    recorded every pinned difference; none recorded for a file nobody edited since means
    upstream then equalled the pinned value."""
    out = []
    for change in pinned:
        if change.model != model:
            continue
        key = (model, change.field)
        if key not in previous and not untouched:
            continue
        seen = previous.get(key, change.old)
        if seen != change.new:
            moved = Attention(
                provider, model, Why.PINNED_MOVED, change.field, seen, change.new, depends
            )
            out.append(moved)
    return out
