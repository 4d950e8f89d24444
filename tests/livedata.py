"""Test data of the live check: fake keys, what each emulated provider serves, and the
annotated provider files of this repository synced from the newest snapshot."""

from __future__ import annotations

import shutil
from pathlib import Path

import modelsync

from .conftest import NEWEST, ROOT, sliced, write_catalog
from .liveserver import AnthropicApp, GeminiApp, LiveServer, OpenAIApp

SYNCED = ("anthropic", "openai", "google", "mistral", "xai", "azure")
ANTHROPIC_KEY = "sk-ant-api03-TESTq1w2e3r4t5y6u7i8o9p0AAAA"
OPENAI_KEY = "sk-proj-TESTz9x8c7v6b5n4m3l2k1j0BBBB"
GEMINI_KEY = "AIzaSyTEST-a1s2d3f4g5h6j7k8l9CCCC"
KEYS = (ANTHROPIC_KEY, OPENAI_KEY, GEMINI_KEY)

#: What the emulated Anthropic API serves: dated snapshots (not the aliases), newer
#: models, and one the catalog does not have.
ANTHROPIC_SERVED = [
    "claude-opus-4-7",
    "claude-opus-4-6",
    "claude-sonnet-4-6",
    "claude-sonnet-4-5-20250929",
    "claude-haiku-4-5-20251001",
    "claude-opus-4-5-20251101",
    "claude-opus-4-1-20250805",
    "claude-opus-4-20250514",
    "claude-sonnet-4-20250514",
    "claude-3-7-sonnet-20250219",
    "claude-3-5-haiku-20241022",
    "claude-3-haiku-20240307",
    "claude-mythos-1-20260301",
]
GEMINI_SERVED = [
    "gemini-2.5-flash",
    "gemini-2.5-pro",
    "gemini-2.0-flash",
    "gemini-2.0-flash-001",
    "gemini-flash-latest",
    "gemini-embedding-001",
    "gemma-4-31b-it",
    "gemini-3-pro-preview",
    "aqa",
    "imagen-4.0-generate-001",
]
OPENAI_SERVED = [
    "gpt-5",
    "gpt-5-mini",
    "gpt-4o",
    "gpt-4o-2024-08-06",
    "o3",
    "text-embedding-3-small",
    "dall-e-3",
    "whisper-1",
    "tts-1",
    "gpt-4o-realtime-preview",
    "davinci-002",
    "babbage-002",
]


def annotated_configs(tmp: Path) -> Path:
    """This repository's annotated provider files (a default model, a score, comments),
    plus azure's, synced from the newest snapshot into ``tmp/config/models``."""
    config = tmp / "config" / "models"
    shutil.copytree(ROOT / "config" / "models", config)
    source = write_catalog(tmp / "api.json", sliced(NEWEST, SYNCED))
    report = modelsync.sync_to_configs(
        config_dir=str(config), source=source, cache_dir=str(tmp / "cache")
    )
    assert not report.failed and (config / "azure.yml").exists()
    return config


class Emulators:
    def __init__(self, srv: LiveServer) -> None:
        self.anthropic = AnthropicApp(ANTHROPIC_SERVED, ANTHROPIC_KEY, page_max=5)
        self.gemini = GeminiApp(GEMINI_SERVED, GEMINI_KEY, page_max=3)
        self.openai = OpenAIApp(OPENAI_SERVED, OPENAI_KEY)
        self.endpoints = {
            "anthropic": srv.mount("/gw/anthropic/v1", self.anthropic),
            "google": srv.mount("/gw/google/v1beta", self.gemini),
            "openai": srv.mount("/gw/openai/v1", self.openai),
        }
