"""Validation of config files: the JSON Schema plus the checks a schema cannot express.

Findings carry the file, line and column of the offending value and its JSON path, and
print as ``path:line:column: json.path: message``. Files are read with the safe loader
only; nothing is written but the validation cache (file digests that passed, keyed by the
schema's digest), which lets a pre-commit run re-check only what changed.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Collection, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from . import __version__, yamlio
from .digests import digest
from .fsutil import UnsafeFile, read_config
from .schemacheck import CONFIG_SCHEMA, checker, json_path, message, schema_digest, short

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
        from .text import escape

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


def schema_problems(data: Any) -> list[tuple[list[Any], str]]:
    """Where a parsed config document breaks the schema: ``(json path parts, message)``.

    A number that is not finite is left to :func:`non_finite_problems`, which says so in
    YAML's words (``.inf``), once."""
    return [
        (list(error.absolute_path), _message(error))
        for error in checker(CONFIG_SCHEMA).errors(data)
        if not (isinstance(error.instance, float) and not math.isfinite(error.instance))
    ]


def _message(error: Any) -> str:
    """The message for a schema error; for an ``enum``, the whole list of allowed values
    (never cut short: that list is the answer)."""
    if error.validator == "enum" and isinstance(error.validator_value, list):
        from .text import escape, excerpt

        allowed = ", ".join(str(v) for v in error.validator_value)
        return escape(f"{excerpt(error.instance)} is not one of: {allowed}")
    return message(error)


def check_data(
    data: Any, provider_id: str | None, user_keys: Collection[str] = ()
) -> list[tuple[list[Any], str]]:
    """Every problem of one parsed config document: the schema, then the checks a schema
    cannot express (:func:`semantic_problems`, then misspelt keys and model ids that are
    not strings, :func:`modelsync.keycheck.key_problems`)."""
    from .keycheck import key_problems

    return (
        schema_problems(data) + semantic_problems(data, provider_id) + key_problems(data, user_keys)
    )


def semantic_problems(data: Any, provider_id: str | None) -> list[tuple[list[Any], str]]:
    """What a schema cannot check: every number is finite, provider matches the file
    name."""
    from .text import excerpt

    problems = non_finite_problems(data)
    if not isinstance(data, dict):
        return problems
    provider = data.get("provider")
    if provider_id is not None and isinstance(provider, str) and provider != provider_id:
        problems.append(
            (["provider"], f"{excerpt(provider)} does not match the file name ({provider_id}.yml)")
        )
    return problems


def non_finite_problems(data: Any) -> list[tuple[list[Any], str]]:
    """Every number that is NaN or infinite (``.nan``, ``.inf``, ``-.inf``), anywhere."""
    from .catalog import non_finite

    spelling = {math.inf: ".inf", -math.inf: "-.inf"}
    return [
        (parts, f"{spelling.get(value, '.nan')} is not a finite number")
        for parts, value in non_finite(data)
    ]


def default_model_warnings(data: Any) -> list[tuple[list[Any], str]]:
    """Where ``default_model`` names a model that cannot serve as one: not in the file,
    unavailable (left the catalog) or deprecated. Warnings; errors with ``--strict``."""
    from .text import excerpt

    if not isinstance(data, dict) or not isinstance(data.get("default_model"), str):
        return []
    default, models = data["default_model"], data.get("models")
    entry = models.get(default) if isinstance(models, dict) else None
    if not isinstance(entry, dict):
        return [(["default_model"], f"{excerpt(default)} is not a model of this file")]
    if entry.get("available") is False:
        why = "has left the catalog (available: false)"
    elif entry.get("deprecated") is True:
        why = "is deprecated"
    else:
        return []
    return [(["default_model"], f"{excerpt(default)} {why}; choose another default model")]


class Locator:
    """Positions of the values of one document, which is composed once (not once per
    finding: a file with many problems is read once)."""

    def __init__(self, text: str) -> None:
        import yaml

        try:
            self.root: Any = yaml.compose(
                text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)
            )
            self.ok = True
        except yaml.YAMLError:
            self.root, self.ok = None, False
        self._keys: dict[int, dict[str, tuple[Any, Any]]] = {}

    def _child(self, node: Any, part: Any) -> tuple[Any, Any] | None:
        """``(key node, value node)`` of ``part`` in a mapping, ``(None, item)`` in a
        sequence."""
        import yaml

        if isinstance(node, yaml.MappingNode):
            index = self._keys.get(id(node))
            if index is None:
                index = {}
                for key_node, value_node in node.value:
                    if isinstance(key_node, yaml.ScalarNode):
                        index.setdefault(key_node.value, (key_node, value_node))
                self._keys[id(node)] = index
            found = index.get(str(part))
            if found is None and not isinstance(part, str):  # 1.10: the number 1.1
                found = next((pair for pair in index.values() if _names(pair[0], part)), None)
            return found
        if (
            isinstance(node, yaml.SequenceNode)
            and isinstance(part, int)
            and 0 <= part < len(node.value)
        ):
            return None, node.value[part]
        return None

    def locate(
        self, parts: Sequence[Any], exact: bool = False, key: bool = False
    ) -> tuple[int | None, int | None]:
        """Line and column of the value at ``parts``, or of its nearest existing parent
        (``exact``: ``None`` unless the value itself is there; ``key``: of the key that
        names the value, for a problem with the key itself)."""
        if not self.ok:
            return None, None
        node = self.root
        if node is None:
            return 1, 1
        for index, part in enumerate(parts):
            child = self._child(node, part)
            if child is None:
                if exact:
                    return None, None
                break
            key_node, node = child
            if key and key_node is not None and index == len(parts) - 1:
                node = key_node
        return node.start_mark.line + 1, node.start_mark.column + 1


def _names(key_node: Any, part: Any) -> bool:
    """Whether a plain key that is not a string (such as ``1.10``) is the key ``part``."""
    if key_node.style:
        return False
    try:
        value = yamlio.load(key_node.value)
    except yamlio.YamlError:
        return False
    return type(value) is type(part) and bool(value == part)


def locate(
    text: str, parts: Sequence[Any], exact: bool = False, key: bool = False
) -> tuple[int | None, int | None]:
    """Line and column of the value at ``parts`` in ``text`` (see :class:`Locator`)."""
    return Locator(text).locate(parts, exact, key)


def validate_text(
    data: bytes, path: str, provider_id: str | None, user_keys: Collection[str] = ()
) -> list[Finding]:
    """Every problem of one file's content, in the order of their lines."""
    from .keycheck import ambiguous_ids, key_problems
    from .text import escape

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
        from .cachefile import mapping, strings, warn_corrupt

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
        from .fsutil import save_json

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
    from .configdir import provider_files

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
