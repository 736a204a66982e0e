"""Grading after the pick (`--protocol issue`): the hidden tests' word on what the solver did.

    Result (winner picked by the tournament, from the solver's own tests)
        ─► every candidate whose patch applied (each distinct diff once) against FAIL_TO_PASS +
           PASS_TO_PASS (+ held-back tests) with the test patch (solver.heldback)
        ─► correct (the winner: resolved), oracle_correct (some candidate: what a perfect
           selector would get), each candidate's `correct`

It runs once the engine has returned, so nothing it learns can reach the run; its sandbox time is
the `grade` line of the ledger, apart from the solver's own spend.
"""

from __future__ import annotations

import time

from sandbox.concurrency import gather_limited
from solver.engine import Result
from solver.heldback import verify_held_back
from solver.protocol import grading_view
from solver.protocols import Verifier
from solver.types import Candidate, StageSpend
from tasks.model import Task


async def grade_after_pick(verifier: Verifier, task: Task, result: Result) -> Result:
    """`result` with the hidden tests' verdicts; `task` is the whole task, answer key and all."""
    start = time.monotonic()
    view = grading_view(task)
    graded: dict[str, Candidate] = {}
    for record in result.candidates:
        if record.verdict.applied:
            graded.setdefault(record.diff, Candidate(id=record.id, diff=record.diff))
    verdicts = await gather_limited(lambda c: verify_held_back(verifier, view, c),
                                    list(graded.values()), max(len(graded), 1))
    check = {c.id: None if v is None else v.passed(view.hidden_tests)
             for c, v in zip(graded.values(), verdicts, strict=True)}
    correct = {r.id: check[graded[r.diff].id] for r in result.candidates if r.diff in graded
               and r.verdict.applied}
    known = [c for c in correct.values() if c is not None]
    ledger = result.ledger.model_copy(deep=True)
    ledger.stages["grade"] = StageSpend(
        seconds=round(time.monotonic() - start, 3), test_runs=len(graded),
        sandbox_s=round(sum(v.duration_s for v in verdicts if v is not None), 3))
    return result.model_copy(update={
        "correct": correct.get(result.winner) if result.winner else None,
        "oracle_correct": any(known) if known else None,
        "candidates": [r.model_copy(update={"correct": correct.get(r.id)})
                       for r in result.candidates],
        "ledger": ledger,
    })
