"""The test-time scaling loop: width candidates per round, verified in the sandbox, fed back.

    for round < depth:  planner: width ─► propose(Feedback) ─► verify F2P ─► verify P2P
                        (where F2P moved) ─► Feedback; stop at enough plausible, or when the
                        budget is spent
    enough plausible? ─► behaviour probe (BehaviourProbe, if given): stop only once enough agree
    plausible ─► tournament (execution evidence, behaviour clusters, judges' ballots) ─► winner
              ─► (held-back tests: correct?)

The engine sees its collaborators through solver/protocols.py only: a `Generator`, a `Verifier`
(the Docker pool, or tests/fakeverifier.py), an optional `BehaviourProbe`, `Judge`s.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from pydantic import BaseModel, Field

from sandbox.verdict import Outcome, Verdict
from solver.feedback import Feedback, VerdictSummary
from solver.heldback import check_held_back
from solver.planner import Decision, Planner, SharedBudget
from solver.protocol import Protocol
from solver.protocols import BehaviourProbe, Generator, Judge, Verifier
from solver.selection.behaviour import Behaviour
from solver.selection.tournament import Match, select
from solver.types import Budget, Candidate, Ledger
from tasks.model import Task


class CandidateRecord(BaseModel):
    id: str
    round: int
    note: str
    diff: str
    parent_ids: list[str] = Field(default_factory=list)
    verdict: VerdictSummary
    correct: bool | None = None
    """Whether the held-back tests pass (plausible candidates of tasks that have them)."""


class Result(BaseModel):
    instance_id: str
    plausible: bool
    patch: str = ""
    winner: str | None = None
    correct: bool | None = None
    """The winner passes the held-back tests (None: no winner, or the task has none)."""
    oracle: bool = False
    """Some candidate passed every FAIL_TO_PASS and PASS_TO_PASS test."""
    oracle_correct: bool | None = None
    """Some plausible candidate passes the held-back tests: what a perfect tournament would get."""
    rounds: int = 0
    candidates: list[CandidateRecord] = Field(default_factory=list)
    bracket: list[Match] = Field(default_factory=list)
    behaviour: Behaviour | None = None
    """The behaviour probe of the plausible candidates (clusters the tournament counted)."""
    ledger: Ledger = Field(default_factory=Ledger)
    decisions: list[Decision] = Field(default_factory=list)
    """What the planner chose, round by round, and why."""
    protocol: Protocol = "tests"
    """What the solver saw (solver/protocol.py); under `issue`, `correct` is the hidden tests'
    verdict on the pick, given after it."""


Log = Callable[[str], None]


async def solve(
    task: Task, generator: Generator, verifier: Verifier, budget: Budget,
    log: Log = lambda _: None, shared: SharedBudget | None = None,
    judges: Sequence[Judge] = (), probe: BehaviourProbe | None = None,
    on_round: Callable[[int, list[CandidateRecord]], None] = lambda *_: None,
) -> Result:
    """Search for a patch of `task` within `budget` (and its share of `shared`, in an eval);
    the tournament picks among plausible candidates. The planner records every decision.

    `judges`: voters besides the execution judge (the LLM judge); `probe`: tells plausible
    candidates apart by behaviour (without it, their count alone decides when to stop, and the
    tournament has no clusters); `on_round`: shown each round's candidates with their verdicts
    (a live view)."""
    planner = Planner(budget, shared, log)
    ledger, feedback, rounds = Ledger(), Feedback(), 0
    cache = BehaviourCache(probe, task, ledger)
    for round in range(budget.depth):
        width = planner.width(round)
        if not width:
            break
        candidates = await generator.propose(task, round, width, feedback)
        planner.unused(round, width, len(candidates))
        if not candidates:
            break
        rounds = round + 1
        verdicts = await verify_candidates(verifier, task, candidates, ledger)
        feedback = feedback.extended(task, round, list(zip(candidates, verdicts, strict=True)))
        on_round(round, [record(e.candidate, e.summary) for e in feedback.latest()])
        plausible = [e.candidate for e in feedback.plausible()]
        log(f"round {round}: {len(candidates)} candidate(s), {len(plausible)} plausible so far")
        measure = planner.would_stop(len(plausible)) and round < budget.depth - 1
        if planner.enough(round, len(plausible),
                          await cache.agreeing(plausible) if measure else None):
            break
    result = await conclude(task, feedback, rounds, ledger, judges, cache)
    check = await check_held_back(verifier, task, [e.candidate for e in feedback.plausible()])
    result = with_correctness(result, feedback, check)
    result.decisions = planner.decisions
    result.ledger.wall_s = round_s(time.monotonic() - planner.start)
    return result


class BehaviourCache:
    """The behaviour probe of the plausible candidates, run where a decision needs it and kept
    while the plausible set stays the same (no probe: never measured)."""

    def __init__(self, probe: BehaviourProbe | None, task: Task, ledger: Ledger) -> None:
        self.probe, self.task, self.ledger = probe, task, ledger
        self.behaviour: Behaviour | None = None
        self.probed: list[str] = []

    async def of(self, plausible: Sequence[Candidate]) -> Behaviour | None:
        if self.probe is None or len(plausible) < 2:
            return None
        ids = [c.id for c in plausible]
        if ids != self.probed:
            self.behaviour = await self.probe.behaviour(self.task, plausible)
            self.probed = ids
            self.ledger.sandbox_s = round_s(self.ledger.sandbox_s + self.behaviour.seconds)
        return self.behaviour

    async def agreeing(self, plausible: Sequence[Candidate]) -> int | None:
        """The largest group of plausible candidates that behave alike; None: not measured
        (no probe, under two candidates, or nothing could be probed)."""
        behaviour = await self.of(plausible)
        if behaviour is None or not behaviour.clusters:
            return None
        return max(behaviour.agreement([c.id for c in plausible]).values(), default=0)


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


async def conclude(
    task: Task, feedback: Feedback, rounds: int, ledger: Ledger, judges: Sequence[Judge],
    cache: BehaviourCache,
) -> Result:
    """The tournament over the plausible candidates, with their behaviour probed."""
    plausible = [(e.candidate, e.verdict) for e in feedback.plausible()]
    behaviour = await cache.of([c for c, _ in plausible])
    winner, bracket = await select(task, plausible, judges, behaviour=behaviour)
    return Result(
        instance_id=task.instance_id, plausible=winner is not None,
        patch=winner[0].diff if winner else "", winner=winner[0].id if winner else None,
        oracle=bool(plausible), rounds=rounds,
        candidates=[record(e.candidate, e.summary) for e in feedback.entries], bracket=bracket,
        behaviour=behaviour, ledger=ledger,
    )


def with_correctness(
    result: Result, feedback: Feedback, correct: dict[str, bool | None]
) -> Result:
    """The held-back tests' word on the winner and on every plausible candidate."""
    known = [c for c in correct.values() if c is not None]
    return result.model_copy(update={
        "correct": correct.get(result.winner) if result.winner else None,
        "oracle_correct": any(known) if known else None,
        "candidates": [record(e.candidate, e.summary, correct.get(e.candidate.id))
                       for e in feedback.entries],
    })


def record(
    candidate: Candidate, summary: VerdictSummary, correct: bool | None = None
) -> CandidateRecord:
    return CandidateRecord(
        id=candidate.id, round=candidate.round, note=candidate.note, diff=candidate.diff,
        parent_ids=list(candidate.parent_ids), verdict=summary, correct=correct,
    )


def round_s(seconds: float) -> float:
    return round(seconds, 3)

