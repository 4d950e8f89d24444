"""Querying the synced configs: the models a router may choose from."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..model.catalog import CAPABILITIES, Model
from ..util.suggest import did_you_mean
from ..util.text import escape

#: Fields ``list_models`` can sort by; prices sort missing values last.
SORT_FIELDS = (
    "id",
    "provider",
    "name",
    "input_price",
    "output_price",
    "context_window",
    "max_output_tokens",
    "release_date",
)


def load_models(
    config_dir: Path, providers: Sequence[str] = (), cache_dir: Path | None = None
) -> list[Model]:
    """Every model entry of the config files (managed and hand-written), read through
    the catalog index in ``cache_dir`` (:mod:`modelsync.use.view`)."""
    from .view import read_catalog

    return read_catalog(config_dir, cache_dir).models(providers)


def _sort_key(field: str) -> Any:
    def key(m: Model) -> tuple[Any, ...]:
        if field in ("input_price", "output_price"):
            price = (
                (m.pricing.input if field == "input_price" else m.pricing.output)
                if (m.pricing)
                else None
            )
            return (price is None, price or 0.0, m.provider, m.id)
        if field in ("context_window", "max_output_tokens"):
            value = getattr(m, field)
            return (value is None, -(value or 0), m.provider, m.id)
        if field == "id":
            return (m.provider, m.id)
        value = getattr(m, field)
        return (value is None, value or "", m.provider, m.id)

    return key


def query(
    config_dir: Path,
    *,
    cache_dir: Path | None = None,
    providers: Sequence[str] = (),
    capabilities: Sequence[str] = (),
    min_context: int | None = None,
    max_input_price: float | None = None,
    available_only: bool = True,
    sort: str = "id",
) -> list[Model]:
    """Models matching every filter; ``sort`` is one of :data:`SORT_FIELDS`.

    Numeric sorts put the best first: cheapest price, largest context window.
    """
    if sort not in SORT_FIELDS:
        raise UsageError(
            f"--sort {sort!r}: choose one of {', '.join(SORT_FIELDS)}"
            f"{did_you_mean(sort, SORT_FIELDS)}"
        )
    models = load_models(config_dir, providers, cache_dir)
    known = set(CAPABILITIES).union(*(m.capabilities for m in models))
    for name in capabilities:
        if name not in known:
            raise UsageError(
                f"--capability {name!r} is not a capability of the vocabulary or of any model "
                f"in {config_dir}{did_you_mean(name, known)}"
            )
    out = []
    for m in models:
        if available_only and not m.available:
            continue
        if any(c not in m.capabilities for c in capabilities):
            continue
        if min_context is not None and (m.context_window or 0) < min_context:
            continue
        if max_input_price is not None:
            price = m.pricing.input if m.pricing else None
            if price is None or price > max_input_price:
                continue
        out.append(m)
    return sorted(out, key=_sort_key(sort))


def as_json(models: Sequence[Model]) -> list[dict[str, Any]]:
    """Models as JSON-ready dicts: id, provider and the synced fields."""
    return [{"provider": m.provider, "id": m.id, **m.to_config(), **dict(m.extra)} for m in models]


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def as_table(models: Sequence[Model]) -> str:
    """A plain text table, one model per line."""
    header = ("provider/model", "context", "output", "input $/M", "output $/M", "capabilities")
    rows = []
    for m in models:  # inlined: the whole catalog is ~5,000 lines
        name, caps = f"{m.provider}/{m.id}", ",".join(m.capabilities)
        context, output, pricing = m.context_window, m.max_output_tokens, m.pricing
        price_in, price_out = (pricing.input, pricing.output) if pricing else (None, None)
        rows.append(
            (
                name if name.isprintable() else escape(name),
                "-" if context is None else _cell(context),
                "-" if output is None else _cell(output),
                "-" if price_in is None else _cell(price_in),
                "-" if price_out is None else _cell(price_out),
                (caps if caps.isprintable() else escape(caps))
                + ("" if m.available else " (unavailable)"),
            )
        )
    widths = [max(map(len, column)) for column in zip(header, *rows, strict=True)]
    right = {1, 2, 3, 4}
    # one format for every line: the whole catalog is ~5,000 lines
    line = "  ".join(f"{{:{'>' if i in right else '<'}{w}}}" for i, w in enumerate(widths)).format
    out = [line(*header).rstrip(), *(line(*r).rstrip() for r in rows)]
    out.append(f"{len(rows)} model{'s' if len(rows) != 1 else ''}")
    return "\n".join(out) + "\n"
