"""The README works when pasted: every code block it shows runs here, against a loopback
catalog, in a temporary copy of this repository or in a temporary adopter's repository.

A block in a section this test does not know fails the test, so a new snippet cannot go
unchecked.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, dumps, run_cli, sliced
from .httpserver import CatalogServer, Reply

PROVIDERS = (
    "anthropic",
    "openai",
    "google",
    "mistral",
    "xai",
    "azure",
    "azure-cognitive-services",
    "groq",
)
#: Sections whose blocks run in a copy of this repository (top-level tasks).
THIS_REPO = {
    "",
    "Tasks",
    "`invoke sync`",
    "`invoke validate`",
    "`invoke models`",
    "`invoke live`",
    "`invoke cost`",
    "`invoke history`",
    "`invoke route`",
    "`invoke scores`",
    "`invoke audit`",
    "Python API",
}
#: Sections whose blocks read the files' git history: the copy of this repository is
#: made a git repository with the synced files committed (as a real one has them).
IN_GIT = {"`invoke history`"}
#: Sections whose blocks run in an adopter's repository (the README's tasks.py).
ADOPTER = {"Using it in your repository"}
#: Install commands: CI runs the install itself in a fresh virtual environment.
INSTALL = {"Install in your repository"}
#: The development commands run the test suite itself; CI runs them.
NOT_RUN = {"Development", "What it does"}


def readme_blocks() -> list[tuple[str, str, str]]:
    """``(section, language, code)`` of every fenced block, in order."""
    section, out, lines = "", [], (ROOT / "README.md").read_text().splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        heading = re.match(r"^#{2,3} (.*)", line)
        if heading:
            section = heading.group(1).strip()
        if line.startswith("```"):
            lang = line[3:].strip()
            end = lines.index("```", i + 1)
            out.append((section, lang, "\n".join(lines[i + 1 : end]) + "\n"))
            i = end
        i += 1
    return out


def commands(code: str) -> list[list[str]]:
    """The commands of a shell block: comments dropped, ``a && b`` split, installs kept
    out (the test environment is the installed package)."""
    out = []
    for line in code.splitlines():
        words = shlex.split(line, comments=True)
        while words:
            cut = words.index("&&") if "&&" in words else len(words)
            part, words = words[:cut], words[cut + 1 :]
            if part and part[:2] != ["pip", "install"]:
                out.append(part)
    return out


@pytest.fixture
def catalog_url() -> object:
    with CatalogServer() as srv:
        yield srv.serve("/api.json", Reply(dumps(sliced(providers=PROVIDERS))))


def _run(words: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    if words[0] == "invoke":
        return run_cli(*words[1:], cwd=cwd, env=env)
    if words[0] == "modelsync":
        return run_cli("modelsync", *words[1:], cwd=cwd, env=env)
    raise AssertionError(f"the README test does not know how to run {words!r}")


@pytest.mark.slow
def test_every_readme_block_runs(tmp_path: Path, catalog_url: str) -> None:
    blocks = readme_blocks()
    unknown = {s for s, _, _ in blocks} - THIS_REPO - ADOPTER - INSTALL - NOT_RUN
    assert not unknown, f"README sections this test does not run: {unknown}"
    env = {
        "INVOKE_MODELSYNC_API_URL": catalog_url,
        "XDG_CACHE_HOME": str(tmp_path / "xdg"),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
    }
    here = tmp_path / "this-repo"
    here.mkdir()
    shutil.copy(ROOT / "tasks.py", here)
    shutil.copy(ROOT / "invoke.yaml", here)
    (here / "api.json").write_bytes(dumps(sliced(providers=PROVIDERS)))
    adopter = tmp_path / "adopter"
    adopter.mkdir()
    ran = 0
    for section, lang, code in blocks:
        if section in NOT_RUN:
            continue
        if section in INSTALL:
            assert lang == "sh" and not commands(code), "install blocks hold installs only"
            continue
        cwd = here if section in THIS_REPO else adopter
        if section in IN_GIT and not (here / ".git").exists():
            _commit_the_files(here, env)
        first = code.splitlines()[0]
        if first.startswith("# ") and "." in first:
            (cwd / first[2:].strip()).write_text(code)
            ran += 1
            continue
        if lang == "sh":
            for words in commands(code):
                if words[0] == "pytest":
                    continue  # the README's test command: this test is part of its run
                result = _run(words, cwd, env)
                assert result.returncode == 0, (words, result.stdout, result.stderr)
                assert "Traceback" not in result.stderr
                ran += 1
        elif lang == "python":
            result = subprocess.run(
                [sys.executable, "-c", code],
                cwd=cwd,
                env={**os.environ, **env},
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert result.returncode == 0, (code, result.stderr)
            ran += 1
        else:
            raise AssertionError(f"README block of language {lang!r} in {section!r} not run")
    assert (adopter / "tasks.py").exists() and (adopter / "invoke.yaml").exists()
    assert ran >= 20
    _pre_commit_as_the_readme_says(adopter, env)


def _commit_the_files(repo: Path, env: dict[str, str]) -> None:
    dated = {
        "GIT_COMMITTER_DATE": "2026-01-02T12:00:00Z",
        "GIT_AUTHOR_DATE": "2026-01-02T12:00:00Z",
    }
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    for args in (["init", "-q"], ["add", "."], ["commit", "-qm", "sync"]):
        subprocess.run(
            [*git, *args], cwd=repo, env={**os.environ, **env, **dated}, check=True, timeout=60
        )


def _pre_commit_as_the_readme_says(repo: Path, env: dict[str, str]) -> None:
    """The hook snippet, written to the adopter's repository, validates what its own
    tasks.py mounts: passes on the synced files, fails on a broken one."""
    full_env = {**os.environ, **env}
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]

    def run(*cmd: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            cmd, cwd=repo, env=full_env, capture_output=True, text=True, timeout=120
        )

    assert (repo / ".pre-commit-config.yaml").exists()
    assert run(*git, "init", "-q").returncode == 0
    assert run(*git, "add", ".").returncode == 0
    good = run(sys.executable, "-m", "pre_commit", "run", "--all-files")
    assert good.returncode == 0, good.stdout + good.stderr
    broken = repo / "config" / "models" / "openai.yml"
    broken.write_text(broken.read_text().replace("provider: openai", "provider: 5", 1))
    run(*git, "add", ".")
    bad = run(sys.executable, "-m", "pre_commit", "run", "--all-files")
    assert bad.returncode == 1 and "openai.yml" in bad.stdout, bad.stdout


def test_the_readme_commands_parse() -> None:
    assert commands("pip install -e . && invoke sync  # x\npytest -n auto\n") == [
        ["invoke", "sync"],
        ["pytest", "-n", "auto"],
    ]
