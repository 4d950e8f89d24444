"""Whether a model can answer a request: its size limits, its output and its kind.

models.dev has no flag for what a model is *for*, so the kind of a model is derived from
its ``family`` and its id by the rules of :data:`KIND_RULES` (``docs/routing.md``, "Which
models can answer"): a model whose family or id names an embedding, rerank, moderation or
speech model answers no chat request, whatever its modalities say.

A model *fits* a request when, in order:

1. it is not of an excluded kind (:func:`kind_of`);
2. ``text`` is among its output modalities (when it lists any);
3. the request's output and reasoning tokens are within ``max_output_tokens`` (when known);
4. the prompt tokens are within ``max_input_tokens`` (when known);
5. prompt, output and reasoning tokens together are within ``context_window``; a model
   whose context window is unknown (``0`` upstream, or none given) cannot be shown to
   hold any request and never fits.
"""

from __future__ import annotations

import functools
import re
from enum import Enum

from ..model.catalog import Model
from ..model.usage import Usage


class Kind(str, Enum):
    """What a model that answers no chat request is for."""

    EMBEDDING = "embedding"
    RERANK = "rerank"
    MODERATION = "moderation"
    SPEECH = "speech"


#: The rules, first match wins, each tried on the family and on the whole model id (with
#: its ``vendor/`` prefixes), lower-cased. A rerank model whose name also says ``embed``
#: is a rerank model.
KIND_RULES: tuple[tuple[Kind, re.Pattern[str]], ...] = (
    (Kind.RERANK, re.compile(r"rerank")),
    (
        Kind.EMBEDDING,
        re.compile(
            r"embed"  # embed, embedding, embeddings, nv-embedqa, titan-embed
            r"|^(?:bge|voyage)(?:-|$)|(?:^|/)voyage-"  # the BGE and Voyage embedding families
            r"|(?:^|[-_./])bge-"  # bge-multilingual-gemma2 under another family
            r"|(?:^|/)(?:multilingual-)?e5-|(?:^|/)gte-"  # E5 and GTE sentence embedders
            r"|(?:^|/)all-mini-?lm|(?:^|/)multi-qa-"  # sentence-transformers
        ),
    ),
    # omni-moderation, llama-guard, gpt-oss-safeguard, nemotron-content-safety
    (Kind.MODERATION, re.compile(r"moderation|guard|content-safety")),
    (
        Kind.SPEECH,
        re.compile(
            r"tts|whisper|transcribe|(?:^|[-_./])asr(?:[-_./]|$)|speech-to|text-to-speech"
            r"|studiovoice"  # NVIDIA's voice enhancement, listed as text to text
        ),
    ),
)


def kind_of(model: Model) -> Kind | None:
    """The kind of model that answers no chat request, by :data:`KIND_RULES`, or ``None``
    for a model that may answer one."""
    return _kind(model.id, model.family)


#: Any rule at all, over the id and the family on lines of their own: most models match
#: none, and one search tells (the rules' order decides only for a model that matches).
_ANY_RULE = re.compile("|".join(f"(?:{p.pattern})" for _, p in KIND_RULES), re.MULTILINE)


@functools.lru_cache(maxsize=16384)
def _kind(model_id: str, family: str | None) -> Kind | None:
    names = [model_id.lower()]
    if family:
        names.append(family.lower())
    if not _ANY_RULE.search("\n".join(names)):
        return None
    for kind, pattern in KIND_RULES:
        if any(pattern.search(name) for name in names):
            return kind
    return None


def why_unfit(model: Model, usage: Usage) -> str | None:
    """Why ``model`` cannot answer a request of ``usage`` tokens, or ``None`` if it can
    (the rules of the module docstring)."""
    return static_unfit(model) or size_unfit(model, usage)


def static_unfit(model: Model) -> str | None:
    """Why ``model`` answers no request of any size (rules 1 and 2), or ``None``."""
    kind = kind_of(model)
    if kind is not None:
        return f"{kind.value} model (by its family or id), answers no chat request"
    outputs = model.modalities.get("output", ())
    if outputs and "text" not in outputs:
        return f"outputs {', '.join(outputs)}, not text"
    return None


def size_unfit(model: Model, usage: Usage) -> str | None:
    """Why ``usage`` does not fit ``model``'s limits (rules 3 to 5), or ``None``."""
    output = usage.output + usage.reasoning
    if model.max_output_tokens and output > model.max_output_tokens:
        return f"output {output:,} tokens > its output limit {model.max_output_tokens:,}"
    prompt = usage.prompt_tokens
    if model.max_input_tokens and prompt > model.max_input_tokens:
        return f"prompt {prompt:,} tokens > its input limit {model.max_input_tokens:,}"
    size = prompt + output
    if not model.context_window:
        return "its context window is unknown"
    if size > model.context_window:
        return f"prompt and output {size:,} tokens > its context window {model.context_window:,}"
    return None


def fits_text(model: Model, usage: Usage) -> str:
    """Why a model that fits does (for a choice's reasons)."""
    size = usage.prompt_tokens + usage.output + usage.reasoning
    return f"fits: {size:,} prompt and output tokens <= context {model.context_window or 0:,}"
