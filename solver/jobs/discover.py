"""CI mode: a checkout whose failing tests are unknown learns them by running its suite once."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import docker

from sandbox import SandboxConfig, Session, Verdict
from sandbox.environment import prepare
from tasks.model import Task

PYTEST_INTERNAL_ERROR, PYTEST_USAGE_ERROR, PYTEST_NO_TESTS = 3, 4, 5


class RunnerError(ValueError):
    """The test command failed before any test ran: its error, not a failing test."""


def runner_error(verdict: Verdict, test_cmd: str, tree: Path | None = None) -> str:
    """Why the run says nothing about the tests (a missing module or executable, a usage error,
    a crash of the runner, nothing collected), or ''. The message ends with the output's
    last lines."""
    tail = "\n".join(verdict.log_tail.rstrip().splitlines()[-15:])
    code = verdict.exit_code
    if code == 127 or "No module named" in tail and not verdict.tests:
        what = "could not start"
    elif code in (PYTEST_INTERNAL_ERROR, PYTEST_USAGE_ERROR):
        what = f"failed before running any test (pytest exit {code})"
    elif not verdict.tests:
        what = ("collected no test" if code == PYTEST_NO_TESTS
                else f"ran no test ({verdict.reason or f'exit {code}'})")
    elif missing_dependency(verdict, tree):
        what = (f"cannot import `{missing_dependency(verdict, tree)}`, which is not part of "
                "the checkout: a dependency is missing from the environment (--install-cmd)")
    else:
        return ""
    return f"the test command `{test_cmd}` {what}; its last lines:\n{tail}"


def missing_dependency(verdict: Verdict, tree: Path | None) -> str:
    """The module a collection error could not import, when it is not the project's own (an
    import the bug broke is the solver's to fix)."""
    if tree is None or verdict.exit_code != 2:
        return ""
    for name in re.findall(r"No module named '([\w.]+)'", verdict.log_tail):
        top = name.split(".")[0]
        if not any(p.exists() for p in (tree / top, tree / "src" / top, tree / f"{top}.py")):
            return str(name)
    return ""


def split_outcomes(verdict: Verdict) -> tuple[list[str], list[str]]:
    """(failing now, passing now), each sorted; skipped tests are in neither."""
    failing = sorted(verdict.failing())
    passing = sorted(t for t in verdict.tests if verdict.passed([t]))
    return failing, passing


def discover_tests(
    client: docker.DockerClient, task: Task, repos_dir: Path | None = None,
    config: SandboxConfig | None = None, log: Callable[[str], None] = lambda _: None,
) -> Task:
    """The task with FAIL_TO_PASS / PASS_TO_PASS taken from one run of its whole suite."""
    env = prepare(client, task, repos_dir, log=log)
    with Session(client, env.image, config or SandboxConfig(), env.spec) as session:
        verdict = session.verify("")
    broken = runner_error(verdict, task.test_cmd, task.path)
    if broken:
        raise RunnerError(broken)
    failing, passing = split_outcomes(verdict)
    return task.model_copy(update={"fail_to_pass": failing, "pass_to_pass": passing})
