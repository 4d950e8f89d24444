"""Writing learned scores into provider files: two user-owned keys of one model entry,
``task_complexity_score`` and ``task_complexity_samples``, and nothing else.

A file in the canonical layout is edited as plain data and written by the canonical
writer (it stays canonical, so the sync's fast path still applies); any other file goes
through the ruamel round trip, so comments, key order, quoting and flow or block style
are kept. Either way the result must read back as the old data with exactly these keys
changed, and must pass the checks of ``invoke validate``, before anything is written.
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import yamlio
from ..errors import ConfigError, ModelNotFound
from ..util.suggest import did_you_mean
from ..util.text import excerpt

SCORE_KEY = "task_complexity_score"
SAMPLES_KEY = "task_complexity_samples"

#: Edits of one file: model id -> key (SCORE_KEY, SAMPLES_KEY) -> complexity -> value.
Edits = Mapping[str, Mapping[str, Mapping[str, float]]]


@dataclass
class ScoreFile:
    """One provider file read for editing: its text and its plain data."""

    provider: str
    path: Path
    old: bytes
    text: str
    data: dict[str, Any]
    #: Keys used on purpose (the ``user_keys`` setting), never taken for typos.
    user_keys: tuple[str, ...] = ()

    @classmethod
    def read(cls, provider: str, path: Path, user_keys: Sequence[str] = ()) -> ScoreFile:
        from ..util.fsutil import UnsafeFile, read_config

        try:
            old = read_config(path)
        except UnsafeFile as exc:
            raise ConfigError(f"{path}: {exc}", path=str(path)) from None
        except OSError as exc:
            raise ConfigError(
                f"{path}: cannot read: {exc.strerror or exc}", path=str(path)
            ) from None
        try:
            text = yamlio.decode(old)
            data = yamlio.load(text)
        except yamlio.YamlError as exc:
            raise ConfigError(f"{exc.where(str(path))}: {exc.message}", path=str(path)) from None
        if not isinstance(data, dict) or not isinstance(data.get("models"), dict):
            raise ConfigError(f"{path}: has no models mapping", path=str(path))
        return cls(provider, path, old, text, data, tuple(user_keys))

    def entry(self, model_id: str) -> dict[str, Any]:
        """The plain entry of ``model_id``; :class:`ModelNotFound` naming close ids."""
        models = self.data["models"]
        for key, entry in models.items():
            if str(key) == model_id and isinstance(entry, dict):
                return entry
        raise ModelNotFound(
            f"no model {excerpt(model_id)} in {self.path}"
            f"{did_you_mean(model_id, [str(k) for k in models])}"
        )

    def current(self, model_id: str, key: str) -> dict[str, Any]:
        """The model's ``key`` mapping (``{}`` when absent); :class:`ConfigError` when the
        key holds something else than a mapping."""
        value = self.entry(model_id).get(key)
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise ConfigError(
                f"{self.where(['models', model_id, key])}: models.{model_id}.{key} is not a "
                "mapping of complexities to numbers; fix it by hand first",
                path=str(self.path),
            )
        return value

    def where(self, parts: list[Any]) -> str:
        from ..yamlio.locate import locate

        line, _ = locate(self.text, parts)
        return f"{self.path}:{line}" if line else str(self.path)

    def render(self, edits: Edits) -> bytes:
        """The file's new bytes with ``edits`` applied, checked (see the module docstring)."""
        expected = copy.deepcopy(self.data)
        for model_id, keys in edits.items():
            _apply_plain(_entry_of(expected["models"], model_id), keys)
        canonical = False
        if "\r\n" not in self.text:
            with contextlib.suppress(yamlio.Unrepresentable):
                canonical = yamlio.dump(self.data) == self.text
        new_text = yamlio.dump(expected) if canonical else self._round_trip(edits)
        written = yamlio.load(new_text)
        if written != expected:
            raise ConfigError(
                f"{self.path}: internal error: writing the scores would change more than "
                f"{SCORE_KEY} and {SAMPLES_KEY}; file not written",
                path=str(self.path),
            )
        self._check(written, new_text)
        return new_text.encode("utf-8")

    def _round_trip(self, edits: Edits) -> str:
        from ..yamlio.edit import RuamelEditor

        rt = yamlio.RoundTrip()
        document = rt.load(self.text)
        editor = RuamelEditor()
        for model_id, keys in edits.items():
            entry = _entry_of(document.data["models"], model_id)
            for key in (SCORE_KEY, SAMPLES_KEY):
                if key in keys:
                    _apply_node(editor, entry, key, keys[key])
        return document.dump()

    def _check(self, written: Any, new_text: str) -> None:
        from ..checks.problems import check_data
        from ..yamlio.locate import locate

        problems = check_data(written, self.provider, self.user_keys)
        if problems:
            parts, message = problems[0]
            line, _ = locate(new_text, parts)
            where = f"{self.path}:{line}" if line else str(self.path)
            dotted = ".".join(str(p) for p in parts) or "(top level)"
            from ..util.tasknames import command

            raise ConfigError(
                f"{where}: {dotted}: {message}; the file would not be valid, so no score "
                f"was written (run {command('validate')})",
                path=str(self.path),
                line=line,
            )


def _entry_of(models: Any, model_id: str) -> Any:
    for key in models:
        if str(key) == model_id:
            return models[key]
    raise KeyError(model_id)  # pragma: no cover - checked by ScoreFile.entry


def _apply_plain(entry: dict[str, Any], keys: Mapping[str, Mapping[str, float]]) -> None:
    for key in (SCORE_KEY, SAMPLES_KEY):
        if key in keys:
            target = entry.get(key)
            if not isinstance(target, dict):
                target = entry[key] = {}
            target.update(keys[key])


def _apply_node(editor: Any, entry: Any, key: str, values: Mapping[str, float]) -> None:
    """Set ``entry[key][complexity]`` in ruamel's tree, keeping comments where they are."""
    target = entry.get(key)
    if target is None or not isinstance(target, MutableMapping):
        node = editor.node(dict(values))
        node.fa.set_flow_style()
        position = len(entry)
        if key == SAMPLES_KEY and SCORE_KEY in entry:
            position = list(entry).index(SCORE_KEY) + 1
        if key in entry:  # an empty value: replace it in place
            entry[key] = node
        else:
            editor.insert(entry, position, key, node)
        return
    for complexity, value in values.items():
        if complexity in target:
            target[complexity] = value
        else:
            editor.insert(target, len(target), complexity, value)
