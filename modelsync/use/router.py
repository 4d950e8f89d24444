"""The router: pick a model for a task of a given complexity, with the reasons why.

The rule (``docs/routing.md``):

1. *Candidates* are the available models (deprecated ones only when asked for) that have
   every required capability, at least ``min_context`` tokens of context (an unknown or
   ``0`` context never qualifies), and an estimated cost for ``usage`` within
   ``max_cost`` (a cost that cannot be estimated never qualifies when there is a limit).
2. A model's *score* for the complexity is its ``task_complexity_score[complexity]``
   (0-5, higher is better at tasks of that complexity).
3. Among candidates whose score reaches the complexity's threshold (``route_thresholds``),
   the cheapest wins; ties go to the higher score, then to the provider's
   ``default_model``. When none reaches it, the highest score wins (then the cheapest,
   then the default model). Unscored candidates count only when no scored model is a
   candidate, cheapest first. Remaining ties are ordered by provider and model id.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Any

from ..errors import UsageError
from ..model.catalog import CAPABILITIES, Model
from ..model.usage import Component, Usage
from ..util.suggest import did_you_mean
from .cost import quick_total, to_decimal, usd

if TYPE_CHECKING:
    from ..settings import Settings
    from .view import CatalogView

#: The usage a cost is estimated for when ``select`` is given none.
DEFAULT_USAGE = Usage(input=1_000, output=1_000)
SCORE_KEY = "task_complexity_score"
_UNKNOWN: Any = object()


class Standing(str, Enum):
    """Where a candidate's score puts it for the complexity asked for."""

    REACHES = "reaches"
    BELOW = "below"
    UNSCORED = "unscored"


@dataclass(frozen=True)
class Request:
    """What :func:`rank` is asked for (already checked)."""

    complexity: str
    threshold: float
    capabilities: tuple[str, ...] = ()
    min_context: int | None = None
    usage: Usage = DEFAULT_USAGE
    max_cost: Decimal | None = None
    include_deprecated: bool = False


@dataclass(slots=True)
class Choice:
    """One candidate, in rank order: the score and estimated cost used, and the reasons
    it qualified and ranks where it does (``reasons``, built when read).

    Not frozen: ranking a whole catalog builds thousands of these per call, and a frozen
    dataclass's ``__init__`` costs six times as much.
    """

    provider: str
    model: str
    rank: int
    score: float | None
    #: Estimated cost in USD of the request's usage; ``None`` if a price is missing.
    cost: Decimal | None
    standing: Standing
    is_default: bool
    request: Request
    #: (candidates in its group, the choice ranked just above it in its group, unscored
    #: candidates); the reasons are built from these when read.
    _context: tuple[int, Choice | None, int] = field(repr=False, compare=False)
    _model: Model = field(repr=False, compare=False)

    @property
    def reasons(self) -> tuple[str, ...]:
        return _qualified(self._model, self.request, self.cost) + _ranked(self)

    def to_json(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "provider": self.provider,
            "model": self.model,
            "score": self.score,
            "cost": None if self.cost is None else usd(self.cost),
            "standing": self.standing.value,
            "default_model": self.is_default,
            "reasons": list(self.reasons),
        }


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
) -> list[Choice]:
    """The candidates of ``models``, best first, by the rule of the module docstring (the
    best ``limit`` of them). ``costs`` keeps estimated costs by ``id(model)`` across
    calls with the same usage."""
    groups: dict[Standing, list[tuple[Any, ...]]] = {s: [] for s in Standing}
    known = {} if costs is None else costs
    usage, caps, max_cost = request.usage, request.capabilities, request.max_cost
    min_context = None if request.min_context is None else max(request.min_context, 1)
    deprecated_ok, complexity = request.include_deprecated, request.complexity
    for model in models:
        if not model.available or (model.deprecated and not deprecated_ok):
            continue
        if caps and any(c not in model.capabilities for c in caps):
            continue
        if min_context is not None and (model.context_window or 0) < min_context:
            continue
        cost = known.get(id(model), _UNKNOWN)
        if cost is _UNKNOWN:
            cost = known[id(model)] = quick_total(model.pricing, usage)
        if max_cost is not None and (cost is None or cost > max_cost):
            continue
        score = score_of(model, complexity)
        is_default = defaults.get(model.provider) == model.id
        # Sort keys: unknown costs last; ties by the default model, then by name. The
        # float orders fast; the exact cost after it decides between equal floats.
        by_cost = (True, 0.0, 0) if cost is None else (False, float(cost), cost)
        tail = (not is_default, model.provider, model.id)
        if score is None:
            groups[Standing.UNSCORED].append(((*by_cost, *tail), model, score, cost, is_default))
        elif score >= request.threshold:
            reaches = (*by_cost, -score, *tail)
            groups[Standing.REACHES].append((reaches, model, score, cost, is_default))
        else:
            below = (-score, *by_cost, *tail)
            groups[Standing.BELOW].append((below, model, score, cost, is_default))
    return _choices(groups, request, limit)


