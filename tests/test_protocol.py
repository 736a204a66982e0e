"""The answer-key boundary (solver/protocol.py) and the regression stage's choices, without
Docker; `issue` without a model stops before any container, with exit 2 and one line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from solver.analysis import Location
from solver.jobs.regression import importing_tests, module_name, suspect_files
from solver.protocol import (
    ProtocolError,
    added_lines,
    answer_free,
    answer_lines,
    default_protocol,
    grading_view,
    hidden_test_names,
    resolve_protocol,
)
from tasks.load import load_task
from tests.swebench_shaped import ROOT, base_repository_text, make_swebench_shaped


@pytest.fixture
def shaped(tmp_path: Path) -> Path:
    return make_swebench_shaped(tmp_path)


def test_swebench_format_defaults_to_issue_bundled_to_tests(shaped: Path) -> None:
    assert default_protocol(load_task(shaped)) == "issue"
    assert default_protocol(load_task(ROOT / "tasks" / "bundled" / "money-allocate")) == "tests"
    assert resolve_protocol(load_task(shaped), "tests") == "tests"
    with pytest.raises(ProtocolError, match="expected one of issue, tests"):
        resolve_protocol(load_task(shaped), "oracle")


def test_answer_free_keeps_the_issue_and_drops_the_key(shaped: Path) -> None:
    task = load_task(shaped)
    seen = answer_free(task)
    assert seen.problem_statement == task.problem_statement
    assert seen.path == task.path
    assert seen.test_cmd == task.test_cmd
    assert not seen.test_patch
    assert not seen.fail_to_pass
    assert not seen.pass_to_pass
    assert not seen.patch
    assert not seen.hints_text
    assert not seen.hidden_tests
    assert not seen.hidden_tests_patch
    assert not seen.test_files
    dumped = seen.model_dump_json()
    assert not [n for n in hidden_test_names(task) if n in dumped]
    assert not [line for line in added_lines(task.test_patch) if line in dumped]


def test_grading_view_holds_every_hidden_test(shaped: Path) -> None:
    task = load_task(shaped)
    view = grading_view(task)
    assert view.hidden_tests == [*task.fail_to_pass, *task.pass_to_pass]
    assert view.test_patch == task.test_patch


def test_the_key_is_named_by_functions_and_added_lines(shaped: Path) -> None:
    task = load_task(shaped)
    assert hidden_test_names(task) == ["test_allocate_sums_to_total",
                                       "test_allocate_three_decimal_currency",
                                       "test_split_more_parts_than_cents",
                                       "test_split_negative_amount"]
    lines = answer_lines(task, base_repository_text(shaped))
    assert 'assert shares == [Money("34", "JPY"), Money("66", "JPY")]' in lines
    assert "from moneyx import Money, allocate, split_evenly" not in lines  # the base has it
    assert "def test_split_negative_amount():" in lines


def test_regression_tests_import_the_suspect_modules() -> None:
    assert module_name("src/_pytest/python.py") == "_pytest.python"
    assert module_name("moneyx/__init__.py") == "moneyx"
    tests = {"tests/test_a.py": "from moneyx.allocate import allocate\n",
             "tests/test_b.py": "from moneyx import Money, allocate\n",
             "tests/test_c.py": "import moneyx.money as m\n",
             "tests/test_d.py": "# moneyx.allocate in a comment\nimport json\n"}
    assert importing_tests(tests, ["moneyx.allocate"]) == ["tests/test_a.py", "tests/test_b.py"]
    sources = {"moneyx/allocate.py": "", "moneyx/money.py": ""}
    ranked = [Location("moneyx/allocate.py", 24, 1.0, "ochiai"),
              Location("tests/test_x.py", 3, 0.9, "ochiai"),
              Location("moneyx/allocate.py", 25, 0.8, "ochiai")]
    assert suspect_files(ranked, sources, "") == ["moneyx/allocate.py"]
    assert suspect_files([], sources, "moneyx.money rounds wrongly") == ["moneyx/money.py"]
    assert suspect_files(ranked, sources, "see `moneyx/money.py`") == ["moneyx/money.py",
                                                                      "moneyx/allocate.py"]
    pytest_sources = {"src/_pytest/mark/evaluate.py": "", "src/_pytest/skipping.py": ""}
    issue = "(see `cached_eval` in `_pytest/mark/evaluate.py`)"
    assert suspect_files([], pytest_sources, issue) == ["src/_pytest/mark/evaluate.py"]
    logging = {"src/_pytest/logging.py": 'DEFAULT_LOG_FORMAT = "%(message)s"\n',
               "src/_pytest/terminal.py": "def report(DEFAULT_LOG_FORMAT): ...\n"}
    issue = "Currently it is:\n> DEFAULT_LOG_FORMAT = ..."
    assert suspect_files([], logging, issue) == ["src/_pytest/logging.py"]


@pytest.mark.parametrize("command", ["solve", "eval"])
def test_issue_without_a_model_is_a_usage_error(shaped: Path, tmp_path: Path,
                                                command: str) -> None:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SOLVER_")}
    args = (["solve", str(shaped), "--json"] if command == "solve"
            else ["eval", "run", str(shaped.parent), "--out", str(tmp_path / "run")])
    run = subprocess.run([sys.executable, "-m", "solver.cli", *args, "--generator", "search"],
                         capture_output=True, text=True, timeout=60, cwd=tmp_path, env=environ)
    assert run.returncode == 2, run.stderr
    assert "--protocol issue needs a model" in run.stderr
    assert "Traceback" not in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1
    if command == "solve":
        assert "needs a model" in json.loads(run.stdout)["error"]
    assert not (tmp_path / "run" / "results.jsonl").exists()


def test_engine_under_issue_verifies_the_solvers_tests_and_grading_comes_after() -> None:
    """No reproduction kept: the regression tests verify every candidate; the hidden tests
    (FAIL_TO_PASS, PASS_TO_PASS, held-back) grade each applied one after the pick."""
    import anyio

    from solver.engine import Result, solve
    from solver.jobs.grading import grade_after_pick
    from solver.types import Budget
    from tests.fakeverifier import FakeVerifier
    from tests.test_engine_loop import FIX, HIDDEN, KEEP, TASK, Scripted, candidate, rule

    verifier = FakeVerifier(rule)
    seen = answer_free(TASK).model_copy(update={"pass_to_pass": [KEEP]})
    right, wrong = candidate("a", 0, "fix", "right"), candidate("b", 0, "fix", pad=3)
    broken = candidate("c", 0, "break")

    async def run() -> Result:
        result = await solve(seen, Scripted([[right, wrong, broken]]), verifier,
                             Budget(width=3, depth=1, enough_plausible=0))
        assert [c.method for c in verifier.calls] == ["verify"] * 3  # one run a candidate
        return await grade_after_pick(verifier, TASK, result)

    graded = anyio.run(run)
    engine, grading = verifier.calls[:3], verifier.calls[3:]
    assert all(c.test_ids == (KEEP,) for c in engine)
    assert all(c.extra_patch is None for c in engine)
    assert {c.method for c in grading} == {"verify_with"}
    assert all(c.test_ids == (FIX, KEEP, HIDDEN) for c in grading)
    assert all(c.extra_patch == "TEST PATCH\nHIDDEN PATCH" for c in grading)
    assert {c.candidate_ids for c in grading} == {("a",), ("b",), ("c",)}
    assert {c.id: c.correct for c in graded.candidates} == {"a": True, "b": False, "c": False}
    assert graded.winner == "a"  # the smaller of the two plausible diffs
    assert graded.correct is True
    assert graded.oracle_correct is True
    assert graded.ledger.stages["grade"].test_runs == 3


def test_a_fix_that_breaks_a_regression_test_is_still_handed_over_not_plausible() -> None:
    from solver.engine import CandidateRecord, Result
    from solver.feedback import VerdictSummary
    from solver.jobs.regression import pick_despite_regressions

    def record(cid: str, f2p: int, p2p: int | None, diff: str) -> CandidateRecord:
        return CandidateRecord(id=cid, round=0, note="", diff=diff, verdict=VerdictSummary(
            applied=True, f2p_passed=f2p, f2p_total=2, p2p_passed=p2p, p2p_total=10))

    none = Result(instance_id="t", plausible=False, rounds=1, candidates=[
        record("a", 0, None, "x"), record("b", 2, 7, "yy"), record("c", 2, 9, "zzz"),
        record("d", 2, 9, "zzzz"), record("e", 1, 10, "w")])
    picked = pick_despite_regressions(none)
    assert (picked.winner, picked.patch, picked.plausible) == ("c", "zzz", False)
    assert "2 of 2 reproduction tests and 9 of 10 regression tests" in (
        picked.decisions[-1].reason)
    assert pick_despite_regressions(none.model_copy(update={"candidates": [
        record("a", 0, None, "x")]})).winner is None
    won = none.model_copy(update={"winner": "b", "plausible": True})
    assert pick_despite_regressions(won) == won


def test_a_bad_protocol_answers_in_json_too() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "solver.cli", "solve", "tasks/bundled/money-allocate",
         "--protocol", "bad", "--json"], capture_output=True, text=True, timeout=120,
        cwd=Path(__file__).parents[1])
    assert done.returncode == 2
    answer = json.loads(done.stdout)
    assert answer["exit_code"] == 2
    assert "'issue' or 'tests'" in answer["error"]
