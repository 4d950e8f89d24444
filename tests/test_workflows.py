"""The scheduled-sync examples run: the GitHub Actions workflow's shell steps (its action
steps replaced by their effect) and the GitLab job's script (pushing to a local bare
repository), in a temporary git repository against a loopback catalog."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
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


@dataclass
class Job:
    """What a run of the workflow's job did."""

    #: The name of the step that failed (the job is red), or ``None``.
    failed: str | None
    #: That step's output.
    output: str
    #: The pull request the job opened or updated, if it ran that step.
    pull_request: dict[str, str] | None
    #: Each step's outputs (``$GITHUB_OUTPUT``), by step id.
    outputs: dict[str, dict[str, str]]
    summary: str


def _condition(expression: str | None, outputs: dict[str, dict[str, str]]) -> bool:
    """A step's ``if:``, for the expressions the workflow uses: comparisons of step
    outputs with string literals, joined by ``||`` and ``&&``."""
    if expression is None:
        return True

    def term(text: str) -> bool:
        m = re.fullmatch(r"\s*steps\.(\w+)\.outputs\.(\w+) (==|!=) '([^']*)'\s*", text)
        assert m, f"an expression this test cannot evaluate: {text!r}"
        value = outputs.get(m[1], {}).get(m[2], "")
        return (value == m[4]) == (m[3] == "==")

    return any(all(term(t) for t in part.split("&&")) for part in expression.split("||"))


def _run_workflow(repo: Path, catalog_url: str, tmp_path: Path) -> Job:
    """The job's steps in order, as the runner runs them: ``if:`` decides whether a step
    runs, a step that fails ends the job."""
    flow = yaml.safe_load(WORKFLOW.read_text())
    (job,) = flow["jobs"].values()
    temp = tmp_path / "runner-temp"
    temp.mkdir()
    summary = temp / "summary.md"
    env = {
        **_environment(tmp_path, catalog_url),
        "RUNNER_TEMP": str(temp),
        "GITHUB_STEP_SUMMARY": str(summary),
    }
    pull_request: dict[str, str] | None = None
    outputs: dict[str, dict[str, str]] = {}
    for index, step in enumerate(job["steps"]):
        if not _condition(step.get("if"), outputs):
            continue
        action = step.get("uses", "").split("@")[0]
        if "run" in step:
            output = temp / f"output-{index}"
            output.touch()
            result = _shell(step["run"], repo, {**env, "GITHUB_OUTPUT": str(output)})
            if "id" in step:
                pairs = (line.split("=", 1) for line in output.read_text().splitlines())
                outputs[step["id"]] = dict(pairs)
            if result.returncode != 0:
                text = result.stdout + result.stderr
                return Job(step.get("name"), text, pull_request, outputs, summary.read_text())
        elif action == "peter-evans/create-pull-request":
            pull_request = _create_pull_request(repo, step["with"], temp)
        else:
            assert action in ("actions/checkout", "actions/setup-python", "actions/cache"), action
    return Job(None, "", pull_request, outputs, summary.read_text())


@pytest.mark.slow
def test_the_workflow_steps_open_a_pull_request_with_the_report(
    repo: Path, catalog_url: str, tmp_path: Path
) -> None:
    job = _run_workflow(repo, catalog_url, tmp_path)
    assert job.failed is None, job.output
    assert job.pull_request
    body = job.pull_request["body"]
    assert body.startswith("## Model catalog sync")
    headings = [x for x in body.splitlines() if x.startswith("### ")]
    assert headings[0] == "### Needs attention (1)"
    assert "| `anthropic/claude-3-7-sonnet-latest` | `left the catalog" in body
    assert job.summary == body
    assert job.outputs["sync"] == {"status": "0", "changed": "true"}
    assert "\n## Catalog audit\n" in body  # the audit follows the sync's report
    assert _git(repo, "rev-parse", "--abbrev-ref", "HEAD").strip() == "modelsync/catalog"
    assert _git(repo, "log", "-1", "--format=%s").strip() == job.pull_request["title"]
    changed = _git(repo, "show", "--name-only", "--format=", "HEAD").split()
    assert changed and all(p.startswith("config/models/") for p in changed)
    assert _git(repo, "status", "--porcelain").strip() == ""


