"""The test-time scaling loop: width candidates per round, verified in the sandbox, fed back.

    for round < depth:  planner: width ─► propose ─► verify F2P ─► verify P2P (where F2P moved)
                        ─► feedback; stop at enough plausible, or when the budget is spent
    enough plausible? ─► behaviour probe (solver.selection.behaviour): stop only once enough agree
    plausible ─► tournament (execution evidence, behaviour clusters, judges' votes) ─► winner
              ─► (held-back tests: correct?)
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence

import anyio
from pydantic import BaseModel, Field

from sandbox import Outcome, SandboxPool, Verdict
from solver.planner import Decision, Planner, SharedBudget
from solver.protocols import Generator, Judge
from solver.selection.behaviour import Behaviour, behaviour_for
from solver.selection.tournament import Match, select
from solver.types import Budget, Candidate, Ledger
from tasks.model import Task


class VerdictSummary(BaseModel):
    applied: bool
    reason: str = ""
    f2p_passed: int = 0
    f2p_total: int = 0
    p2p_passed: int | None = None
    """None: PASS_TO_PASS not run (no FAIL_TO_PASS test passed)."""
    p2p_total: int = 0
    plausible: bool = False
    timed_out: bool = False
    duration_s: float = 0.0
    failing: list[str] = Field(default_factory=list)


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


Log = Callable[[str], None]


async def solve(
    task: Task, generator: Generator, pool: SandboxPool, budget: Budget,
    log: Log = lambda _: None, shared: SharedBudget | None = None,
    judges: Sequence[Judge] = (), files: Mapping[str, str] | None = None,
    on_round: Callable[[int, list[CandidateRecord]], None] = lambda *_: None,
) -> Result:
    """Search for a patch of `task` within `budget` (and its share of `shared`, in an eval);
    the tournament picks among plausible candidates. The planner records every decision.

    `judges`: voters besides the execution judge (the LLM judge); `files`: the task's source
    files at its base commit (the behaviour probe reads the changed functions there);
    `on_round`: shown each round's candidates with their verdicts (a live view)."""
    planner = Planner(budget, shared, log)
    ledger, feedback, rounds = Ledger(), [], 0
    evidence = Evidence(pool, task, files, ledger, log)
    for round in range(budget.depth):
        width = planner.width(round)
        if not width:
            break
        candidates = await generator.propose(task, round, width, feedback)
        planner.unused(round, width, len(candidates))
        if not candidates:
            break
        rounds = round + 1
        verdicts = await verify_candidates(pool, task, candidates, ledger)
        feedback += zip(candidates, verdicts, strict=True)
        on_round(round, [record(task, c, v, None) for c, v in zip(candidates, verdicts,
                                                                   strict=True)])
        plausible = [c for c, v in feedback if is_plausible(task, v)]
        log(f"round {round}: {len(candidates)} candidate(s), {len(plausible)} plausible so far")
        measure = planner.would_stop(len(plausible)) and round < budget.depth - 1
        if planner.enough(round, len(plausible),
                          await evidence.agreeing(plausible) if measure else None):
            break
    result = await conclude(task, feedback, rounds, ledger, judges, evidence)
    check = await check_hidden(pool, task, [c for c, v in feedback if is_plausible(task, v)])
    result = with_correctness(task, result, feedback, check)
    result.decisions = planner.decisions
    result.ledger.wall_s = round_s(time.monotonic() - planner.start)
    return result


class Evidence:
    """The behaviour probe of the plausible candidates, run where a decision needs it and kept
    while the plausible set stays the same."""

    def __init__(self, pool: SandboxPool, task: Task, files: Mapping[str, str] | None,
                 ledger: Ledger, log: Log) -> None:
        self.pool, self.task, self.files, self.ledger, self.log = pool, task, files, ledger, log
        self.behaviour: Behaviour | None = None
        self.probed: list[str] = []

    async def of(self, plausible: Sequence[Candidate]) -> Behaviour | None:
        if len(plausible) < 2:
            return None
        ids = [c.id for c in plausible]
        if ids != self.probed:
            self.behaviour = await behaviour_for(self.pool, self.task, plausible, self.files,
                                                 log=self.log)
            self.probed = ids
            self.ledger.sandbox_s = round_s(self.ledger.sandbox_s + self.behaviour.seconds)
        return self.behaviour

    async def agreeing(self, plausible: Sequence[Candidate]) -> int | None:
        """The largest group of plausible candidates that behave alike; None: not measured
        (under two candidates, or nothing could be probed)."""
        if len(plausible) < 2:
            return None
        behaviour = await self.of(plausible)
        if behaviour is None or not behaviour.clusters:
            return None
        return max(behaviour.agreement([c.id for c in plausible]).values(), default=0)


