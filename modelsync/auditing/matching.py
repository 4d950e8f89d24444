"""Which entry of a source stands for a synced model: an explicit table of provider
names and a few written rules, tried in order; never a guess by similarity.

The rules, for a model ``id`` of a provider the table knows:

1. ``exact``: the source's id for that provider and ``id`` (LiteLLM: the provider's key
   prefix, such as ``gemini/``, and an entry whose ``litellm_provider`` is one the table
   allows; genai-prices: the provider's list);
2. ``release-date``: ``id`` plus its ``release_date`` as ``-YYYYMMDD`` or ``-YYYY-MM-DD``
   (``claude-sonnet-4-5`` is ``claude-sonnet-4-5-20250929``);
3. ``undated``: ``id`` without such a trailing date; ``unaliased``: without ``-latest``;
4. ``source-rule`` (genai-prices only): the entry's own ``match`` clause (``equals``,
   ``starts_with``, ``ends_with``, ``contains``, ``or``, ``and``), in the source's order.
   ``regex`` clauses are never evaluated: a hostile pattern could run for ever.

A gateway's model (``openrouter``'s ``anthropic/claude-sonnet-4.5``) is matched only
with the source's entries for that gateway: a gateway's price is its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from ..model.catalog import Model
from .sources import GENAI_PRICES, LITELLM, Entry

#: models.dev provider -> (LiteLLM key prefixes, LiteLLM ``litellm_provider`` values)
LITELLM_PROVIDERS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "openai": (("",), ("openai", "text-completion-openai")),
    "anthropic": (("",), ("anthropic",)),
    "google": (("gemini/",), ("gemini",)),
    "google-vertex": (("vertex_ai/", ""), ("vertex_ai", "vertex_ai-language-models")),
    "google-vertex-anthropic": (("vertex_ai/",), ("vertex_ai-anthropic_models",)),
    "amazon-bedrock": (("", "bedrock/"), ("bedrock", "bedrock_converse")),
    "azure": (("azure/", "azure_ai/"), ("azure", "azure_ai")),
    "azure-cognitive-services": (("azure/", "azure_ai/"), ("azure", "azure_ai")),
    "mistral": (("mistral/",), ("mistral",)),
    "xai": (("xai/",), ("xai",)),
    "deepseek": (("deepseek/",), ("deepseek",)),
    "groq": (("groq/",), ("groq",)),
    "cerebras": (("cerebras/",), ("cerebras",)),
    "cohere": (("", "cohere/"), ("cohere", "cohere_chat")),
    "openrouter": (("openrouter/",), ("openrouter",)),
    "togetherai": (("together_ai/",), ("together_ai",)),
    "fireworks-ai": (
        ("fireworks_ai/accounts/fireworks/models/", "fireworks_ai/"),
        ("fireworks_ai",),
    ),
    "deepinfra": (("deepinfra/",), ("deepinfra",)),
    "perplexity": (("perplexity/",), ("perplexity",)),
    "moonshotai": (("moonshot/",), ("moonshot",)),
    "zai": (("zai/",), ("zai",)),
    "vercel": (("vercel_ai_gateway/",), ("vercel_ai_gateway",)),
    "novita-ai": (("novita/",), ("novita",)),
    "nebius": (("nebius/",), ("nebius",)),
    "github-copilot": (("github_copilot/",), ("github_copilot",)),
    "alibaba": (("dashscope/",), ("dashscope",)),
    "minimax": (("minimax/",), ("minimax",)),
    "cloudflare-workers-ai": (("cloudflare/",), ("cloudflare",)),
    "ovhcloud": (("ovhcloud/",), ("ovhcloud",)),
    "scaleway": (("scaleway/",), ("scaleway",)),
    "lambda": (("lambda_ai/",), ("lambda_ai",)),
    "hyperbolic": (("hyperbolic/",), ("hyperbolic",)),
    "wandb": (("wandb/",), ("wandb",)),
    "baseten": (("baseten/",), ("baseten",)),
}

#: models.dev provider -> genai-prices provider id
GENAI_PROVIDERS: dict[str, str] = {
    "openai": "openai",
    "anthropic": "anthropic",
    "google": "google",
    "amazon-bedrock": "aws",
    "azure": "azure",
    "mistral": "mistral",
    "xai": "x-ai",
    "deepseek": "deepseek",
    "groq": "groq",
    "cerebras": "cerebras",
    "cohere": "cohere",
    "openrouter": "openrouter",
    "togetherai": "together",
    "fireworks-ai": "fireworks",
    "perplexity": "perplexity",
    "moonshotai": "moonshotai",
    "zai": "zai",
    "zhipuai": "zhipuai",
    "novita-ai": "novita",
    "minimax": "minimax",
    "ovhcloud": "ovhcloud",
}

_DATED = re.compile(r"-(?:[0-9]{8}|[0-9]{4}-[0-9]{2}-[0-9]{2})$")


def candidates(model: Model) -> Iterator[tuple[str, str]]:
    """``(rule, id)`` to look up, in order (rules 1 to 3 of the module docstring)."""
    yield "exact", model.id
    released = model.release_date
    if released and len(released) == 10:
        yield "release-date", f"{model.id}-{released.replace('-', '')}"
        yield "release-date", f"{model.id}-{released}"
    undated = _DATED.sub("", model.id)
    if undated != model.id:
        yield "undated", undated
    if model.id.endswith("-latest"):
        yield "unaliased", model.id[: -len("-latest")]


class Matcher:
    """Finds a model's entry in each source read (the entries by source id)."""

    def __init__(self, entries: Mapping[str, Mapping[str, Entry]]) -> None:
        self.entries = entries
        genai = entries.get(GENAI_PRICES, {})
        self._genai: dict[str, list[Entry]] = {}
        for entry in genai.values():
            self._genai.setdefault(entry.provider or "", []).append(entry)

    def find(self, source: str, model: Model) -> tuple[Entry, str] | None:
        """The entry and the rule that found it, or ``None``."""
        if source == LITELLM:
            return self._litellm(model)
        return self._genai_prices(model)

    def _litellm(self, model: Model) -> tuple[Entry, str] | None:
        known = LITELLM_PROVIDERS.get(model.provider)
        entries = self.entries.get(LITELLM, {})
        if known is None or not entries:
            return None
        prefixes, providers = known
        for rule, wanted in candidates(model):
            for prefix in prefixes:
                entry = entries.get(prefix + wanted)
                if entry is not None and entry.provider in providers:
                    return entry, rule
        return None

    def _genai_prices(self, model: Model) -> tuple[Entry, str] | None:
        provider = GENAI_PROVIDERS.get(model.provider)
        listed = self._genai.get(provider or "")
        if not listed or provider is None:
            return None
        entries = self.entries[GENAI_PRICES]
        for rule, wanted in candidates(model):
            entry = entries.get(f"{provider}/{wanted}")
            if entry is not None:
                return entry, rule
        for entry in listed:
            if clause_matches(entry.match, model.id):
                return entry, "source-rule"
        return None


#: How deep a ``match`` clause may nest (``or`` within ``and``...).
MAX_DEPTH = 8


def clause_matches(clause: Any, model_id: str, depth: int = 0) -> bool:
    """Whether genai-prices' ``match`` clause accepts ``model_id`` (never a regex)."""
    if not isinstance(clause, dict) or depth > MAX_DEPTH:
        return False
    for key, value in clause.items():
        if key in ("or", "and") and isinstance(value, list):
            parts = [clause_matches(c, model_id, depth + 1) for c in value[:100]]
            return any(parts) if key == "or" else bool(parts) and all(parts)
        if not isinstance(value, str):
            return False
        if key == "equals":
            return model_id == value
        if key == "starts_with":
            return model_id.startswith(value)
        if key == "ends_with":
            return model_id.endswith(value)
        if key == "contains":
            return value in model_id
        return False
    return False