def _create_pull_request(repo: Path, inputs: dict[str, str], temp: Path) -> dict[str, str]:
    """What peter-evans/create-pull-request does: commit the changes under add-paths to
    its branch; the pull request's body is the file at body-path. With no change and
    ``delete-branch``, it deletes the branch, which closes an open pull request."""
    paths = inputs["add-paths"].replace("/**", "")
    if not _git(repo, "status", "--porcelain", "--", paths).strip():
        if inputs.get("delete-branch"):
            _git(repo, "branch", "-D", inputs["branch"])
        return {}
    _git(repo, "checkout", "-q", "-B", inputs["branch"])
    _git(repo, "add", "--", paths)
    _git(repo, "commit", "-q", "-m", inputs["commit-message"])
    body_path = inputs["body-path"].replace("${{ runner.temp }}", str(temp))
    return {"title": inputs["title"], "body": Path(body_path).read_text()}


def _open_pull_request(repo: Path) -> str:
    """A pull request a previous run opened: its branch, one commit ahead of main."""
    _git(repo, "checkout", "-q", "-b", "modelsync/catalog")
    with (repo / "config" / "models" / "groq.yml").open("a") as fh:
        fh.write("# the previous sync\n")
    _git(repo, "commit", "-q", "-am", "Sync the model catalog with models.dev")
    head = _git(repo, "rev-parse", "HEAD").strip()
    _git(repo, "checkout", "-q", "main")
    return head


def _break_provider_file(repo: Path, provider: str = "groq") -> None:
    """A provider file the sync cannot read (committed so): that provider fails."""
    with (repo / "config" / "models" / f"{provider}.yml").open("a") as fh:
        fh.write("broken: [\n")
    _git(repo, "commit", "-q", "-am", "a hand edit gone wrong")


def _older_catalog(server: CatalogServer) -> str:
    """A catalog older than the committed files: the sync refuses it, writing nothing."""
    return server.serve("/api.json", Reply(dumps(sliced("2026-01-10", PROVIDERS))))


@pytest.mark.slow
def test_a_refused_catalog_fails_the_workflow_and_keeps_the_pull_request(
    repo: Path, server: CatalogServer, tmp_path: Path
) -> None:
    """Exit 1 with nothing changed: the job is red at its last step, and the open pull
    request is neither closed nor emptied (the pull request step does not run)."""
    head = _open_pull_request(repo)
    job = _run_workflow(repo, _older_catalog(server), tmp_path)
    assert job.failed == "Fail when a provider failed or the catalog was refused"
    assert "::error title=modelsync::the sync failed" in job.output
    assert job.pull_request is None, "the pull request step did not run"
    assert job.outputs["sync"] == {"status": "1", "changed": "false"}
    assert "**Not applied:**" in job.summary
    assert _git(repo, "rev-parse", "modelsync/catalog").strip() == head, "the branch is kept"


@pytest.mark.slow
def test_a_partial_sync_opens_the_pull_request_and_fails_the_workflow(
    repo: Path, catalog_url: str, tmp_path: Path
) -> None:
    _break_provider_file(repo)
    job = _run_workflow(repo, catalog_url, tmp_path)
    assert job.failed == "Fail when a provider failed or the catalog was refused", job.output
    assert job.outputs["sync"] == {"status": "1", "changed": "true"}
    assert job.pull_request
    assert "### Failed (1)" in job.pull_request["body"]
    assert "### Needs attention (1)" in job.pull_request["body"]
    # The audit cannot read the broken file: the body says so, the pull request is made.
    assert "## Catalog audit\n\n**Not run:** see the job log." in job.pull_request["body"]
    changed = _git(repo, "show", "--name-only", "--format=", "modelsync/catalog").split()
    assert "config/models/anthropic.yml" in changed and "config/models/groq.yml" not in changed


