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
    OutcomeError,
    PriceMissing,
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
    from .catalog_view import CatalogView, ProviderView, load_catalog
    from .cost import Cost, CostLine, estimate_cost
    from .learn import Outcome, ScoreChange, ScoreReport, learn_scores, record_scores
    from .live import LiveReport, ProviderCheck, check_live
    from .report import Change, ProviderResult, SyncReport
    from .router import Choice, select
    from .schedule import LastSync, last_sync, sync_if_needed
    from .settings import Settings, make_settings
    from .usage import Component, Usage
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
    "sync_if_needed": "schedule",
    "last_sync": "schedule",
    "LastSync": "schedule",
    "Model": "catalog",
    "Pricing": "catalog",
    "PriceTier": "catalog",
    "load_catalog": "catalog_view",
    "CatalogView": "catalog_view",
    "ProviderView": "catalog_view",
    "estimate_cost": "cost",
    "Component": "usage",
    "Cost": "cost",
    "CostLine": "cost",
    "Usage": "usage",
    "select": "router",
    "Choice": "router",
    "record_scores": "learn",
    "learn_scores": "learn",
    "Outcome": "learn",
    "ScoreChange": "learn",
    "ScoreReport": "learn",
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
    "CatalogView",
    "Change",
    "Choice",
    "Component",
    "ConfigError",
    "Cost",
    "CostLine",
    "FetchError",
    "Finding",
    "LastSync",
    "LiveReport",
    "LockError",
    "Model",
    "ModelNotFound",
    "ModelsyncError",
    "Outcome",
    "OutcomeError",
    "PriceMissing",
    "PriceTier",
    "Pricing",
    "ProviderCheck",
    "ProviderNotFound",
    "ProviderResult",
    "ProviderView",
    "ScoreChange",
    "ScoreReport",
    "Settings",
    "ShrinkError",
    "SyncReport",
    "Usage",
    "UsageError",
    "ValidationResult",
    "__version__",
    "check_live",
    "clear_cache",
    "estimate_cost",
    "fetch_all",
    "get_model",
    "last_sync",
    "learn_scores",
    "list_models",
    "load_catalog",
    "make_settings",
    "record_scores",
    "select",
    "sync_if_needed",
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
