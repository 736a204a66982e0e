"""SWE-bench's test ids versus pytest's node ids.

The harness reads test ids from pytest's `-rA` summary, a line split on whitespace: a node id
with a space in its parameters is cut there (`test_setup[session--fspath module]` becomes
`test_setup[session--fspath`). pytest cannot select such a prefix, so the function is run whole
and its parameterizations are folded back under the cut id, the worst outcome winning (in the
harness's summary failures are printed after passes, so a failure overwrites a pass).
Parameters holding `::` cannot be selected either (pytest splits node ids there), so they too
run as their whole function. And some published ids are no tests at all but fragments of test
output the parser mistook for summary lines (`[100%]`, `[`): `is_test_id` tells them apart.

A pytest session that ended in an internal error (exit status 3) may still have reported some
tests as passed before it broke; SWE-bench's validation counted none of them (pytest-7168's
FAIL_TO_PASS lists every test of the file), so such passes are not trusted here either.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from sandbox.verdict import Outcome, TestResult, Verdict

BARE_NAME = re.compile(r"test\w*")
PYTEST_INTERNAL_ERROR = 3
PYTEST_USAGE_ERROR = 4
"""pytest's exit status when a selected node id is not found, among other misuses."""
RANK = {Outcome.PASSED: 0, Outcome.SKIPPED: 1, Outcome.MISSING: 2, Outcome.FAILED: 3,
        Outcome.ERROR: 4, Outcome.TIMEOUT: 5}


def swebench_id(node_id: str) -> str:
    """The id the harness's log parser gives the test with this node id."""
    parts = node_id.split()
    return parts[0] if parts else node_id


def is_cut(test_id: str) -> bool:
    """A parameterized id cut at a space: its `[` is never closed (`[a[0]` counts as open)."""
    return "[" in test_id and (
        not test_id.endswith("]") or test_id.count("[") > test_id.count("]"))


def is_test_id(test_id: str) -> bool:
    """A node id (`path.py::name`), a test file, or a test named by its function alone
    (`test_foo`, as sympy's runner logs it); not a stray fragment of test output."""
    path = test_id.partition("::")[0]
    return (path.endswith(".py") and " " not in path) or BARE_NAME.fullmatch(test_id) is not None


def selectable(test_id: str) -> bool:
    """Whether pytest can select exactly this id on its command line."""
    function, bracket, params = test_id.partition("[")
    return not bracket or (not is_cut(test_id) and "::" not in params)


def pytest_selectors(test_ids: Iterable[str], whole_functions: bool = False) -> list[str]:
    """What to hand pytest so every id in `test_ids` runs: the whole function where pytest can't
    select the parameterization itself (for every parameterized id with `whole_functions`)."""
    chosen: dict[str, None] = {}
    for test_id in test_ids:
        keep = selectable(test_id) and not (whole_functions and "[" in test_id)
        chosen[test_id if keep else test_id.partition("[")[0]] = None
    return list(chosen)


def split_test_ids(test_ids: Iterable[str]) -> tuple[list[str], list[str]]:
    """(the ids that name tests, the stray fragments of test output)."""
    ids = list(test_ids)
    return [t for t in ids if is_test_id(t)], [t for t in ids if not is_test_id(t)]


def fold(results: Sequence[TestResult], test_id: str) -> TestResult:
    worst = max(results, key=lambda r: RANK[r.outcome])
    return worst.model_copy(update={"test_id": test_id,
                                    "duration_s": sum(r.duration_s for r in results)})


def distrust_crashed(verdict: Verdict) -> Verdict:
    """A session that ended in pytest's INTERNALERROR: its passes become errors."""
    if verdict.exit_code != PYTEST_INTERNAL_ERROR:
        return verdict
    reason = "pytest ended in an internal error (exit status 3)"
    tests = {t: r if r.outcome != Outcome.PASSED else r.model_copy(
        update={"outcome": Outcome.ERROR, "message": reason}) for t, r in verdict.tests.items()}
    return verdict.model_copy(update={"tests": tests, "reason": verdict.reason or reason})


def with_swebench_ids(verdict: Verdict, test_ids: Iterable[str]) -> Verdict:
    """`verdict` with a result under each cut id of `test_ids`, folded from the node ids;
    passes of a session that crashed are not trusted (`distrust_crashed`)."""
    verdict = distrust_crashed(verdict)
    tests = dict(verdict.tests)
    for test_id in test_ids:
        if test_id in tests or selectable(test_id):
            continue
        matching = [r for node, r in verdict.tests.items() if swebench_id(node) == test_id]
        tests[test_id] = fold(matching, test_id) if matching else TestResult(
            test_id=test_id, outcome=Outcome.TIMEOUT if verdict.timed_out else Outcome.MISSING)
    return verdict.model_copy(update={"tests": tests})


def renamed(verdict: Verdict, names: Mapping[str, str]) -> Verdict:
    """`verdict` with the results of the node ids in `names` under the ids they stand for."""
    if all(node == asked for node, asked in names.items()):
        return verdict
    tests = {}
    for node, result in verdict.tests.items():
        name = names.get(node, node)
        tests[name] = result.model_copy(update={"test_id": name})
    return verdict.model_copy(update={"tests": tests})
