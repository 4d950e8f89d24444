"""A real git repository of provider files built from the real catalog snapshots, with
commits at known dates: syncs, a hand pin, a sync merged from a branch, a directory
move. The dates (UTC):

* 2026-01-10 sync of the 2026-01-10 catalog;
* 2026-02-15 hand edit: ``openai/gpt-4o`` input price 2.5 -> 2.0, ``pinned: [pricing]``,
  a ``notes`` key;
* 2026-03-18 sync of the 2026-03-18 catalog on branch ``sync`` (``openai/gpt-5``
  cache-read 0.13 -> 0.125; ``openai/gpt-5.4`` appears), merged into ``main`` on
  2026-04-05 (after an unrelated commit on ``main`` of 2026-03-20);
* 2026-05-25 sync of the 2026-05-21 catalog, authored 2026-05-21 (``openai/gpt-5.4``'s
  long-context tier moves from above 200,000 to above 272,000 prompt tokens).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import modelsync
from modelsync import yamlio

from .conftest import sliced

PROVIDERS = ("openai", "anthropic")


def git(repo: Path, *args: str, date: str | None = None, author: str | None = None) -> str:
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(repo.parent)}
    if date:
        env["GIT_COMMITTER_DATE"] = f"{date}T12:00:00Z"
        env["GIT_AUTHOR_DATE"] = f"{author or date}T12:00:00Z"
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return done.stdout.strip()


def sync(repo: Path, catalog_date: str) -> None:
    source = repo.parent / f"api-{catalog_date}.json"
    source.write_text(json.dumps(sliced(catalog_date, PROVIDERS)))
    modelsync.sync_to_configs(
        config_dir=str(repo / "config" / "models"),
        source=str(source),
        cache_dir=str(repo.parent / "cache"),
    )


def pin_gpt_4o(repo: Path) -> None:
    path = repo / "config" / "models" / "openai.yml"
    doc = yamlio.load(path.read_bytes())
    entry = doc["models"]["gpt-4o"]
    entry["pricing"]["input"] = 2.0
    entry["pinned"] = ["pricing"]
    entry["notes"] = "negotiated price"
    path.write_text(yamlio.dump(doc))


def build(root: Path) -> Path:
    """The repository (its ``main`` checked out) under ``root``."""
    repo = root / "repo"
    repo.mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    sync(repo, "2026-01-10")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "sync", date="2026-01-10")
    pin_gpt_4o(repo)
    git(repo, "commit", "-qam", "pin gpt-4o's negotiated price", date="2026-02-15")
    git(repo, "checkout", "-qb", "sync")
    sync(repo, "2026-03-18")
    git(repo, "commit", "-qam", "sync", date="2026-03-18")
    git(repo, "checkout", "-q", "main")
    (repo / "README.md").write_text("models\n")
    git(repo, "add", "README.md")
    git(repo, "commit", "-qm", "readme", date="2026-03-20")
    git(repo, "merge", "-q", "--no-ff", "-m", "merge sync", "sync", date="2026-04-05")
    sync(repo, "2026-05-21")
    git(repo, "commit", "-qam", "sync", date="2026-05-25", author="2026-05-21")
    return repo
