"""Validation of config files: the JSON Schema plus the checks a schema cannot express.

Findings carry the file, line and column of the offending value and its JSON path, and
print as ``path:line:column: json.path: message``. Files are read with the safe loader
only; nothing is written but the validation cache (file digests that passed, keyed by the
schema's digest), which lets a pre-commit run re-check only what changed.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Collection, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .. import yamlio
from .._version import __version__
from ..model.schemas import CONFIG_SCHEMA, json_path, schema_digest, short
from ..util.digests import digest
from ..util.fsutil import UnsafeFile, read_config
from ..yamlio.locate import Locator
from .problems import default_model_warnings, schema_problems, semantic_problems

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Finding:
    """One problem in one file; ``line``/``column`` are 1-based, ``None`` if unknown."""

    path: str
    line: int | None
    column: int | None
    json_path: str
    message: str
    #: ``error``, or ``warning``: a problem that ``--strict`` makes an error.
    severity: str = "error"

    def __str__(self) -> str:
        """``path:line:column: json.path: message``, escaped for a terminal."""
        from ..util.text import escape

        where = self.path if self.line is None else f"{self.path}:{self.line}:{self.column or 1}"
        if self.severity == "warning":
            where += ": warning"
        text = (
            f"{where}: {self.json_path}: {self.message}"
            if self.json_path
            else (f"{where}: {self.message}")
        )
        return escape(text)


@dataclass
class ValidationResult:
    files: list[str] = field(default_factory=list)
    #: Every finding, errors and warnings, in file order.
    findings: list[Finding] = field(default_factory=list)
    cached: int = 0
    #: Warnings count as errors (``validate --strict``).
    strict: bool = False

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error" or self.strict]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning" and not self.strict]

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "files": self.files,
            "errors": [asdict(f) for f in self.errors],
            "warnings": [asdict(f) for f in self.warnings],
        }


def validate_text(
    data: bytes, path: str, provider_id: str | None, user_keys: Collection[str] = ()
) -> list[Finding]:
    """Every problem of one file's content, in the order of their lines."""
    from ..util.text import escape
    from .keys import ambiguous_ids, key_problems

    try:
        text = yamlio.decode(data)
        doc = yamlio.load(text)
    except yamlio.YamlError as exc:
        return [Finding(path, exc.line, exc.column, "", short(escape(exc.message)))]
    problems = [
        (p, m, False, "error")
        for p, m in schema_problems(doc) + semantic_problems(doc, provider_id)
    ]
    problems += [
        (p, m, True, "error") for p, m in key_problems(doc, user_keys) + ambiguous_ids(text, doc)
    ]
    problems += [(p, m, False, "warning") for p, m in default_model_warnings(doc)]
    if not problems:
        return []
    locator = Locator(text)
    findings = []
    for parts, problem, of_key, severity in problems:
        line, column = locator.locate(parts, key=of_key)
        findings.append(Finding(path, line, column, json_path(parts), problem, severity))
    findings.sort(key=lambda f: (f.line or 0, f.column or 0))
    return findings


class ValidationCache:
    """Digests of file contents that passed validation, under the current schema."""

    def __init__(self, cache_dir: Path, user_keys: Collection[str] = ()) -> None:
        self.path = cache_dir / "validated.json"
        keys = ",".join(sorted(user_keys))
        self.key = f"{__version__}:{schema_digest(CONFIG_SCHEMA)}:{keys}"
        self.valid: dict[str, None] = {}
        self.dirty = False
        try:
            raw = self.path.read_bytes()
        except OSError:
            return
        from ..util.cachefile import mapping, strings, warn_corrupt

        try:
            data = mapping(json.loads(raw), "the cache")
            key = data.get("key")
            valid = strings(data.get("valid"), "valid")
        except (ValueError, RecursionError) as exc:  # not JSON, or cachefile.Corrupt
            warn_corrupt(log, "validation cache", self.path, exc)
            return
        if key == self.key:
            self.valid = dict.fromkeys(valid)

    @staticmethod
    def entry(content: bytes, provider_id: str | None) -> str:
        return digest(content + b"\0" + (provider_id or "").encode())

    def __contains__(self, entry: str) -> bool:
        return entry in self.valid

    def add(self, entry: str) -> None:
        if entry not in self.valid:
            self.valid[entry] = None
            self.dirty = True

    def save(self, limit: int = 20000) -> None:
        if not self.dirty:
            return
        from ..util.fsutil import save_json

        keep = list(self.valid)[-limit:]
        save_json(
            self.path,
            {"key": self.key, "valid": keep},
            failure="could not save the validation cache %s (%s)",
            logger=log,
            level=logging.DEBUG,
        )


def config_files(config_dir: Path) -> list[Path]:
    """The provider files of a config directory (``*.yml``, ``*.yaml``), sorted."""
    from ..model.configdir import provider_files

    return list(provider_files(config_dir).values())


def validate_files(
    paths: Iterable[Path],
    cache: ValidationCache | None = None,
    user_keys: Collection[str] = (),
    *,
    strict: bool = False,
) -> ValidationResult:
    """Validate files; those whose exact content passed before (with no warning) are not
    re-checked."""
    result = ValidationResult(strict=strict)
    for path in paths:
        shown = str(path)
        result.files.append(shown)
        try:
            content = read_config(path)
        except UnsafeFile as exc:
            result.findings.append(Finding(shown, None, None, "", str(exc)))
            continue
        except OSError as exc:
            result.findings.append(Finding(shown, None, None, "", f"cannot read: {exc.strerror}"))
            continue
        provider_id = path.stem
        entry = ValidationCache.entry(content, provider_id)
        if cache is not None and entry in cache:
            result.cached += 1
            continue
        findings = validate_text(content, shown, provider_id, user_keys)
        if findings:
            result.findings.extend(findings)
        elif cache is not None:
            cache.add(entry)
    if cache is not None:
        cache.save()
    return result
