"""SWE-bench's test ids (cut at the first space by its log parser) against pytest node ids."""

from __future__ import annotations

import sandbox.verdict as verdicts
from sandbox.swebench_ids import (
    is_cut,
    is_test_id,
    pytest_selectors,
    renamed,
    split_test_ids,
    swebench_id,
    with_swebench_ids,
)
from sandbox.verdict import Outcome, Verdict

CUT = "t.py::test_setup[session--fspath"


def verdict(outcomes: dict[str, Outcome], timed_out: bool = False, rc: int = 1) -> Verdict:
    tests = {t: verdicts.TestResult(test_id=t, outcome=o, duration_s=1.0)
             for t, o in outcomes.items()}
    return Verdict(applied=True, tests=tests, timed_out=timed_out, exit_code=rc)


def test_the_harness_id_is_the_node_id_up_to_the_first_space() -> None:
    assert swebench_id("t.py::test_setup[session--fspath module]") == CUT
    assert swebench_id("t.py::K::test_a[1]") == "t.py::K::test_a[1]"
    assert is_cut(CUT)
    assert not is_cut("t.py::K::test_a[1]")
    assert not is_cut("t.py::test_plain")
    assert is_cut("t.py::test_parses[Expr-bits[OFFSET(0)]")  # from `...[OFFSET(0)] + 7]`


def test_cut_ids_select_their_whole_function_once() -> None:
    ids = [CUT, "t.py::test_setup[module-module", "t.py::test_b[x]", "t.py::test_b[x]"]
    assert pytest_selectors(ids) == ["t.py::test_setup", "t.py::test_b[x]"]


def test_every_parameterized_id_can_select_its_function() -> None:
    ids = ["t.py::test_a[1]", "t.py::test_a[2]", "t.py::test_b"]
    assert pytest_selectors(ids, whole_functions=True) == ["t.py::test_a", "t.py::test_b"]


def test_parameters_with_a_double_colon_select_their_function() -> None:
    ids = ["t.py::test_child[foo/bar::TestBaz-foo/bar-False]", "t.py::K::test_c[a/b]"]
    assert pytest_selectors(ids) == ["t.py::test_child", "t.py::K::test_c[a/b]"]
    v = verdict({ids[0]: Outcome.PASSED, "t.py::test_child[x]": Outcome.FAILED})
    assert with_swebench_ids(v, ids[:1]).passed(ids[:1])


def test_fragments_of_test_output_are_no_test_ids() -> None:
    ids = ["t/test_a.py::test_x", "t/test_a.py", "test_issue_1", "[100%]", "[", "[100%]-----"]
    assert [t for t in ids if is_test_id(t)] == ids[:3]  # sympy names a test by its function
    assert split_test_ids(ids) == (ids[:3], ids[3:])


def test_node_ids_are_renamed_back_to_the_ids_asked_for() -> None:
    v = verdict({"s/test_a.py::test_issue_1": Outcome.PASSED,
                 "s/test_a.py::test_b": Outcome.FAILED})
    back = renamed(v, {"s/test_a.py::test_issue_1": "test_issue_1"})
    assert back.outcome("test_issue_1") == Outcome.PASSED
    assert back.tests["test_issue_1"].test_id == "test_issue_1"
    assert back.outcome("s/test_a.py::test_b") == Outcome.FAILED


def test_parameterizations_fold_under_the_cut_id_the_worst_winning() -> None:
    v = verdict({
        "t.py::test_setup[session--fspath module]": Outcome.PASSED,
        "t.py::test_setup[session--fspath other]": Outcome.FAILED,
        "t.py::test_setup[module-module x]": Outcome.PASSED,
        "t.py::test_b[x]": Outcome.PASSED,
    })
    folded = with_swebench_ids(v, [CUT, "t.py::test_setup[module-module", "t.py::test_b[x]"])
    assert folded.outcome(CUT) == Outcome.FAILED
    assert folded.tests[CUT].duration_s == 2.0
    assert folded.passed(["t.py::test_setup[module-module", "t.py::test_b[x]"])
    assert "t.py::test_setup[session--fspath module]" in folded.tests  # node ids are kept


def test_a_cut_id_with_no_node_is_missing_or_timed_out() -> None:
    assert with_swebench_ids(verdict({}), [CUT]).outcome(CUT) == Outcome.MISSING
    assert with_swebench_ids(verdict({}, timed_out=True), [CUT]).outcome(CUT) == Outcome.TIMEOUT


def test_passes_of_a_session_that_ended_in_an_internal_error_are_not_trusted() -> None:
    crashed = with_swebench_ids(verdict({"t.py::test_a": Outcome.PASSED}, rc=3), [])
    assert crashed.outcome("t.py::test_a") == Outcome.ERROR
    assert "internal error" in crashed.reason
    fine = with_swebench_ids(verdict({"t.py::test_a": Outcome.PASSED}, rc=0), [])
    assert fine.passed(["t.py::test_a"])
