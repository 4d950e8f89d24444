"""The exceptions modelsync raises for failures a user can cause or meet."""

from __future__ import annotations


class ModelsyncError(Exception):
    """Base class: an expected failure, reported as one line without a traceback."""

    #: The exit status of the command that meets it: 1 for a failure.
    exit_code = 1


class UsageError(ModelsyncError):
    """A flag, setting or environment variable has a value modelsync cannot use."""

    exit_code = 2


class FetchError(ModelsyncError):
    """The catalog could not be obtained from its source, its cache or the bundled snapshot."""


class CatalogError(FetchError):
    """The catalog was obtained but is not a models.dev catalog (bad JSON, wrong shape)."""


class ProviderNotFound(ModelsyncError):
    """A provider id or pattern matches no provider (a usage error: exit 2)."""

    exit_code = 2


class ModelNotFound(ModelsyncError):
    """A model id is not in the provider's catalog (a usage error: exit 2)."""

    exit_code = 2


class ConfigError(ModelsyncError):
    """A config file cannot be read, parsed or written."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.line = line


class LockError(ModelsyncError):
    """Another sync holds the config directory."""


class ShrinkError(ModelsyncError):
    """The catalog shrank more than the configured threshold allows."""


class PriceMissing(ModelsyncError):
    """A request uses a kind of token the model has no price for."""


class OutcomeError(ModelsyncError):
    """A record of outcomes to learn scores from is malformed (names its line)."""


class NotScored(ModelsyncError):
    """Models fit a request, but none has a score for its complexity (and unscored ones
    were not asked for)."""
