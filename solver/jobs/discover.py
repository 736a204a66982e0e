"""CI mode: a checkout whose failing tests are unknown learns them by running its suite twice.

A test counts where both runs name it with the same outcome: later runs select tests by id, and
an id that changes from run to run (a parameter holding the time: marshmallow's
`test_invalid_datetime_deserialization[13:03:14 2026-12-02]`) would make pytest refuse the whole
selection, while a test that passes or fails by chance is no target and no regression check.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import docker

from sandbox import Outcome, SandboxConfig, Session, Verdict
from sandbox.environment import prepare
from solver.analysis.collection import collection_errors
from solver.analysis.localization import REPO_ROOT
from solver.synthesis.detect import source_dirs
from tasks.model import Task

PYTEST_INTERNAL_ERROR, PYTEST_USAGE_ERROR, PYTEST_NO_TESTS = 3, 4, 5
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
"""Colour codes (a project's `addopts = --color=yes`), stripped from the output quoted."""


class RunnerError(ValueError):
    """The test command failed before any test ran: its error, not a failing test."""


def runner_error(verdict: Verdict, test_cmd: str, tree: Path | None = None) -> str:
    """Why the run says nothing about the tests (a missing module or executable, a usage error,
    a crash of the runner, nothing collected), or ''. The message ends with the output's
    last lines."""
    tail = "\n".join(_ANSI.sub("", verdict.log_tail).rstrip().splitlines()[-15:])
    code = verdict.exit_code
    dependency = missing_dependency(verdict, tree)
    if dependency:
        what = (f"cannot import `{dependency}`, which is not part of the checkout: a "
                f"dependency is missing from the environment (--install-cmd{detected_hint(tree)})")
    elif code == 127 or "No module named" in tail and not verdict.tests:
        what = "could not start"
    elif code in (PYTEST_INTERNAL_ERROR, PYTEST_USAGE_ERROR):
        what = f"failed before running any test (pytest exit {code})"
    elif not verdict.tests:
        what = ("collected no test" if code == PYTEST_NO_TESTS
                else f"ran no test ({verdict.reason or f'exit {code}'})")
    else:
        return ""
    return f"the test command `{test_cmd}` {what}; its last lines:\n{tail}"


def detected_hint(tree: Path | None) -> str:
    """What `solver ci` would install by itself, as a hint after a missing dependency."""
    if tree is None:
        return ""
    from sandbox.install import detect_install

    command = detect_install(tree).command
    return f"; with none, solver ci would run `{command}`" if command else ""


def missing_dependency(verdict: Verdict, tree: Path | None) -> str:
    """The module a collection error (pytest exit 2) or a conftest (exit 4) could not import,
    when it is not the project's own (an import the bug broke is the solver's to fix)."""
    if tree is None or verdict.exit_code not in (2, PYTEST_USAGE_ERROR):
        return ""
    for name in re.findall(r"No module named '([\w.]+)'", verdict.log_tail):
        top = name.split(".")[0]
        if not any(p.exists() for p in (tree / top, tree / "src" / top, tree / f"{top}.py")):
            return str(name)
    return ""


def shadowed_package(verdict: Verdict, tree: Path | None) -> str:
    """Where a failing test's traceback runs a package of the checkout from site-packages (an
    install that put a released copy over the editable one), that copy's folder, else ''."""
    if tree is None:
        return ""
    names = [Path(d).name for d in source_dirs(tree) if not d.endswith(".py")]
    text = "\n".join([verdict.log_tail, *(r.message for r in verdict.tests.values()
                                          if r.outcome != Outcome.PASSED)])
    for name in names:
        found = re.search(rf"(/[^\s:'\"]*/site-packages/{re.escape(name)})/", text)
        if found:
            return found.group(1)
    return ""


def split_outcomes(first: Verdict, second: Verdict) -> tuple[list[str], list[str], list[str]]:
    """(failing in both runs, passing in both, unstable: the first run's other tests, whose id
    or outcome the second run did not repeat), each sorted; tests skipped in the first run are
    in none."""
    failing_again = set(second.failing())
    failing, passing, unstable = [], [], []
    for test_id in sorted(first.tests):
        now = first.outcome(test_id)
        if now == Outcome.SKIPPED:
            continue
        if now == Outcome.PASSED and second.outcome(test_id) == Outcome.PASSED:
            passing.append(test_id)
        elif now != Outcome.PASSED and test_id in failing_again:
            failing.append(test_id)
        else:
            unstable.append(test_id)
    return failing, passing, unstable


@dataclass(frozen=True)
class Discovery:
    task: Task
    """The task with FAIL_TO_PASS / PASS_TO_PASS: the tests both runs agree on."""
    unstable: list[str]
    """Tests left out: their id or their outcome changed between the runs."""
    collection_errors: list[str] = field(default_factory=list)
    """One line per test module that failed to import: `file:line: error (collecting ...)`;
    the task names such a module by its path (`tests/test_x.py`), a selector that still holds
    once the module imports and its tests have ids (sandbox.Verdict.outcome)."""


def discover_tests(
    client: docker.DockerClient, task: Task, repos_dir: Path | None = None,
    config: SandboxConfig | None = None, log: Callable[[str], None] = lambda _: None,
) -> Discovery:
    """FAIL_TO_PASS / PASS_TO_PASS from two runs of the whole suite (see the module)."""
    env = prepare(client, task, repos_dir, log=log)
    with Session(client, env.image, config or SandboxConfig(), env.spec) as session:
        first = session.verify("")
        broken = runner_error(first, task.test_cmd, task.path)
        if broken:
            raise RunnerError(broken)
        shadow = shadowed_package(first, task.path)
        if shadow:
            raise RunnerError(
                f"the failing tests run `{shadow}`, an installed copy of the project, not the "
                "checkout: no edit of the checkout would change them; install it in editable "
                f"mode, last (`pip install -e .`){detected_hint(task.path)}")
        second = session.verify("")
    if not second.tests:  # the repeat itself broke (a timeout): the first run alone decides
        log(f"the second run of the suite reported no test ({second.reason or 'no report'}); "
            "unstable tests cannot be told apart")
        second = first
    failing, passing, unstable = split_outcomes(first, second)
    if unstable:
        shown = ", ".join(unstable[:3]) + (f" (+{len(unstable) - 3} more)" if len(unstable) > 3
                                           else "")
        log(f"left out {len(unstable)} test(s) whose id or outcome changed between two runs "
            f"of the suite: {shown}")
    errors = [e for e in collection_errors(first, REPO_ROOT) if e.test_id in failing]
    modules = {e.test_id: e.test_id.split("::")[0] for e in errors}
    failing = sorted({modules.get(t, t) for t in failing})
    task = task.model_copy(update={"fail_to_pass": failing, "pass_to_pass": passing})
    return Discovery(task, unstable, [str(e) for e in errors])