def is_plausible(task: Task, verdict: Verdict) -> bool:
    return verdict.passed([*task.fail_to_pass, *task.pass_to_pass])


async def verify_candidates(
    pool: SandboxPool, task: Task, candidates: Sequence[Candidate], ledger: Ledger
) -> list[Verdict]:
    """FAIL_TO_PASS for all; PASS_TO_PASS only where some FAIL_TO_PASS test now passes."""
    fail_fast = len(task.fail_to_pass) == 1  # several: keep going, partial fixes feed round 2
    first = await pool.verify_many(
        [(c.id, c.diff) for c in candidates], task.fail_to_pass, fail_fast=fail_fast)
    count(ledger, first)
    moved = [i for i, v in enumerate(first) if fixed_any(task, v)]
    if not task.pass_to_pass or not moved:
        return first
    second = await pool.verify_many(
        [(candidates[i].id, candidates[i].diff) for i in moved], task.pass_to_pass, fail_fast=True)
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
    task: Task, feedback: list[tuple[Candidate, Verdict]], rounds: int, ledger: Ledger,
    judges: Sequence[Judge], evidence: Evidence,
) -> Result:
    """The tournament over the plausible candidates, with their behaviour probed."""
    plausible = [(c, v) for c, v in feedback if is_plausible(task, v)]
    behaviour = await evidence.of([c for c, _ in plausible])
    winner, bracket = await select(task, plausible, judges, behaviour=behaviour)
    return Result(
        instance_id=task.instance_id, plausible=winner is not None,
        patch=winner[0].diff if winner else "", winner=winner[0].id if winner else None,
        oracle=bool(plausible), rounds=rounds,
        candidates=[record(task, c, v, None) for c, v in feedback], bracket=bracket,
        behaviour=behaviour, ledger=ledger,
    )


def with_correctness(
    task: Task, result: Result, feedback: list[tuple[Candidate, Verdict]],
    correct: dict[str, bool | None],
) -> Result:
    """The held-back tests' word on the winner and on every plausible candidate."""
    known = [c for c in correct.values() if c is not None]
    return result.model_copy(update={
        "correct": correct.get(result.winner) if result.winner else None,
        "oracle_correct": any(known) if known else None,
        "candidates": [record(task, c, v, correct.get(c.id)) for c, v in feedback],
    })


async def check_hidden(
    pool: SandboxPool, task: Task, candidates: Sequence[Candidate]
) -> dict[str, bool | None]:
    """Per candidate: do the held-back tests pass with it (None: the task has none)."""
    if not task.hidden_tests:
        return {c.id: None for c in candidates}
    extra = "\n".join(p for p in (task.test_patch, task.hidden_tests_patch) if p)
    results: dict[str, bool | None] = {}

    async def one(candidate: Candidate) -> None:
        verdict = await pool.verify_one(
            candidate.diff, task.hidden_tests, candidate_id=candidate.id, extra_patch=extra)
        results[candidate.id] = verdict.passed(task.hidden_tests)

    async with anyio.create_task_group() as tg:
        for candidate in candidates:
            tg.start_soon(one, candidate)
    return results


def summarize(task: Task, verdict: Verdict) -> VerdictSummary:
    ran_p2p = any(t in verdict.tests for t in task.pass_to_pass) or not task.pass_to_pass
    return VerdictSummary(
        applied=verdict.applied, reason=verdict.reason[:300],
        f2p_passed=sum(verdict.outcome(t) == Outcome.PASSED for t in task.fail_to_pass),
        f2p_total=len(task.fail_to_pass),
        p2p_passed=sum(verdict.outcome(t) == Outcome.PASSED for t in task.pass_to_pass)
        if ran_p2p else None,
        p2p_total=len(task.pass_to_pass), plausible=is_plausible(task, verdict),
        timed_out=verdict.timed_out, duration_s=round_s(verdict.duration_s),
        failing=verdict.failing()[:10],
    )


def record(
    task: Task, candidate: Candidate, verdict: Verdict, correct: bool | None
) -> CandidateRecord:
    return CandidateRecord(
        id=candidate.id, round=candidate.round, note=candidate.note, diff=candidate.diff,
        parent_ids=list(candidate.parent_ids), verdict=summarize(task, verdict), correct=correct,
    )


def round_s(seconds: float) -> float:
    return round(seconds, 3)
