"""The router: pick a model for a task of a given complexity, with the reasons why.

The rule (``docs/routing.md``):

1. *Candidates* are the available models (deprecated ones only when asked for) that can
   answer the request (:mod:`modelsync.use.fit`: not an embedding, rerank, moderation or
   speech model, text among their outputs, ``usage`` within their limits), have every
   required capability, at least ``min_context`` tokens of context (an unknown or ``0``
   context never qualifies), and an estimated cost for ``usage`` within ``max_cost`` (a
   cost that cannot be estimated never qualifies when there is a limit).
2. A model's *score* for the complexity is its ``task_complexity_score[complexity]``
   (0-5, higher is better at tasks of that complexity).
3. Among candidates whose score reaches the complexity's threshold (``route_thresholds``),
   the cheapest wins; ties go to the higher score, then to the provider's
   ``default_model``. When none reaches it, the highest score wins (then the cheapest,
   then the default model). Unscored candidates are ranked only when asked for
   (``include_unscored``), after the scored ones: by how many of the capabilities the
   complexity suggests (:func:`suggested_capabilities`) they have, then the larger
   context, then the cheaper. Unknown costs rank last; remaining ties are ordered by
   provider and model id. With no scored candidate and unscored ones not asked for,
   :func:`select` raises :class:`~modelsync.errors.NotScored` saying how to score.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..errors import NotScored, UsageError
from ..model.catalog import CAPABILITIES, Model
from ..model.usage import Usage
from ..util.suggest import did_you_mean
from .choice import DEFAULT_USAGE, SCORE_KEY, Choice, Request, Standing
from .cost import quick_total, to_decimal, usd
from .fit import size_unfit, static_unfit

if TYPE_CHECKING:
    from ..settings import Settings
    from .view import CatalogView

_UNKNOWN: Any = object()


#: The capabilities a task of at least this threshold suggests, highest first: they rank
#: unscored candidates, which have no score to say how good they are.
SUGGESTED_CAPABILITIES: tuple[tuple[float, tuple[str, ...]], ...] = (
    (4.0, ("reasoning", "function_calling")),
    (2.5, ("function_calling",)),
)


def suggested_capabilities(threshold: float) -> tuple[str, ...]:
    """The capabilities a complexity of ``threshold`` suggests: ``reasoning`` and
    ``function_calling`` from 4 (``complex``), ``function_calling`` from 2.5
    (``medium``), none below."""
    for least, caps in SUGGESTED_CAPABILITIES:
        if threshold >= least:
            return caps
    return ()


def score_of(model: Model, complexity: str) -> float | None:
    """The model's ``task_complexity_score[complexity]``, if it is a number."""
    scores = model.extra.get(SCORE_KEY)
    if scores is None or not isinstance(scores, Mapping):
        return None
    value = scores.get(complexity)
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def rank(
    models: Iterable[Model],
    request: Request,
    defaults: Mapping[str, str | None],
    limit: int | None = None,
    costs: dict[int, Decimal | None] | None = None,
    excluded: dict[str, int] | None = None,
    kinds: dict[int, str | None] | None = None,
) -> list[Choice]:
    """The candidates of ``models``, best first, by the rule of the module docstring (the
    best ``limit`` of them). ``costs`` keeps estimated costs by ``id(model)`` across
    calls with the same usage, ``kinds`` what :func:`~modelsync.use.fit.static_unfit` said
    of each model; ``excluded`` counts the models left out, by reason.

    Long on purpose: one pass over every model of the catalog, each check inline, so
    that routing the whole catalog stays within milliseconds."""
    out = {} if excluded is None else excluded

    def skip(reason: str) -> None:
        out[reason] = out.get(reason, 0) + 1

    groups: dict[Standing, list[tuple[Any, ...]]] = {s: [] for s in Standing}
    known = {} if costs is None else costs
    statics = {} if kinds is None else kinds
    usage, caps, max_cost = request.usage, request.capabilities, request.max_cost
    prompt = usage.prompt_tokens
    output = usage.output + usage.reasoning
    size = prompt + output
    min_context = None if request.min_context is None else max(request.min_context, 1)
    deprecated_ok, complexity = request.include_deprecated, request.complexity
    for model in models:
        if not model.available or (model.deprecated and not deprecated_ok):
            skip("not available" if not model.available else "deprecated")
            continue
        unfit = statics.get(id(model), _UNKNOWN)
        if unfit is _UNKNOWN:
            unfit = statics[id(model)] = static_unfit(model)
        if unfit is not None:
            skip(_reason_kind(unfit))
            continue
        # The rules of fit.size_unfit, inline: this loop sees every model of the catalog.
        window = model.context_window
        if (
            not window
            or size > window
            or (model.max_output_tokens and output > model.max_output_tokens)
            or (model.max_input_tokens and prompt > model.max_input_tokens)
        ):
            skip(_reason_kind(size_unfit(model, usage) or ""))
            continue
        if caps and any(c not in model.capabilities for c in caps):
            skip("lacks a required capability")
            continue
        if min_context is not None and (model.context_window or 0) < min_context:
            skip("context below min_context")
            continue
        cost = known.get(id(model), _UNKNOWN)
        if cost is _UNKNOWN:
            cost = known[id(model)] = quick_total(model.pricing, usage)
        if max_cost is not None and (cost is None or cost > max_cost):
            skip("cost unknown, max_cost given" if cost is None else "cost above max_cost")
            continue
        score = score_of(model, complexity)
        is_default = defaults.get(model.provider) == model.id
        # Sort keys: unknown costs last; ties by the default model, then by name. The
        # float orders fast; the exact cost after it decides between equal floats.
        by_cost = (True, 0.0, 0) if cost is None else (False, float(cost), cost)
        tail = (not is_default, model.provider, model.id)
        if score is None:
            if not request.include_unscored:
                skip("unscored")
                continue
            has = sum(1 for c in request.suggested if c in model.capabilities)
            key = (-has, -(model.context_window or 0), *by_cost, *tail)
            groups[Standing.UNSCORED].append((key, model, score, cost, is_default))
        elif score >= request.threshold:
            reaches = (*by_cost, -score, *tail)
            groups[Standing.REACHES].append((reaches, model, score, cost, is_default))
        else:
            below = (-score, *by_cost, *tail)
            groups[Standing.BELOW].append((below, model, score, cost, is_default))
    return _choices(groups, request, limit, out.get("unscored", 0))


