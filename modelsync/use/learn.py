"""The learning loop: scores measured on real requests, written back into the files.

``learn_scores`` takes outcomes (``{provider, model, complexity, quality}``, ``quality``
0-5, or ``success: true/false`` counted as 5/0) and, per model and complexity, moves the
model's ``task_complexity_score`` to the weighted mean of the old score and the new
qualities. The old score weighs as many samples as are behind it
(``task_complexity_samples``), else ``prior_weight``; a model without a score starts from
the prior 2.5. Both keys are user-owned: every sync keeps them. A batch is checked whole
(every outcome, every file) before anything is written, and applied in one step per file,
under the sync's directory lock. ``record_scores`` sets scores directly.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError, ModelNotFound, OutcomeError, ProviderNotFound, UsageError
from ..setting_values import SCORE_RANGE
from ..util.suggest import did_you_mean
from ..util.text import excerpt
from .scorefile import SAMPLES_KEY, SCORE_KEY, ScoreFile

if TYPE_CHECKING:
    from ..settings import Settings

#: The score a model without one starts from, the middle of the 0-5 scale.
PRIOR_SCORE = 2.5
#: Learned scores are written with this many decimals.
DECIMALS = 2
QUALITY_OF_SUCCESS = {True: 5.0, False: 0.0}


@dataclass(frozen=True, slots=True)
class Outcome:
    """How well ``provider/model`` did on one task of ``complexity`` (``quality`` 0-5);
    ``where`` names the record in messages (``outcomes.jsonl:3``)."""

    provider: str
    model: str
    complexity: str
    quality: float
    where: str = ""


@dataclass(frozen=True)
class ScoreChange:
    provider: str
    model: str
    complexity: str
    old: float | None
    new: float
    old_samples: float | None
    samples: float
    outcomes: int


@dataclass
class ScoreReport:
    """What a learning batch changed (or would change, with ``dry_run``)."""

    changes: list[ScoreChange] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    outcomes: int = 0
    dry_run: bool = False
    #: Outcomes of the file already learned before (``learn_file``), not counted again.
    already_learned: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": True,
            "dry_run": self.dry_run,
            "outcomes": self.outcomes,
            "already_learned": self.already_learned,
            "files": self.files,
            "changes": [asdict(c) for c in self.changes],
        }

    def render(self) -> str:
        out = []
        for c in self.changes:
            old = "none" if c.old is None else f"{c.old:g}"
            before = "prior" if c.old_samples is None else f"{c.old_samples:g}"
            out.append(
                f"{c.provider}/{c.model} {c.complexity}: {old} -> {c.new:g} "
                f"(samples {before} -> {c.samples:g}, {c.outcomes} outcome(s))"
            )
        verb = "would change" if self.dry_run else "changed"
        files = len(self.files)
        out.append(
            f"{len(self.changes)} score(s) from {self.outcomes} outcome(s); {verb} "
            f"{files} file{'s' if files != 1 else ''}"
            + (
                f"; {self.already_learned} outcome(s) already learned"
                if self.already_learned
                else ""
            )
            + (" (dry run)" if self.dry_run else "")
        )
        return "\n".join(out) + "\n"


def learned(
    old: float | None, old_samples: float | None, qualities: list[float], prior_weight: float
) -> tuple[float, float]:
    """The new score and sample weight: the weighted mean of the old score (weight
    ``old_samples``, else ``prior_weight``; :data:`PRIOR_SCORE` when there is none) and
    ``qualities``, rounded to :data:`DECIMALS` decimals."""
    start = Decimal(repr(PRIOR_SCORE if old is None else float(old)))
    weight = Decimal(repr(float(prior_weight if old_samples is None else old_samples)))
    total = start * weight + sum((Decimal(repr(float(q))) for q in qualities), Decimal(0))
    samples = weight + len(qualities)
    mean = (total / samples).quantize(Decimal(1).scaleb(-DECIMALS), ROUND_HALF_EVEN)
    return float(mean), _number(samples)


def _number(value: Decimal) -> float:
    """A sample weight as written: a whole number stays whole (``7``, not ``7.0``)."""
    return int(value) if value == value.to_integral_value() else float(value)


def _score(value: Any, what: str) -> float:
    low, high = SCORE_RANGE
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise UsageError(
            f"{what}: expected a number from {low:g} to {high:g}, got {excerpt(value)}"
        )
    if not (math.isfinite(value) and low <= value <= high):
        raise UsageError(f"{what}: {excerpt(value)} is outside the score scale {low:g}-{high:g}")
    return float(value)


def _complexity(name: Any, known: Mapping[str, float], prefix: str = "") -> str:
    if not isinstance(name, str) or name not in known:
        raise UsageError(
            f"{prefix}complexity {excerpt(name)} is not one of {', '.join(known)} "
            f"(modelsync.route_thresholds){did_you_mean(str(name), known)}"
        )
    return name


def parse_outcome(data: Any, where: str, complexities: Mapping[str, float]) -> Outcome:
    """One outcome record; :class:`OutcomeError` naming ``where`` and what is wrong."""
    try:
        if not isinstance(data, Mapping):
            raise UsageError(f"expected an object, got {type(data).__name__}")
        for key in ("provider", "model", "complexity"):
            if not isinstance(data.get(key), str) or not data[key]:
                raise UsageError(f"{key!r} must be a non-empty string")
        complexity = _complexity(data["complexity"], complexities)
        has_quality, has_success = "quality" in data, "success" in data
        if has_quality == has_success:
            raise UsageError("give either 'quality' (0-5) or 'success' (true/false)")
        if has_success:
            if not isinstance(data["success"], bool):
                raise UsageError(f"'success' must be true or false, got {excerpt(data['success'])}")
            quality = QUALITY_OF_SUCCESS[data["success"]]
        else:
            quality = _score(data["quality"], "'quality'")
    except UsageError as exc:
        raise OutcomeError(f"{where}: {exc}") from None
    return Outcome(data["provider"], data["model"], complexity, quality, where)


def read_outcomes(
    path: Path,
    complexities: Mapping[str, float],
    *,
    limit: int = 50 * 1024 * 1024,
    deadline: float = 120.0,
) -> list[Outcome]:
    """The outcomes of a JSON Lines file (blank lines and lines starting with ``#``
    skipped), read within ``limit`` bytes and ``deadline`` seconds
    (:mod:`modelsync.use.outcomefile`); the first malformed line is :class:`OutcomeError`
    naming ``path:line``."""
    from . import outcomefile

    read = outcomefile.read(path, limit=limit, deadline=deadline)
    return [parse_outcome(line.data, f"{path}:{line.number}", complexities) for line in read.lines]


def record_scores(
    provider: str,
    model: str,
    scores: Mapping[str, float],
    *,
    settings: Settings | None = None,
    **overrides: Any,
) -> None:
    """Set ``task_complexity_score`` entries of one model (0-5 each, complexities of
    ``route_thresholds``), keeping the file's comments and layout; atomic, under the
    sync's directory lock, validated before writing."""
    from ..settings import settings_for

    s = settings_for(settings, overrides)
    if not scores:
        raise UsageError("record_scores: no scores given")
    values = {
        _complexity(c, s.route_thresholds, "record_scores: "): _score(v, f"score for {c}")
        for c, v in scores.items()
    }
    with _locked(s, dry_run=False) as files:
        target = ScoreFile.read(provider, _provider_path(files, provider, s), s.user_keys)
        target.current(model, SCORE_KEY)  # the model exists; its scores are a mapping
        _write(target, target.render({model: {SCORE_KEY: values}}))


