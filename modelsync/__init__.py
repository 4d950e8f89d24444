"""modelsync: keep a repository's per-provider LLM model catalog in step with models.dev.

The public API (imported lazily, so that ``invoke --list`` stays instant)::

    import modelsync

    catalog = modelsync.fetch_all()                      # {provider: [Model, ...]}
    model = modelsync.get_model("anthropic", "claude-opus-4-1")
    report = modelsync.sync_to_configs(config_dir="config/models")
    print(report.counts())
    live = modelsync.check_live(providers=["anthropic"])  # keys from the environment
    audit = modelsync.audit(all_models=True)              # findings about the files
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import (
    CatalogError as CatalogError,
)
from .errors import (
    ConfigError as ConfigError,
)
from .errors import (
    FetchError as FetchError,
)
from .errors import (
    LockError as LockError,
)
from .errors import (
    ModelNotFound as ModelNotFound,
)
from .errors import (
    ModelsyncError as ModelsyncError,
)
from .errors import (
    OutcomeError as OutcomeError,
)
from .errors import (
    PriceMissing as PriceMissing,
)
from .errors import (
    ProviderNotFound as ProviderNotFound,
)
from .errors import (
    ShrinkError as ShrinkError,
)
from .errors import (
    UsageError as UsageError,
)

__version__ = "0.1.0"

if TYPE_CHECKING:  # the public names for type checkers: the same as _LAZY_BY_MODULE
    from .api import (
        clear_cache as clear_cache,
    )
    from .api import (
        fetch_all as fetch_all,
    )
    from .api import (
        get_model as get_model,
    )
    from .api import (
        list_models as list_models,
    )
    from .api import (
        sync_to_configs as sync_to_configs,
    )
    from .api import (
        validate_configs as validate_configs,
    )
    from .audit import (
        AuditFinding as AuditFinding,
    )
    from .audit import (
        AuditReport as AuditReport,
    )
    from .audit import (
        audit as audit,
    )
    from .catalog import (
        Model as Model,
    )
    from .catalog import (
        PriceTier as PriceTier,
    )
    from .catalog import (
        Pricing as Pricing,
    )
    from .catalog_view import (
        CatalogView as CatalogView,
    )
    from .catalog_view import (
        ProviderView as ProviderView,
    )
    from .catalog_view import (
        load_catalog as load_catalog,
    )
    from .cost import (
        Cost as Cost,
    )
    from .cost import (
        CostLine as CostLine,
    )
    from .cost import (
        estimate_cost as estimate_cost,
    )
    from .learn import (
        Outcome as Outcome,
    )
    from .learn import (
        ScoreChange as ScoreChange,
    )
    from .learn import (
        ScoreReport as ScoreReport,
    )
    from .learn import (
        learn_scores as learn_scores,
    )
    from .learn import (
        record_scores as record_scores,
    )
    from .live import (
        LiveReport as LiveReport,
    )
    from .live import (
        ProviderCheck as ProviderCheck,
    )
    from .live import (
        check_live as check_live,
    )
    from .report import (
        Change as Change,
    )
    from .report import (
        ProviderResult as ProviderResult,
    )
    from .report import (
        SyncReport as SyncReport,
    )
    from .router import (
        Choice as Choice,
    )
    from .router import (
        select as select,
    )
    from .schedule import (
        LastSync as LastSync,
    )
    from .schedule import (
        last_sync as last_sync,
    )
    from .schedule import (
        sync_if_needed as sync_if_needed,
    )
    from .settings import (
        Settings as Settings,
    )
    from .settings import (
        make_settings as make_settings,
    )
    from .usage import (
        Component as Component,
    )
    from .usage import (
        Usage as Usage,
    )
    from .validate import (
        Finding as Finding,
    )
    from .validate import (
        ValidationResult as ValidationResult,
    )

#: The public names imported on first use, by module: the one list of modelsync's public
#: API (the ``TYPE_CHECKING`` imports above mirror it for type checkers, and a test keeps
#: the two equal).
_LAZY_BY_MODULE: dict[str, tuple[str, ...]] = {
    "api": (
        "clear_cache",
        "fetch_all",
        "get_model",
        "list_models",
        "sync_to_configs",
        "validate_configs",
    ),
    "audit": ("AuditFinding", "AuditReport", "audit"),
    "catalog": ("Model", "PriceTier", "Pricing"),
    "catalog_view": ("CatalogView", "ProviderView", "load_catalog"),
    "cost": ("Cost", "CostLine", "estimate_cost"),
    "learn": ("Outcome", "ScoreChange", "ScoreReport", "learn_scores", "record_scores"),
    "live": ("LiveReport", "ProviderCheck", "check_live"),
    "report": ("Change", "ProviderResult", "SyncReport"),
    "router": ("Choice", "select"),
    "schedule": ("LastSync", "last_sync", "sync_if_needed"),
    "settings": ("Settings", "make_settings"),
    "usage": ("Component", "Usage"),
    "validate": ("Finding", "ValidationResult"),
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
