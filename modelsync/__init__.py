"""modelsync: keep a repository's per-provider LLM model catalog in step with models.dev.

The public API (imported lazily, so that ``invoke --list`` stays instant)::

    import modelsync

    catalog = modelsync.fetch_all()                      # {provider: [Model, ...]}
    model = modelsync.get_model("anthropic", "claude-opus-4-1")
    report = modelsync.sync_to_configs(config_dir="config/models")
    print(report.counts())
    live = modelsync.check_live(providers=["anthropic"])  # keys from the environment
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import (
    CatalogError,
    ConfigError,
    FetchError,
    LockError,
    ModelNotFound,
    ModelsyncError,
    ProviderNotFound,
    ShrinkError,
    UsageError,
)

__version__ = "0.1.0"

if TYPE_CHECKING:
    from .api import (
        clear_cache,
        fetch_all,
        get_model,
        list_models,
        sync_to_configs,
        validate_configs,
    )
    from .catalog import Model, PriceTier, Pricing
    from .live import LiveReport, ProviderCheck, check_live
    from .report import Change, ProviderResult, SyncReport
    from .settings import Settings, make_settings
    from .validate import Finding, ValidationResult

_LAZY = {
    "fetch_all": "api",
    "get_model": "api",
    "sync_to_configs": "api",
    "validate_configs": "api",
    "list_models": "api",
    "clear_cache": "api",
    "check_live": "live",
    "LiveReport": "live",
    "ProviderCheck": "live",
    "Model": "catalog",
    "Pricing": "catalog",
    "PriceTier": "catalog",
    "Change": "report",
    "SyncReport": "report",
    "ProviderResult": "report",
    "Settings": "settings",
    "make_settings": "settings",
    "Finding": "validate",
    "ValidationResult": "validate",
}

__all__ = [
    "CatalogError",
    "Change",
    "ConfigError",
    "FetchError",
    "Finding",
    "LiveReport",
    "LockError",
    "Model",
    "ModelNotFound",
    "ModelsyncError",
    "PriceTier",
    "Pricing",
    "ProviderCheck",
    "ProviderNotFound",
    "ProviderResult",
    "Settings",
    "ShrinkError",
    "SyncReport",
    "UsageError",
    "ValidationResult",
    "__version__",
    "check_live",
    "clear_cache",
    "fetch_all",
    "get_model",
    "list_models",
    "make_settings",
    "sync_to_configs",
    "validate_configs",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'modelsync' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
