"""Real excerpts for the audit: a slice of the 2026-05-21 models.dev catalog synced into
provider files a team has annotated (``default_model``, ``notes``, a score)."""

from __future__ import annotations

from pathlib import Path

import modelsync

DATA = Path(__file__).parent / "data" / "audit"
CATALOG = DATA / "models-dev-2026-05-21.json"

#: What the team wrote into the synced files: ``default_model`` and user keys, which make
#: these models depended on.
DEFAULTS = {"openai": "gpt-3.5-turbo", "anthropic": "claude-sonnet-4-5"}
USER_KEYS = {
    ("openai", "gpt-4o"): "notes: our chat model",
    ("google", "gemini-2.5-pro"): "task_complexity_score: {complex: 4.5}",
    ("cerebras", "zai-glm-4.7"): "notes: fast coder",
}


def synced_configs(root: Path) -> Path:
    """The excerpt synced into ``root/config/models``, then annotated as above."""
    config_dir = root / "config" / "models"
    report = modelsync.sync_to_configs(
        config_dir=str(config_dir), source=str(CATALOG), cache_dir=str(root / "cache")
    )
    assert not report.failed and not report.refused
    for provider, model in DEFAULTS.items():
        path = config_dir / f"{provider}.yml"
        text = path.read_text().replace("\nmodels:\n", f"\ndefault_model: {model}\nmodels:\n", 1)
        path.write_text(text)
    for (provider, model), line in USER_KEYS.items():
        path = config_dir / f"{provider}.yml"
        entry = f"\n  {model}:\n"
        assert entry in path.read_text()
        path.write_text(path.read_text().replace(entry, f"{entry}    {line}\n", 1))
    return config_dir


#: LiteLLM's ``model_prices_and_context_window_backup.json`` of the released package
#: litellm 1.110.2, the entries of the models above (as published, not edited).
LITELLM = DATA / "litellm-1.110.2-excerpt.json"
#: genai-prices' ``prices/new_data/v2/data.json`` at commit 47df840: the providers of
#: the models above with their models (provider ``extractors`` left out).
GENAI_PRICES = DATA / "genai-prices-excerpt.json"
#: The day the audit takes as today in tests: LiteLLM's deprecation dates before it count.
TODAY = "2026-12-03"
