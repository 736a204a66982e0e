"""The answer-key boundary: what the solving stages of a run may see, by protocol.

    issue  the problem statement and the repository at its base commit; tests the solver writes
           (reproductions) or chooses (the repository's own passing tests). The hidden tests
           (FAIL_TO_PASS, PASS_TO_PASS, test_patch, held-back tests), the gold patch and the
           hints grade the final pick afterwards, and only then.
    tests  the task's failing tests are the task (solver ci, bundled and local tasks): the
           engine sees them, their output and the test patch.

`answer_free` is the one place a task loses its answer key; `grading_view` is where the key
comes back for grading. Both `solve` / `eval` and `select` go through here.
"""

from __future__ import annotations

import re
from typing import Literal, get_args

from tasks.diffs import file_sections
from tasks.model import Task

Protocol = Literal["issue", "tests"]
PROTOCOLS: tuple[str, ...] = get_args(Protocol)
NO_MODEL = ("{task}: --protocol issue needs a model (--model, SOLVER_MODEL): without the hidden "
            "tests there is no failing test for the search generator to start from; pass "
            "--protocol tests to solve with the task's tests in hand")


class ProtocolError(ValueError):
    """A protocol that cannot run as asked (e.g. `issue` without a model); one line."""


def default_protocol(task: Task) -> Protocol:
    """`issue` for SWE-bench-format tasks (an issue text, and tests added by a test patch the
    repository does not hold yet); `tests` for everything else (ci, bundled, local)."""
    if task.problem_statement.strip() and task.test_patch.strip():
        return "issue"
    return "tests"


def resolve_protocol(task: Task, configured: str | None) -> Protocol:
    """The configured protocol, or the task's default."""
    if configured is None:
        return default_protocol(task)
    if configured not in PROTOCOLS:
        raise ProtocolError(f"--protocol {configured!r}: expected one of {', '.join(PROTOCOLS)}")
    return "issue" if configured == "issue" else "tests"


def answer_free(task: Task) -> Task:
    """`task` as the solving stages see it under `issue`: no test patch, no FAIL_TO_PASS /
    PASS_TO_PASS, no held-back tests, no gold patch, no hints, no test-file list (it names the
    hidden tests' files)."""
    return task.model_copy(update={
        "test_patch": "", "fail_to_pass": [], "pass_to_pass": [], "patch": "",
        "hints_text": "", "hidden_tests": [], "hidden_tests_patch": "", "test_files": [],
    })


def grading_view(task: Task) -> Task:
    """`task` as the grader sees it: every hidden test (FAIL_TO_PASS, PASS_TO_PASS and the
    held-back ones) as held-back tests, with the test patch and theirs (solver.heldback)."""
    from sandbox.swebench_ids import split_test_ids  # not at import: the config reads this module

    graded = [*split_test_ids(task.fail_to_pass)[0], *split_test_ids(task.pass_to_pass)[0],
              *task.hidden_tests]
    return task.model_copy(update={"hidden_tests": list(dict.fromkeys(graded))})


def hidden_test_names(task: Task) -> list[str]:
    """The function names of the hidden FAIL_TO_PASS tests (`path::Class::test_x[p]` → `test_x`):
    what a leak of the answer key would show."""
    names = [test_id.split("[")[0].split(" ")[0].split("::")[-1] for test_id in task.fail_to_pass]
    return list(dict.fromkeys(n for n in names if n))


def added_lines(patch: str) -> list[str]:
    """The substantive lines a patch adds (stripped; blank lines and bare punctuation left out)."""
    lines = []
    for _, section in file_sections(patch):
        for line in section.splitlines():
            if line.startswith("+") and not line.startswith("+++"):
                text = line[1:].strip()
                if len(text) > 3 and re.search(r"\w", text):
                    lines.append(text)
    return list(dict.fromkeys(lines))


def answer_lines(task: Task, known: str = "") -> list[str]:
    """Lines the test patch adds that neither the issue text nor `known` (e.g. the base
    repository's text) already holds: whatever of them reaches a prompt came from the key."""
    seen = task.problem_statement + "\n" + known
    return [line for line in added_lines(task.test_patch) if line not in seen]
