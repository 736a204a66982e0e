"""CI mode: a checkout whose failing tests are unknown learns them by running its suite once."""

from __future__ import annotations

from pathlib import Path

import docker

from sandbox import SandboxConfig, Session, Verdict
from sandbox.environment import prepare
from tasks.model import Task


def split_outcomes(verdict: Verdict) -> tuple[list[str], list[str]]:
    """(failing now, passing now), each sorted; skipped tests are in neither."""
    failing = sorted(verdict.failing())
    passing = sorted(t for t in verdict.tests if verdict.passed([t]))
    return failing, passing


def discover_tests(
    client: docker.DockerClient, task: Task, repos_dir: Path | None = None,
    config: SandboxConfig | None = None,
) -> Task:
    """The task with FAIL_TO_PASS / PASS_TO_PASS taken from one run of its whole suite."""
    env = prepare(client, task, repos_dir)
    with Session(client, env.image, config or SandboxConfig(), env.spec) as session:
        verdict = session.verify("")
    if not verdict.tests:
        why = verdict.reason or "no report"
        raise ValueError(f"{task.instance_id}: the test command collected no test ({why}); "
                         f"log tail:\n{verdict.log_tail[-1500:]}")
    failing, passing = split_outcomes(verdict)
    return task.model_copy(update={"fail_to_pass": failing, "pass_to_pass": passing})
