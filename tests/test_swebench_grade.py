"""Grading predictions: loading them, and the harness's resolution rule with errors kept apart."""

from __future__ import annotations

import json
from pathlib import Path

import sandbox.verdict as verdicts
from sandbox.verdict import Outcome, Verdict
from solver.harness.grade import Grade, grade_verdict, load_predictions, summarize_grades
from tasks.model import Task

TASK = Task(instance_id="acme__w-1", repo="acme/w", version="1.0",
            FAIL_TO_PASS=["t.py::test_fix"],
            PASS_TO_PASS=["t.py::test_old", "t.py::test_p[a", "[100%]"])


def run(
    outcomes: dict[str, Outcome], reason: str = "", applied: bool = True, timed_out: bool = False,
) -> Verdict:
    tests = {t: verdicts.TestResult(test_id=t, outcome=o) for t, o in outcomes.items()}
    return Verdict(applied=applied, tests=tests, reason=reason, timed_out=timed_out)


def graded(verdict: Verdict) -> Grade:
    return grade_verdict(TASK, verdict, Grade(instance_id=TASK.instance_id))


def test_resolved_when_every_listed_test_passes() -> None:
    grade = graded(run({t: Outcome.PASSED for t in ["t.py::test_fix", "t.py::test_old",
                                                     "t.py::test_p[a"]}))
    assert grade.resolved
    assert grade.status == "resolved"
    assert grade.fail_to_pass.success == ["t.py::test_fix"]
    assert "[100%]" not in grade.outcomes  # a fragment of test output, not a test


def test_failures_and_errors_are_told_apart() -> None:
    grade = graded(run({"t.py::test_fix": Outcome.FAILED, "t.py::test_old": Outcome.ERROR,
                        "t.py::test_p[a": Outcome.PASSED}))
    assert grade.status == "unresolved"
    assert not grade.resolved
    assert grade.fail_to_pass.failure == ["t.py::test_fix"]
    assert grade.pass_to_pass.error == ["t.py::test_old"]
    assert grade.outcomes["t.py::test_old"] == Outcome.ERROR


def test_a_crashed_or_distrusted_run_is_unresolved_and_a_run_past_its_deadline_an_error(
) -> None:
    assert graded(run({})).fail_to_pass.failure == ["t.py::test_fix"]
    crashed = graded(run({"t.py::test_fix": Outcome.ERROR}, reason="pytest internal error"))
    assert crashed.status == "unresolved"
    assert crashed.reason == "pytest internal error"
    late = graded(run({"t.py::test_fix": Outcome.TIMEOUT}, timed_out=True))
    assert late.status == "error"
    assert late.fail_to_pass.error == ["t.py::test_fix"]


def test_a_patch_that_does_not_apply() -> None:
    grade = graded(run({}, reason="candidate does not apply: x", applied=False))
    assert grade.status == "patch_failed"
    assert not grade.patch_applied


def test_predictions_load_from_jsonl_with_one_error_per_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "predictions.jsonl"
    good = {"instance_id": "a", "model_name_or_path": "m", "model_patch": "diff"}
    path.write_text(json.dumps(good) + "\n{bad json\n" + json.dumps({"model_patch": ""}) + "\n")
    found, errors = load_predictions(path)
    assert [p.instance_id for p in found] == ["a"]
    assert [e.split(": ")[0] for e in errors] == [f"{path}:2", f"{path}:3"]


def test_summary_counts_statuses() -> None:
    grades = [Grade(instance_id="a", status="resolved", resolved=True),
              Grade(instance_id="b", status="error"), Grade(instance_id="c", status="empty")]
    summary = summarize_grades(grades)
    assert summary["resolved"] == 1
    assert summary["error_ids"] == ["b"]