def learn_scores(
    outcomes: Iterable[Outcome | Mapping[str, Any]],
    *,
    prior_weight: float = 5,
    dry_run: bool = False,
    settings: Settings | None = None,
    **overrides: Any,
) -> ScoreReport:
    """Learn scores from ``outcomes`` (see the module docstring); ``dry_run`` writes
    nothing and reports what would change."""
    from ..settings import settings_for

    s = settings_for(settings, overrides)
    if isinstance(prior_weight, bool) or not (
        isinstance(prior_weight, (int, float)) and math.isfinite(prior_weight) and prior_weight >= 0
    ):
        raise UsageError(f"prior_weight {prior_weight!r}: expected a number >= 0")
    batch = [
        o if isinstance(o, Outcome) else parse_outcome(o, f"outcome {i}", s.route_thresholds)
        for i, o in enumerate(outcomes, start=1)
    ]
    grouped: dict[str, dict[str, dict[str, list[Outcome]]]] = {}
    for o in batch:
        grouped.setdefault(o.provider, {}).setdefault(o.model, {}).setdefault(
            o.complexity, []
        ).append(o)
    report = ScoreReport(outcomes=len(batch), dry_run=dry_run)
    with _locked(s, dry_run) as files:
        planned = [
            _plan(
                ScoreFile.read(p, _provider_path(files, p, s, _first(models)), s.user_keys),
                models,
                prior_weight,
                report,
            )
            for p, models in sorted(grouped.items())
        ]
        if not dry_run:
            for target, new in planned:
                _write(target, new)
    report.files = [str(target.path) for target, new in planned if new != target.old]
    return report


