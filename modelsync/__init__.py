"""modelsync: keep a repository's per-provider LLM model catalog in step with models.dev.

The public API (imported lazily, so that ``invoke --list`` stays instant)::

    import modelsync

    catalog = modelsync.fetch_all()                      # {provider: [Model, ...]}
    model = modelsync.get_model("anthropic", "claude-opus-4-1")
    report = modelsync.sync_to_configs(config_dir="config/models")
    print(report.counts())
    live = modelsync.check_live(providers=["anthropic"])  # keys from the environment
    cost = modelsync.estimate_cost("openai", "gpt-5", {"input": 1000}, at="2026-04-01")
    changes = modelsync.model_history("openai", "gpt-5", fields=["pricing"])
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._version import __version__ as __version__
from .errors import CatalogError as CatalogError
from .errors import ConfigError as ConfigError
from .errors import FetchError as FetchError
from .errors import LockError as LockError
from .errors import ModelNotFound as ModelNotFound
from .errors import ModelsyncError as ModelsyncError
from .errors import NotScored as NotScored
from .errors import OutcomeError as OutcomeError
from .errors import PriceMissing as PriceMissing
from .errors import ProviderNotFound as ProviderNotFound
from .errors import ShrinkError as ShrinkError
from .errors import UsageError as UsageError

if TYPE_CHECKING:  # the public names for type checkers: the same as _LAZY_BY_MODULE
    from .api import clear_cache as clear_cache
    from .api import fetch_all as fetch_all
    from .api import get_model as get_model
    from .api import list_models as list_models
    from .api import sync_to_configs as sync_to_configs
    from .api import validate_configs as validate_configs
    from .auditing import AuditFinding as AuditFinding
    from .auditing import AuditReport as AuditReport
    from .auditing import audit as audit
    from .checks.validate import Finding as Finding
    from .checks.validate import ValidationResult as ValidationResult
    from .history import FieldChange as FieldChange
    from .history import History as History
    from .history import model_history as model_history
    from .live import LiveReport as LiveReport
    from .live import ProviderCheck as ProviderCheck
    from .live import check_live as check_live
    from .model.catalog import Model as Model
    from .model.catalog import PriceTier as PriceTier
    from .model.catalog import Pricing as Pricing
    from .model.usage import Component as Component
    from .model.usage import Usage as Usage
    from .report.types import Change as Change
    from .report.types import ProviderResult as ProviderResult
    from .report.types import SyncReport as SyncReport
    from .settings import Settings as Settings
    from .settings import make_settings as make_settings
    from .sync.record import LastSync as LastSync
    from .sync.schedule import last_sync as last_sync
    from .sync.schedule import sync_if_needed as sync_if_needed
    from .use.choice import Choice as Choice
    from .use.cost import Cost as Cost
    from .use.cost import CostLine as CostLine
    from .use.cost import estimate_cost as estimate_cost
    from .use.learn import Outcome as Outcome
    from .use.learn import ScoreChange as ScoreChange
    from .use.learn import ScoreReport as ScoreReport
    from .use.learn import learn_scores as learn_scores
    from .use.learn import record_scores as record_scores
    from .use.learnfile import learn_file as learn_file
    from .use.router import select as select
    from .use.view import CatalogView as CatalogView
    from .use.view import ProviderView as ProviderView
    from .use.view import load_catalog as load_catalog

#: The public names imported on first use, by module: the one list of modelsync's public
#: API (the ``TYPE_CHECKING`` imports above mirror it for type checkers, and a test keeps
#: the two equal).
_LAZY_BY_MODULE: dict[str, tuple[str, ...]] = {
    "auditing": ("AuditFinding", "AuditReport", "audit"),
    "api": (
        "clear_cache",
        "fetch_all",
        "get_model",
        "list_models",
        "sync_to_configs",
        "validate_configs",
    ),
    "model.catalog": ("Model", "PriceTier", "Pricing"),
    "use.view": ("CatalogView", "ProviderView", "load_catalog"),
    "use.cost": ("Cost", "CostLine", "estimate_cost"),
    "use.learnfile": ("learn_file",),
    "history": ("FieldChange", "History", "model_history"),
    "use.learn": ("Outcome", "ScoreChange", "ScoreReport", "learn_scores", "record_scores"),
    "live": ("LiveReport", "ProviderCheck", "check_live"),
    "report.types": ("Change", "ProviderResult", "SyncReport"),
    "use.choice": ("Choice",),
    "use.router": ("select",),
    "sync.record": ("LastSync",),
    "sync.schedule": ("last_sync", "sync_if_needed"),
    "settings": ("Settings", "make_settings"),
    "model.usage": ("Component", "Usage"),
    "checks.validate": ("Finding", "ValidationResult"),
}
_LAZY = {name: module for module, names in _LAZY_BY_MODULE.items() for name in names}
_ERRORS = [
    name
    for name, value in list(globals().items())
    if isinstance(value, type) and issubclass(value, Exception)
]
__all__ = sorted([*_ERRORS, *_LAZY, "__version__"])


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'modelsync' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