@dataclass
class GitlabRun:
    result: subprocess.CompletedProcess[str]
    #: The bare repository the job pushes to.
    remote: Path


def _run_gitlab_job(repo: Path, catalog_url: str, tmp_path: Path) -> GitlabRun:
    """The job's ``before_script`` and ``script`` as one shell script (as the runner
    runs them), pushing to a local bare repository; ``apt-get`` is left out."""
    job = yaml.safe_load(GITLAB.read_text())["modelsync-sync"]
    assert {"if": '$CI_PIPELINE_SOURCE == "schedule"'} in job["rules"]
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    subprocess.run(
        ["git", "-C", str(remote), "config", "receive.advertisePushOptions", "true"], check=True
    )
    url = "https://oauth2:secret@gitlab.test/team/repo.git"
    _git(repo, "config", f"url.{remote}.insteadOf", url)
    _git(repo, "push", "-q", url, "--all")  # the project: main, and an open branch if any
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
    return GitlabRun(_shell(script, repo, env), remote)


def _remote_git(remote: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(remote), *args], capture_output=True, text=True, check=True
    ).stdout


def test_the_gitlab_image_is_pinned_by_digest() -> None:
    job = yaml.safe_load(GITLAB.read_text())["modelsync-sync"]
    assert re.fullmatch(r"python:3\.12-slim@sha256:[0-9a-f]{64}", job["image"]), job["image"]


@pytest.mark.slow
def test_the_gitlab_job_pushes_a_branch_for_a_merge_request(
    repo: Path, catalog_url: str, tmp_path: Path
) -> None:
    run = _run_gitlab_job(repo, catalog_url, tmp_path)
    assert run.result.returncode == 0, (run.result.stdout, run.result.stderr)
    log = _remote_git(run.remote, "log", "-1", "--format=%B", "modelsync/catalog")
    title, blank, *body = log.splitlines()
    assert (title, blank) == ("Sync the model catalog with models.dev", "")
    report = (repo / "modelsync-report.md").read_text()
    assert report.startswith("## Model catalog sync") and "### Needs attention (1)" in report
    assert "\n## Catalog audit\n" in report  # the audit follows the sync's report
    assert "\n".join(body).strip() == report.strip(), "the merge request's description"
    changed = _remote_git(run.remote, "show", "--name-only", "--format=", "modelsync/catalog")
    assert changed.split() and all(p.startswith("config/models/") for p in changed.split())


@pytest.mark.slow
def test_a_refused_catalog_fails_the_gitlab_job_and_keeps_the_branch(
    repo: Path, server: CatalogServer, tmp_path: Path
) -> None:
    head = _open_pull_request(repo)
    run = _run_gitlab_job(repo, _older_catalog(server), tmp_path)
    assert run.result.returncode == 1, (run.result.stdout, run.result.stderr)
    assert "the sync failed and changed nothing" in run.result.stderr
    assert "up to date" not in run.result.stdout
    assert "**Not applied:**" in (repo / "modelsync-report.md").read_text()
    assert _remote_git(run.remote, "rev-parse", "modelsync/catalog").strip() == head


@pytest.mark.slow
def test_a_partial_sync_pushes_what_synced_and_fails_the_gitlab_job(
    repo: Path, catalog_url: str, tmp_path: Path
) -> None:
    _break_provider_file(repo)
    run = _run_gitlab_job(repo, catalog_url, tmp_path)
    assert run.result.returncode == 1, (run.result.stdout, run.result.stderr)
    assert "a provider failed; the merge request has what synced" in run.result.stderr
    message = _remote_git(run.remote, "log", "-1", "--format=%B", "modelsync/catalog")
    assert "### Failed (1)" in message and "### Needs attention (1)" in message
    assert "## Catalog audit\n\n**Not run:** see the job log." in message
    changed = _remote_git(run.remote, "show", "--name-only", "--format=", "modelsync/catalog")
    assert "config/models/anthropic.yml" in changed.split()
    assert "config/models/groq.yml" not in changed.split()
