"""Output that data cannot forge or leak through: terminal escapes from the catalog and
from user files, and values quoted by validate (short excerpts only, found fast).
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from .conftest import dumps, sliced

EVIL = {
    "title": "\x1b]0;pwned\x07",
    "clear": "clear\x1b[2J",
    "forged": "evil\nModelsync: all good",
}


def cli(*args: str, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_CACHE_HOME": str(cwd / "xdg")}
    return subprocess.run(
        [sys.executable, "-m", "modelsync.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def evil_catalog(price: float) -> dict[str, Any]:
    data = sliced(providers=("anthropic",))
    models = data["anthropic"]["models"]
    template = models[sorted(models)[0]]
    for name, model_id in EVIL.items():
        model = copy.deepcopy(template)
        model["id"] = model_id
        model["name"] = EVIL["title"] + name
        model["cost"]["input"] = price
        models[model_id] = model
    bad = copy.deepcopy(template)
    bad["cost"]["input"] = -1  # skipped, and named in a warning
    models["bad\x1b[31m\nModelsync: all good"] = bad
    return data


def assert_clean(text: str) -> None:
    assert "\x1b" not in text and "\x07" not in text, repr(text)
    assert not any(line.startswith("Modelsync: all good") for line in text.splitlines())


@pytest.mark.slow
def test_catalog_ids_cannot_drive_the_terminal_or_forge_lines(tmp_path: Path) -> None:
    (tmp_path / "old.json").write_bytes(dumps(evil_catalog(1.0)))
    (tmp_path / "new.json").write_bytes(dumps(evil_catalog(2.0)))
    first = cli("sync", "--source", "old.json", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert_clean(first.stdout + first.stderr)
    as_json = cli("sync", "--source", "new.json", "--dry-run", "--json", cwd=tmp_path)
    report = json.loads(as_json.stdout)
    priced = {c["model"] for c in report["changes"]["price"]}
    assert set(EVIL.values()) <= priced, "JSON carries the exact ids"
    second = cli("sync", "--source", "new.json", cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    output = second.stdout + second.stderr
    assert_clean(output)
    assert "anthropic/\\x1b]0;pwned\\x07: input 1.0 -> 2.0" in second.stdout
    assert "anthropic/evil\\nModelsync: all good" in second.stdout
    assert "skipped model anthropic/bad\\x1b[31m\\nModelsync: all good" in second.stderr
    listed = cli("models", "--provider", "anthropic", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert_clean(listed.stdout)
    assert "anthropic/clear\\x1b[2J" in listed.stdout


def test_validate_escapes_what_it_quotes(tmp_path: Path) -> None:
    models = tmp_path / "config" / "models"
    models.mkdir(parents=True)
    (models / "acme.yml").write_text(
        "provider: acme\n"
        "name: Acme\n"
        "models:\n"
        '  "evil\\e[2J\\nModelsync: all good":\n'
        '    name: "\\e]0;pwned\\a"\n'
        '    context_window: "\\e[31mlots"\n'
    )
    result = cli("validate", cwd=tmp_path)
    assert result.returncode == 1
    assert_clean(result.stdout + result.stderr)
    assert "models.evil\\x1b[2J\\nModelsync: all good.context_window" in result.stdout


def test_validate_quotes_only_a_short_excerpt_of_a_value(tmp_path: Path) -> None:
    models = tmp_path / "config" / "models"
    models.mkdir(parents=True)
    secret = "ghp_" + "0123456789abcdefghijklmnopqrstuvwxyzABCD"
    (models / "acme.yml").write_text(
        f"provider: acme\nname: Acme\nmodels:\n  m:\n    name: M\n    context_window: {secret}\n"
    )
    (models / "env.yml").write_text(f"GITHUB_TOKEN={secret}\n")
    result = cli("validate", cwd=tmp_path)
    assert result.returncode == 1
    assert secret not in result.stdout + result.stderr
    assert secret[:12] in result.stdout, "an excerpt, to recognise the value"
    for line in result.stdout.splitlines():
        assert len(line) < 200 + len(str(tmp_path)), line


@pytest.mark.slow
def test_validate_time_grows_linearly_with_the_errors(tmp_path: Path) -> None:
    models = tmp_path / "config" / "models"
    models.mkdir(parents=True)
    lines = ["provider: acme", "name: Acme", "models:"]
    for index in range(3000):
        lines += [f"  model-{index}:", f"    name: Model {index}", "    context_window: lots"]
    (models / "acme.yml").write_text("\n".join(lines) + "\n")
    start = time.monotonic()
    result = cli("validate", "--format", "json", cwd=tmp_path, timeout=120)
    elapsed = time.monotonic() - start
    assert result.returncode == 1
    errors = json.loads(result.stdout)["errors"]
    assert len(errors) == 3000 and max(e["line"] for e in errors) == 3 + 3 * 3000
    assert elapsed < 20, f"{elapsed:.1f} s for 3000 errors in one file"
