"""The two errors of modelsync's YAML layer."""

from __future__ import annotations


class YamlError(Exception):
    """A YAML document that cannot be read; ``line`` and ``column`` are 1-based."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column

    def where(self, path: str) -> str:
        if self.line is None:
            return path
        return f"{path}:{self.line}:{self.column or 1}"


class Unrepresentable(ValueError):
    """Data the canonical writer does not handle; the caller falls back to ruamel."""
