"""The test-time scaling loop: width candidates per round, verified in the sandbox, fed back.

    for round < depth:  planner: width ─► propose(Feedback) ─► per candidate, capacity at
                        once: F2P ─► P2P where F2P moved (solver/deciding.py) ─► Feedback;
                        stop at enough plausible, or at the deadline (a round in flight is cut:
                        what was not verified is not run)
    enough plausible? ─► behaviour probe (BehaviourProbe, if given): stop only once enough agree
    plausible ─► tournament (execution evidence, behaviour clusters, judges' ballots) ─► winner
              (by the deadline) ─► (held-back tests: correct?, timed apart)

The engine sees its collaborators through solver/protocols.py only: a `Generator`, a `Verifier`
(the Docker pool, or tests/fakeverifier.py), an optional `BehaviourProbe`, `Judge`s.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

import anyio
from pydantic import BaseModel, Field

from sandbox.verdict import Verdict
from solver.deciding import DecisionPlan, verify_one
from solver.feedback import Feedback, VerdictSummary
from solver.heldback import check_held_back
from solver.planner import Decision, Planner, SharedBudget
from solver.protocol import Protocol
from solver.protocols import BehaviourProbe, Generator, Judge, Verifier
from solver.selection.behaviour import Behaviour
from solver.selection.tournament import Match, select
from solver.types import Budget, Candidate, Ledger, StageSpend
from solver.verdicts import round_s
from solver.verdicts import verify_candidates as verify_candidates
from tasks.model import Task

T = TypeVar("T")


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
    unverified: int = 0
    """Candidates proposed but not run: the deadline cut their round."""
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
    plan: DecisionPlan | None = None,
) -> Result:
    """Search for a patch of `task` within `budget` (and its share of `shared`, in an eval);
    the tournament picks among plausible candidates. The planner records every decision.
    `budget.max_seconds` is a deadline: a round in flight is cut at it (less the selection's
    reserve), the behaviour probe is cut at it; the held-back check (grading) comes after it,
    its seconds apart (`ledger.stages["held_back"]`).

    `judges`: voters besides the execution judge (the LLM judge); `probe`: tells plausible
    candidates apart by behaviour (without it, their count alone decides when to stop, and the
    tournament has no clusters); `on_round`: shown each round's candidates with their verdicts
    (a live view); `plan`: the failing tests' order and per-test coverage from localization
    (solver/deciding.py; without it, the task's order and every test)."""
    planner = Planner(budget, shared, log)
    plan = plan or DecisionPlan.of(task, None, None)
    ledger, feedback, rounds, unverified = Ledger(), Feedback(), 0, 0
    cache = BehaviourCache(probe, task, ledger)
    for round in range(budget.depth):
        width = planner.width(round)
        if not width:
            break
        candidates = await within(planner.rounds_left(),
                                  generator.propose(task, round, width, feedback)) or []
        planner.unused(round, width, len(candidates))
        if not candidates:
            break
        verdicts = await verify_round(verifier, task, candidates, plan, ledger,
                                      feedback=planner.feedback(round),
                                      seconds=planner.rounds_left(), grace=planner.grace())
        planner.verified(round, len(candidates), len(verdicts))
        pairs = [(c, verdicts[c.id]) for c in candidates if c.id in verdicts]
        if pairs:
            rounds = round + 1
            feedback = feedback.extended(task, round, pairs)
            on_round(round, [record(e.candidate, e.summary) for e in feedback.latest()])
        plausible = [e.candidate for e in feedback.plausible()]
        log(f"round {round}: {len(pairs)} of {len(candidates)} candidate(s) verified, "
            f"{len(plausible)} plausible so far")
        if len(pairs) < len(candidates):
            unverified = len(candidates) - len(pairs)
            break
        measure = planner.would_stop(len(plausible)) and round < budget.depth - 1
        agreeing = await within(planner.rounds_left(), cache.agreeing(plausible)) \
            if measure else None
        if planner.enough(round, len(plausible), agreeing):
            break
    result = await conclude(task, feedback, rounds, ledger, judges, cache, planner)
    result.decisions, result.unverified = planner.decisions, unverified
    result.ledger.wall_s = round_s(planner.elapsed())
    return await graded(verifier, task, result, feedback)


async def graded(verifier: Verifier, task: Task, result: Result, feedback: Feedback) -> Result:
    """The held-back tests on every plausible candidate (correct, oracle), timed apart."""
    start = time.monotonic()
    check = await check_held_back(verifier, task, [e.candidate for e in feedback.plausible()])
    if check:
        result.ledger.stages["held_back"] = StageSpend(
            seconds=round_s(time.monotonic() - start), test_runs=len(check))
    return with_correctness(result, feedback, check)


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


async def verify_round(
    verifier: Verifier, task: Task, candidates: Sequence[Candidate], plan: DecisionPlan,
    ledger: Ledger, *, feedback: bool, seconds: float, grace: float = 0.0,
) -> dict[str, Verdict]:
    """Each candidate's runs one after another (`solver.deciding.verify_one`), as many
    candidates at once as the verifier has room for, best first; the verdicts of those done in
    time. None starts after `seconds`; those running then may finish within `grace` more, and
    are cancelled there (the pool removes their containers)."""
    done: dict[str, Verdict] = {}
    limiter = anyio.CapacityLimiter(max(getattr(verifier, "capacity", 0) or len(candidates), 1))
    launch_by = time.monotonic() + seconds

    async def one(candidate: Candidate) -> None:
        async with limiter:
            if time.monotonic() < launch_by:
                done[candidate.id] = await verify_one(verifier, task, candidate, plan, ledger,
                                                      feedback=feedback)

    with anyio.move_on_after(max(seconds, 0.0) + grace):
        async with anyio.create_task_group() as tg:
            for candidate in candidates:
                tg.start_soon(one, candidate)
    return done


async def within(seconds: float, work: Awaitable[T]) -> T | None:
    """`work`'s answer, or None where it did not come within `seconds` (it is cancelled)."""
    with anyio.move_on_after(max(seconds, 0.0)):
        return await work
    return None


async def conclude(
    task: Task, feedback: Feedback, rounds: int, ledger: Ledger, judges: Sequence[Judge],
    cache: BehaviourCache, planner: Planner,
) -> Result:
    """The tournament over the plausible candidates, with their behaviour probed where the
    deadline leaves time for it (cut there: the tournament goes on without it); judges cut at
    the deadline leave the pick to the execution evidence."""
    plausible = [(e.candidate, e.verdict) for e in feedback.plausible()]
    behaviour = await within(planner.left(), cache.of([c for c, _ in plausible]))
    if behaviour is None and cache.probe is not None and len(plausible) > 1 \
            and planner.left() <= 0:
        planner.note(rounds, "select", "the behaviour probe was cut at the deadline")
    picked = await within(planner.left(), select(task, plausible, judges, behaviour=behaviour))
    if picked is None:  # the judges' ballots ran past the deadline: execution evidence decides
        planner.note(rounds, "select", "the judges were cut at the deadline")
        picked = await select(task, plausible, (), behaviour=behaviour)
    winner, bracket = picked
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
