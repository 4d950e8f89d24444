"""The scheduled-sync examples run: the GitHub Actions workflow's shell steps (its action
steps replaced by their effect) and the GitLab job's script (pushing to a local bare
repository), in a temporary git repository against a loopback catalog."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from .conftest import ROOT, dumps, sliced
from .httpserver import CatalogServer, Reply

WORKFLOW = ROOT / "examples" / "github-actions" / "modelsync.yml"
GITLAB = ROOT / "examples" / "gitlab-ci.yml"
PROVIDERS = ("anthropic", "groq", "mistral")
GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]


def _git(repo: Path, *args: str) -> str:
    out = subprocess.run(
        [*GIT, *args], cwd=repo, capture_output=True, text=True, timeout=60, check=True
    )
    return out.stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A team's repository: the README's tasks.py, config/models synced from 2026-03-18
    with a default model that leaves the catalog in 2026-05-21, committed."""
    repo = tmp_path / "team-repo"
    repo.mkdir()
    readme = (ROOT / "README.md").read_text()
    (repo / "tasks.py").write_text(readme.split("```python\n# tasks.py\n")[1].split("```")[0])
    (repo / "old.json").write_bytes(dumps(sliced("2026-03-18", PROVIDERS)))
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "setup-cache")}
    subprocess.run(
        [sys.executable, "-m", "invoke", "catalog.sync", "--source", "old.json", "-q"],
        cwd=repo,
        env=env,
        check=True,
        timeout=120,
    )
    (repo / "old.json").unlink()
    with (repo / "config" / "models" / "anthropic.yml").open("a") as fh:
        fh.write("default_model: claude-3-7-sonnet-latest\n")
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "catalog")
    return repo


@pytest.fixture
def catalog_url() -> Any:
    with CatalogServer() as srv:
        yield srv.serve("/api.json", Reply(dumps(sliced("2026-05-21", PROVIDERS))))


def _environment(tmp_path: Path, url: str) -> dict[str, str]:
    bin_dir = Path(sys.executable).parent
    return {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "INVOKE_MODELSYNC_API_URL": url,
        "XDG_CACHE_HOME": str(tmp_path / "runner-cache"),
    }