def _reason_kind(unfit: str) -> str:
    """The tally name of a :func:`~modelsync.use.fit.why_unfit` reason."""
    if "answers no chat request" in unfit:
        return unfit.split(" model", 1)[0] + " model"
    if unfit.endswith("unknown"):
        return "context window unknown"
    if unfit.startswith("outputs "):
        return "does not output text"
    if "output limit" in unfit:
        return "output above its output limit"
    if "input limit" in unfit:
        return "prompt above its input limit"
    return "request larger than its context window"


def _choices(
    groups: dict[Standing, list[tuple[Any, ...]]],
    request: Request,
    limit: int | None,
    not_ranked: int,
) -> list[Choice]:
    order = [Standing.REACHES, Standing.BELOW, Standing.UNSCORED]
    unscored = not_ranked
    out: list[Choice] = []
    for standing in order:
        group = groups[standing]
        want = None if limit is None else limit - len(out)
        # (provider, model id) is unique, so no two keys are equal.
        items = sorted(group) if want is None else heapq.nsmallest(want, group)
        previous: Choice | None = None
        for _, model, score, cost, is_default in items:
            if limit is not None and len(out) >= limit:
                return out
            previous = Choice(
                model.provider,
                model.id,
                len(out) + 1,
                score,
                cost,
                standing,
                is_default,
                request,
                (len(group), previous, unscored),
                model,
            )
            out.append(previous)
    return out


def check_request(
    complexity: str,
    thresholds: Mapping[str, float],
    capabilities: Sequence[str],
    known_capabilities: Iterable[str],
    max_cost: float | Decimal | None,
) -> tuple[float, Decimal | None]:
    """The complexity's threshold and the cost limit as a decimal; :class:`UsageError`
    for an unknown complexity or capability or a negative limit."""
    if complexity not in thresholds:
        raise UsageError(
            f"complexity {complexity!r}: choose one of {', '.join(thresholds)} "
            f"(modelsync.route_thresholds){did_you_mean(complexity, thresholds)}"
        )
    known = set(CAPABILITIES).union(known_capabilities)
    for name in capabilities:
        if name not in known:
            raise UsageError(
                f"capability {name!r} is not a capability of the vocabulary or of any "
                f"model{did_you_mean(name, known)}"
            )
    limit = None
    if max_cost is not None:
        limit = max_cost if isinstance(max_cost, Decimal) else to_decimal(float(max_cost))
        if not limit.is_finite() or limit < 0:
            raise UsageError(f"max_cost {max_cost!r}: expected a finite cost >= 0 in USD")
    return thresholds[complexity], limit


