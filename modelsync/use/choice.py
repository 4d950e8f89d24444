"""A route choice and its reasons, built when read: why it is a candidate and why it
ranks where it does (``docs/routing.md``, "Reasons"). The types the router ranks with
live here, below the router, so that the reasons need nothing of it."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from typing import Any

from ..model.catalog import Model
from ..model.usage import Component, Usage
from .cost import usd
from .fit import fits_text

#: The usage a cost is estimated for when ``select`` is given none.
DEFAULT_USAGE = Usage(input=1_000, output=1_000)
SCORE_KEY = "task_complexity_score"


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
    include_unscored: bool = False
    #: The capabilities that rank unscored candidates (:func:`suggested_capabilities`).
    suggested: tuple[str, ...] = ()


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
        return qualified(self._model, self.request, self.cost) + ranked(self)

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


def _usage_text(usage: Usage) -> str:
    parts = [f"{usage.tokens(c):,} {c.value}" for c in Component if usage.tokens(c)]
    return " + ".join(parts) or "no tokens"


def qualified(model: Model, request: Request, cost: Decimal | None) -> tuple[str, ...]:
    """Why a choice is a candidate: availability, capabilities, context, cost, fit."""
    out = ["available" + (", deprecated (included on request)" if model.deprecated else "")]
    if request.capabilities:
        out.append(f"has {', '.join(request.capabilities)}")
    if request.min_context is not None:
        out.append(f"context {model.context_window or 0:,} >= {request.min_context:,}")
    estimate = "unknown (a price is missing)" if cost is None else f"${usd(cost)}"
    limit = "" if request.max_cost is None else f" <= max ${usd(request.max_cost)}"
    out.append(f"estimated cost {estimate}{limit} for {_usage_text(request.usage)} tokens")
    out.append(fits_text(model, request.usage))
    return tuple(out)


def ranked(choice: Choice) -> tuple[str, ...]:
    """Why a choice ranks where it does: its standing and what put it after the one above."""
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
        out = [f"no {SCORE_KEY} for {c}; listed because unscored models were asked for"]
        if request.suggested:
            has = [x for x in request.suggested if x in choice._model.capabilities]
            out.append(
                f"has {len(has)} of the capabilities a {c} task suggests "
                f"({', '.join(request.suggested)})"
            )
        first = f"first of the {size} unscored candidate(s) by capabilities, context, cost"
    if choice.standing is not Standing.UNSCORED and unscored:
        out.append(
            f"{unscored} unscored candidate(s) not ranked (include_unscored, "
            "--include-unscored ranks them)"
        )
    out.append(first if previous is None else _behind(choice, previous))
    if choice.is_default:
        out.append(f"the default_model of {choice.provider}")
    return tuple(out)


def _cost_text(cost: Decimal | None) -> str:
    return "unknown" if cost is None else f"${usd(cost)}"


def _behind(choice: Choice, above: Choice) -> str:
    """Why ``choice`` ranks below ``above``, the choice just before it in its group."""
    name = f"#{above.rank} {above.provider}/{above.model}"
    if choice.standing is Standing.BELOW and choice.score != above.score:
        return f"lower score than {name} ({choice.score:g} < {above.score:g})"
    same = "same cost and score as"
    if choice.standing is Standing.UNSCORED:
        suggested = choice.request.suggested
        mine = sum(1 for x in suggested if x in choice._model.capabilities)
        theirs = sum(1 for x in suggested if x in above._model.capabilities)
        if mine != theirs:
            return f"fewer suggested capabilities than {name} ({mine} < {theirs})"
        ctx, above_ctx = choice._model.context_window or 0, above._model.context_window or 0
        if ctx != above_ctx:
            return f"smaller context than {name} ({ctx:,} < {above_ctx:,})"
        same = "same capabilities, context and cost as"
    if choice.cost != above.cost:
        if choice.cost is None:
            return f"cost unknown, ranks after {name} (cost {_cost_text(above.cost)})"
        return f"costs more than {name} (${usd(choice.cost)} > {_cost_text(above.cost)})"
    if choice.standing is Standing.REACHES and choice.score != above.score:
        return f"same cost as {name}, lower score ({choice.score:g} < {above.score:g})"
    if above.is_default and not choice.is_default:
        return f"{same} {name}, which is its provider's default_model"
    return f"ties with {name}; ordered by provider and model id"