def _shell(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """A ``run:`` block as the runner runs it (bash -e -o pipefail); the install
    command is left out: modelsync is installed in this environment."""
    lines = [x for x in script.splitlines() if not re.match(r"\s*(python -m )?pip install", x)]
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", "\n".join(lines)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_the_workflow_pins_every_action_to_a_commit() -> None:
    text = WORKFLOW.read_text()
    uses = re.findall(r"uses: (\S+)@(\S+)( # v[\d.]+)?", text)
    assert len(uses) >= 3
    for action, ref, comment in uses:
        assert re.fullmatch(r"[0-9a-f]{40}", ref) and comment, (action, ref)
    flow = yaml.safe_load(text)
    triggers = flow[True]  # YAML 1.1 reads the key `on` as true
    assert "workflow_dispatch" in triggers
    (schedule,) = triggers["schedule"]
    assert len(schedule["cron"].split()) == 5
    assert flow["permissions"] == {"contents": "write", "pull-requests": "write"}


@pytest.mark.slow
def test_the_workflow_steps_open_a_pull_request_with_the_report(
    repo: Path, catalog_url: str, tmp_path: Path
) -> None:
    flow = yaml.safe_load(WORKFLOW.read_text())
    (job,) = flow["jobs"].values()
    temp = tmp_path / "runner-temp"
    temp.mkdir()
    env = {
        **_environment(tmp_path, catalog_url),
        "RUNNER_TEMP": str(temp),
        "GITHUB_OUTPUT": str(temp / "output"),
        "GITHUB_STEP_SUMMARY": str(temp / "summary.md"),
    }
    pull_request: dict[str, str] = {}
    for step in job["steps"]:
        action = step.get("uses", "").split("@")[0]
        if "run" in step:
            result = _shell(step["run"], repo, env)
            assert result.returncode == 0, (step.get("name"), result.stdout, result.stderr)
        elif action == "peter-evans/create-pull-request":
            pull_request = _create_pull_request(repo, step["with"], temp)
        else:
            assert action in ("actions/checkout", "actions/setup-python", "actions/cache"), action
    body = pull_request["body"]
    assert body.startswith("## Model catalog sync")
    headings = [x for x in body.splitlines() if x.startswith("### ")]
    assert headings[0] == "### Needs attention (1)"
    assert "| anthropic/claude-3-7-sonnet-latest | left the catalog" in body
    assert "\n## Catalog audit\n" in body  # the audit follows the sync's report
    assert (temp / "summary.md").read_text() == body
    assert "status=0" in (temp / "output").read_text()
    assert _git(repo, "rev-parse", "--abbrev-ref", "HEAD").strip() == "modelsync/catalog"
    assert _git(repo, "log", "-1", "--format=%s").strip() == pull_request["title"]
    changed = _git(repo, "show", "--name-only", "--format=", "HEAD").split()
    assert changed and all(p.startswith("config/models/") for p in changed)
    assert _git(repo, "status", "--porcelain").strip() == ""


def _create_pull_request(repo: Path, inputs: dict[str, str], temp: Path) -> dict[str, str]:
    """What peter-evans/create-pull-request does: commit the changes under add-paths to
    its branch; the pull request's body is the file at body-path."""
    paths = inputs["add-paths"].replace("/**", "")
    assert _git(repo, "status", "--porcelain", "--", paths).strip(), "files changed"
    _git(repo, "checkout", "-q", "-B", inputs["branch"])
    _git(repo, "add", "--", paths)
    _git(repo, "commit", "-q", "-m", inputs["commit-message"])
    body_path = inputs["body-path"].replace("${{ runner.temp }}", str(temp))
    return {"title": inputs["title"], "body": Path(body_path).read_text()}


@pytest.mark.slow
def test_the_gitlab_job_pushes_a_branch_for_a_merge_request(
    repo: Path, catalog_url: str, tmp_path: Path
) -> None:
    job = yaml.safe_load(GITLAB.read_text())["modelsync-sync"]
    assert {"if": '$CI_PIPELINE_SOURCE == "schedule"'} in job["rules"]
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    subprocess.run(
        ["git", "-C", str(remote), "config", "receive.advertisePushOptions", "true"], check=True
    )
    url = "https://oauth2:secret@gitlab.test/team/repo.git"
    _git(repo, "config", f"url.{remote}.insteadOf", url)
    env = {
        **_environment(tmp_path, catalog_url),
        **{k: str(v) for k, v in job["variables"].items()},
        "MODELSYNC_PUSH_TOKEN": "secret",
        "CI_SERVER_HOST": "gitlab.test",
        "CI_PROJECT_PATH": "team/repo",
        "CI_DEFAULT_BRANCH": "main",
        "GIT_CONFIG_GLOBAL": str(tmp_path / "gitconfig"),
    }
    script = "\n".join(
        x for x in job["before_script"] + job["script"] if not x.startswith("apt-get")
    )
    result = _shell(script, repo, env)
    assert result.returncode == 0, (result.stdout, result.stderr)
    log = subprocess.run(
        ["git", "-C", str(remote), "log", "-1", "--format=%B", "modelsync/catalog"],
        capture_output=True,
        text=True,
        check=True,
    )
    title, blank, *body = log.stdout.splitlines()
    assert (title, blank) == ("Sync the model catalog with models.dev", "")
    report = (repo / "modelsync-report.md").read_text()
    assert report.startswith("## Model catalog sync") and "### Needs attention (1)" in report
    assert "\n## Catalog audit\n" in report  # the audit follows the sync's report
    assert "\n".join(body).strip() == report.strip(), "the merge request's description"
    changed = subprocess.run(
        ["git", "-C", str(remote), "show", "--name-only", "--format=", "modelsync/catalog"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert changed and all(p.startswith("config/models/") for p in changed)
