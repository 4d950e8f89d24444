"""What one request uses: token counts by kind (:class:`Usage`), the vocabulary
(:class:`Component`) the cost and the router share."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from enum import Enum
from typing import Any

from ..errors import UsageError
from ..util.suggest import did_you_mean
from ..util.text import excerpt


class Component(str, Enum):
    """A kind of token a request is billed for; the value is the usage and price key."""

    INPUT = "input"
    OUTPUT = "output"
    REASONING = "reasoning"
    CACHE_READ = "cache_read"
    CACHE_WRITE = "cache_write"
    INPUT_AUDIO = "input_audio"
    OUTPUT_AUDIO = "output_audio"


#: The components whose tokens make up the prompt that selects a context tier.
PROMPT = (Component.INPUT, Component.INPUT_AUDIO, Component.CACHE_READ, Component.CACHE_WRITE)


@dataclass(frozen=True)
class Usage:
    """Token counts of one request, by kind; each kind is billed separately (``output``
    does not include ``reasoning``, ``input`` does not include the cached tokens)."""

    input: int = 0
    output: int = 0
    reasoning: int = 0
    cache_read: int = 0
    cache_write: int = 0
    input_audio: int = 0
    output_audio: int = 0

    def __post_init__(self) -> None:
        for component in Component:
            count = getattr(self, component.value)
            if isinstance(count, bool) or not isinstance(count, int) or count < 0:
                raise UsageError(
                    f"usage: {component.value} must be a whole number of tokens >= 0, "
                    f"got {excerpt(count)}"
                )

    @classmethod
    def of(cls, value: Usage | Mapping[str, Any] | None) -> Usage:
        """A usage from a mapping of token counts (missing kinds are 0); an unknown kind
        or a count that is not a whole number >= 0 is :class:`UsageError`."""
        if value is None:
            return cls()
        if isinstance(value, Usage):
            return value
        if not isinstance(value, Mapping):
            raise UsageError(f"usage: expected a mapping of token counts, got {excerpt(value)}")
        kinds = [c.value for c in Component]
        for key, count in value.items():
            if key not in kinds:
                raise UsageError(
                    f"usage: unknown kind of token {excerpt(key)} (kinds: {', '.join(kinds)})"
                    f"{did_you_mean(str(key), kinds)}"
                )
            if isinstance(count, bool) or not isinstance(count, int) or count < 0:
                raise UsageError(f"usage: {key} must be a whole number of tokens >= 0")
        return cls(**value)

    @functools.cached_property
    def prompt_tokens(self) -> int:
        return sum(getattr(self, c.value) for c in PROMPT)

    @functools.cached_property
    def parts(self) -> tuple[tuple[str, int], ...]:
        """``(kind, tokens)`` of the kinds with tokens, in :class:`Component` order."""
        return tuple((c.value, getattr(self, c.value)) for c in Component if getattr(self, c.value))

    def tokens(self, component: Component) -> int:
        return int(getattr(self, component.value))

    def to_json(self) -> dict[str, int]:
        return {k: v for k, v in asdict(self).items() if v}