def select(
    complexity: str,
    *,
    capabilities: Sequence[str] = (),
    min_context: int | None = None,
    usage: Usage | Mapping[str, Any] | None = None,
    max_cost: float | Decimal | None = None,
    providers: Sequence[str] | None = None,
    include_deprecated: bool = False,
    include_unscored: bool = False,
    limit: int | None = None,
    excluded: dict[str, int] | None = None,
    catalog: CatalogView | None = None,
    settings: Settings | None = None,
    **overrides: Any,
) -> list[Choice]:
    """The candidates for a task of ``complexity``, best first (see the module docstring).

    ``usage`` (token counts, default :data:`DEFAULT_USAGE`) is what costs are estimated
    for and what a model must be able to hold; ``providers`` are glob patterns;
    ``limit`` keeps the best ``limit`` (``None`` or ``0``: all, as ``--limit 0``).
    ``excluded``, when given, is filled with the number of models left out per reason.
    Pass a ``catalog`` from :func:`modelsync.load_catalog` to route many requests
    without reading the files again (without one, the files are read, or reused when
    unchanged). Raises :class:`~modelsync.errors.NotScored` when models fit but none is
    scored for ``complexity`` and ``include_unscored`` is false.

    Long on purpose: the public signature, with every routing option checked here.
    """
    from ..settings import settings_for
    from .view import read_catalog

    s = settings_for(settings, overrides)
    view = catalog if catalog is not None else read_catalog(s.config_path, s.cache_path)
    threshold, cost_limit = check_request(
        complexity, s.route_thresholds, capabilities, view.capabilities, max_cost
    )
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
        raise UsageError(f"limit {limit!r}: expected a whole number >= 0 (0 or None: all)")
    request = Request(
        complexity,
        threshold,
        tuple(capabilities),
        min_context,
        Usage.of(usage) if usage is not None else DEFAULT_USAGE,
        cost_limit,
        include_deprecated,
        include_unscored,
        suggested_capabilities(threshold),
    )
    defaults = {pid: p.default_model for pid, p in view.providers.items()}
    costs = view.memo(("cost", request.usage))
    left_out: dict[str, int] = {} if excluded is None else excluded
    kinds = view.memo(("fit",))
    choices = rank(
        view.models(providers or ()), request, defaults, limit or None, costs, left_out, kinds
    )
    if not choices and left_out.get("unscored"):
        raise _not_scored(left_out["unscored"], str(s.config_path), complexity)
    return choices


def _not_scored(count: int, where: str, complexity: str) -> NotScored:
    return NotScored(
        f"{count} model(s) of {where} fit this request, but none has a {SCORE_KEY} for "
        f"{complexity}: score models by hand ({SCORE_KEY}: {{{complexity}: 4}} in a "
        "model's entry) or learn scores from outcomes (invoke scores --from "
        "outcomes.jsonl); include_unscored=True (--include-unscored) lists the unscored ones"
    )


def explain_excluded(excluded: Mapping[str, int]) -> str:
    """The models left out by reason, most first: ``72 embedding model, 3 deprecated``."""
    items = sorted(excluded.items(), key=lambda kv: (-kv[1], kv[0]))
    return ", ".join(f"{n:,} {reason}" for reason, n in items) or "no model in the files"


def render(choices: Sequence[Choice], request_text: str) -> str:
    """The choice and the runners-up with their reasons, as text."""
    if not choices:
        return f"no model qualifies for {request_text}\n"
    out = [f"{request_text}:"]
    for choice in choices:
        cost = "cost unknown" if choice.cost is None else f"${usd(choice.cost)}"
        score = "unscored" if choice.score is None else f"score {choice.score:g}"
        out.append(f"{choice.rank:>3}. {choice.provider}/{choice.model}  {score}  {cost}")
        out.extend(f"       - {reason}" for reason in choice.reasons)
    return "\n".join(out) + "\n"
