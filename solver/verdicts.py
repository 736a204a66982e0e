"""Verdicts as the engine combines and counts them, and today's two-run verification.

    verify_candidates: FAIL_TO_PASS for all ─► PASS_TO_PASS where one of them now passes
    (the reference path `solver bench verify` compares against; the engine verifies each
    candidate through `solver.deciding.verify_one`)
"""

from __future__ import annotations

from collections.abc import Sequence

from sandbox.verdict import Outcome, Verdict
from solver.protocols import Verifier
from solver.types import Candidate, Ledger
from tasks.model import Task


async def verify_candidates(
    verifier: Verifier, task: Task, candidates: Sequence[Candidate], ledger: Ledger
) -> list[Verdict]:
    """FAIL_TO_PASS for all; PASS_TO_PASS only where some FAIL_TO_PASS test now passes. With
    no FAIL_TO_PASS (an issue no reproduction was kept for), PASS_TO_PASS for all."""
    if not task.fail_to_pass and task.pass_to_pass:
        only = await verifier.verify(candidates, task.pass_to_pass, fail_fast=True)
        count(ledger, only)
        return only
    fail_fast = len(task.fail_to_pass) == 1  # several: keep going, partial fixes feed round 2
    first = await verifier.verify(candidates, task.fail_to_pass, fail_fast=fail_fast)
    count(ledger, first)
    moved = [i for i, v in enumerate(first) if fixed_any(task, v)]
    if not task.pass_to_pass or not moved:
        return first
    second = await verifier.verify([candidates[i] for i in moved], task.pass_to_pass,
                                   fail_fast=True)
    count(ledger, second)
    merged = list(first)
    for i, verdict in zip(moved, second, strict=True):
        merged[i] = merge(first[i], verdict)
    return merged


def fixed_any(task: Task, verdict: Verdict) -> bool:
    return verdict.applied and any(verdict.outcome(t) == Outcome.PASSED for t in task.fail_to_pass)


def count(ledger: Ledger, verdicts: Sequence[Verdict]) -> None:
    for verdict in verdicts:
        ledger.test_runs += 1
        ledger.sandbox_s = round_s(ledger.sandbox_s + verdict.duration_s)
        spent = ledger.per_candidate.get(verdict.candidate_id, 0.0)
        ledger.per_candidate[verdict.candidate_id] = round_s(spent + verdict.duration_s)


def merge(first: Verdict, second: Verdict) -> Verdict:
    """One verdict from the FAIL_TO_PASS run and the PASS_TO_PASS run of a candidate."""
    return first.model_copy(update={
        "applied": first.applied and second.applied,
        "reason": "; ".join(r for r in (first.reason, second.reason) if r),
        "tests": {**first.tests, **second.tests},
        "timed_out": first.timed_out or second.timed_out,
        "duration_s": first.duration_s + second.duration_s,
        "runner_s": first.runner_s + second.runner_s,
        "log_tail": second.log_tail if second.failing() else first.log_tail,
        "exit_code": second.exit_code if first.exit_code == 0 else first.exit_code,
    })


def round_s(seconds: float) -> float:
    return round(seconds, 3)