def _first(models: Mapping[str, Mapping[str, list[Outcome]]]) -> str:
    """Where the first outcome of a provider was read (for messages)."""
    return next(iter(next(iter(models.values())).values()))[0].where


def _plan(
    target: ScoreFile,
    models: Mapping[str, Mapping[str, list[Outcome]]],
    prior_weight: float,
    report: ScoreReport,
) -> tuple[ScoreFile, bytes]:
    edits: dict[str, dict[str, dict[str, float]]] = {}
    for model_id, by_complexity in sorted(models.items()):
        first = next(iter(by_complexity.values()))[0]
        try:
            target.entry(model_id)
        except ModelNotFound as exc:
            raise ModelNotFound(f"{first.where}: {exc}" if first.where else str(exc)) from None
        edit: dict[str, dict[str, float]] = {SCORE_KEY: {}, SAMPLES_KEY: {}}
        for complexity, items in sorted(by_complexity.items()):
            old = _existing(target, model_id, SCORE_KEY, complexity)
            old_samples = _existing(target, model_id, SAMPLES_KEY, complexity)
            new, weight = learned(old, old_samples, [o.quality for o in items], prior_weight)
            edit[SCORE_KEY][complexity] = new
            edit[SAMPLES_KEY][complexity] = weight
            report.changes.append(
                ScoreChange(
                    target.provider, model_id, complexity, old, new, old_samples, weight, len(items)
                )
            )
        edits[model_id] = edit
    return target, target.render(edits)


def _existing(target: ScoreFile, model_id: str, key: str, complexity: str) -> float | None:
    """The file's value, ``None`` when absent; a value that is not a number (or is out of
    range) is never overwritten: :class:`ConfigError` naming its line."""
    value = target.current(model_id, key).get(complexity)
    if value is None:
        return None
    low, high = SCORE_RANGE if key == SCORE_KEY else (0.0, math.inf)
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or not low <= value <= high
    ):
        raise ConfigError(
            f"{target.where(['models', model_id, key, complexity])}: "
            f"models.{model_id}.{key}.{complexity} is {excerpt(value)}, not a "
            f"{'score from 0 to 5' if key == SCORE_KEY else 'sample count >= 0'}; "
            "fix it by hand first (nothing was written)",
            path=str(target.path),
        )
    return float(value)


@contextmanager
def _locked(s: Settings, dry_run: bool) -> Iterator[dict[str, Path]]:
    """The provider files, listed (and then read) under the sync's directory lock; a dry
    run reads without it."""
    from ..model.configdir import check_directory, provider_files
    from ..util.fsutil import directory_lock

    check_directory(s.config_path)
    if dry_run:
        yield provider_files(s.config_path)
        return
    with directory_lock(s.config_path, s.lock_timeout):
        yield provider_files(s.config_path)


def _provider_path(files: Mapping[str, Path], provider: str, s: Settings, where: str = "") -> Path:
    path = files.get(provider)
    if path is None:
        message = (
            f"no provider {excerpt(provider)} in {s.config_path}{did_you_mean(provider, files)}"
        )
        raise ProviderNotFound(f"{where}: {message}" if where else message)
    return path


def _write(target: ScoreFile, new: bytes) -> None:
    from ..util.fsutil import atomic_write

    if new != target.old:
        atomic_write(target.path, new)