def _choices(
    groups: dict[Standing, list[tuple[Any, ...]]], request: Request, limit: int | None
) -> list[Choice]:
    order = [Standing.REACHES, Standing.BELOW]
    if not groups[Standing.REACHES] and not groups[Standing.BELOW]:
        order = [Standing.UNSCORED]
    unscored = len(groups[Standing.UNSCORED])
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


def _usage_text(usage: Usage) -> str:
    parts = [f"{usage.tokens(c):,} {c.value}" for c in Component if usage.tokens(c)]
    return " + ".join(parts) or "no tokens"


def _qualified(model: Model, request: Request, cost: Decimal | None) -> tuple[str, ...]:
    out = ["available" + (", deprecated (included on request)" if model.deprecated else "")]
    if request.capabilities:
        out.append(f"has {', '.join(request.capabilities)}")
    if request.min_context is not None:
        out.append(f"context {model.context_window or 0:,} >= {request.min_context:,}")
    estimate = "unknown (a price is missing)" if cost is None else f"${usd(cost)}"
    limit = "" if request.max_cost is None else f" <= max ${usd(request.max_cost)}"
    out.append(f"estimated cost {estimate}{limit} for {_usage_text(request.usage)} tokens")
    return tuple(out)


def _ranked(choice: Choice) -> tuple[str, ...]:
    request = choice.request
    size, previous, unscored = choice._context
    c, t = request.complexity, request.threshold
    if choice.standing is Standing.REACHES:
        out = [f"score {choice.score:g} for {c} reaches the threshold {t:g}"]
        first = f"cheapest of the {size} candidate(s) reaching the threshold"
    elif choice.standing is Standing.BELOW:
        out = [f"score {choice.score:g} for {c} is below the threshold {t:g}"]
        first = f"highest score of the {size} scored candidate(s) below the threshold"
    else:
        out = [f"no {SCORE_KEY} for {c}; no scored model is a candidate"]
        first = f"cheapest of the {size} unscored candidate(s)"
    if choice.standing is not Standing.UNSCORED and unscored:
        out.append(f"{unscored} unscored candidate(s) not ranked: scored ones exist")
    out.append(first if previous is None else _behind(choice, previous))
    if choice.is_default:
        out.append(f"the default_model of {choice.provider}")
    return tuple(out)


def _behind(choice: Choice, above: Choice) -> str:
    """Why ``choice`` ranks below ``above``, the choice just before it in its group."""
    name = f"#{above.rank} {above.provider}/{above.model}"
    if choice.standing is Standing.BELOW and choice.score != above.score:
        return f"lower score than {name} ({choice.score:g} < {above.score:g})"
    if choice.cost != above.cost:
        mine = "unknown" if choice.cost is None else f"${usd(choice.cost)}"
        theirs = "unknown" if above.cost is None else f"${usd(above.cost)}"
        return f"costs more than {name} ({mine} > {theirs})"
    if choice.standing is Standing.REACHES and choice.score != above.score:
        return f"same cost as {name}, lower score ({choice.score:g} < {above.score:g})"
    if above.is_default and not choice.is_default:
        return f"same cost and score as {name}, which is its provider's default_model"
    return f"ties with {name}; ordered by provider and model id"


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
    limit: int | None = None,
    catalog: CatalogView | None = None,
    settings: Settings | None = None,
    **overrides: Any,
) -> list[Choice]:
    """The candidates for a task of ``complexity``, best first (see the module docstring).

    ``usage`` (token counts, default :data:`DEFAULT_USAGE`) is what costs are estimated
    for; ``providers`` are glob patterns; ``limit`` keeps the best ``limit``. Pass a
    ``catalog`` from :func:`modelsync.load_catalog` to route many requests without
    reading the files again (without one, the files are read, or reused when unchanged).
    """
    from ..settings import settings_for
    from .view import read_catalog

    s = settings_for(settings, overrides)
    view = catalog if catalog is not None else read_catalog(s.config_path, s.cache_path)
    threshold, cost_limit = check_request(
        complexity, s.route_thresholds, capabilities, view.capabilities, max_cost
    )
    request = Request(
        complexity,
        threshold,
        tuple(capabilities),
        min_context,
        Usage.of(usage) if usage is not None else DEFAULT_USAGE,
        cost_limit,
        include_deprecated,
    )
    defaults = {pid: p.default_model for pid, p in view.providers.items()}
    costs = view.memo(("cost", request.usage))
    return rank(view.models(providers or ()), request, defaults, limit, costs)


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
