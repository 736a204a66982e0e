"""The task's seconds as a deadline (issue 16), without Docker: a round in flight is cut, what
was not verified is recorded as not run, the selection still ends by the deadline, and the
last round (by time) stops failing tests at their first failure."""

from __future__ import annotations

import time
from collections.abc import Sequence

import anyio

from sandbox.verdict import Verdict
from solver.engine import solve
from solver.types import Budget, Candidate
from tests.fakeverifier import FakeVerifier
from tests.test_engine_loop import TASK, Scripted, candidate, rule


class SlowVerifier(FakeVerifier):
    """The in-memory verifier, where a candidate marked `+slow` takes a minute to verify (a
    looping candidate) and every other run `seconds` of real time."""

    seconds: float = 0.05

    async def verify(
        self, candidates: Sequence[Candidate], test_ids: Sequence[str], *, fail_fast: bool = False,
    ) -> list[Verdict]:
        slow = any("+slow" in c.diff.splitlines() for c in candidates)
        await anyio.sleep(60.0 if slow else self.seconds)
        return await super().verify(candidates, test_ids, fail_fast=fail_fast)

    @property
    def capacity(self) -> int:
        return 2


def test_a_round_in_flight_is_cut_at_the_deadline_and_the_selection_still_ends_by_it() -> None:
    rounds = [[candidate("a", 0, "fix"), candidate("b", 0, "fix", pad=1),
               candidate("loop1", 0, "slow"), candidate("loop2", 0, "slow"),
               candidate("c", 0, "fix", pad=2)]]
    verifier = SlowVerifier(rule)
    budget = Budget(width=5, depth=3, enough_plausible=0, max_seconds=2.0)
    start = time.monotonic()
    result = anyio.run(lambda: solve(TASK, Scripted(rounds), verifier, budget))
    took = time.monotonic() - start
    assert took < budget.max_seconds + 0.5
    assert result.ledger.wall_s <= budget.max_seconds + 0.5
    # two at once, best first: a and b done; the loops hold both slots until the cut
    assert [c.id for c in result.candidates] == ["a", "b"]
    assert result.unverified == 3
    assert [(d.action, d.reason) for d in result.decisions if d.action == "cut"] == [
        ("cut", "the deadline came with 3 of 5 candidate(s) not verified: not run")]
    assert result.winner == "a"  # the selection ran among what was verified
    assert result.rounds == 1


def test_rounds_end_before_the_selections_reserve() -> None:
    rounds = [[candidate(f"r{r}-{n}", r) for n in range(2)] for r in range(100)]
    verifier = SlowVerifier(rule)
    verifier.seconds = 0.2
    budget = Budget(width=2, depth=100, enough_plausible=0, max_seconds=6.0)
    result = anyio.run(lambda: solve(TASK, Scripted(rounds), verifier, budget))
    rounds_end = 6.0 - 3.0  # a tenth, at least 3 s, at most half: the selection's reserve
    # nothing starts after the rounds' end; what runs then may finish within half the reserve
    assert max(d.at_s for d in result.decisions) < rounds_end + 1.5
    assert result.decisions[-1].action in ("cut", "stop")
    assert [d.action for d in result.decisions].count("last") == 1  # under 1.5 rounds left
    assert result.ledger.wall_s < 6.0


def test_the_engines_runs_stop_at_any_timeout_others_at_the_base_trees_hangs() -> None:
    from solver.jobs.runlog import RecordingVerifier, RunLog

    class Inner:
        capacity = 3

        def __init__(self) -> None:
            self.stops: list[list[str]] = []

        async def verify(self, candidates: Sequence[Candidate], test_ids: Sequence[str], *,
                         fail_fast: bool = False, stop_on_timeout: Sequence[str] = ()
                         ) -> list[Verdict]:
            self.stops.append(list(stop_on_timeout))
            return [Verdict(candidate_id=c.id, applied=True) for c in candidates]

    inner = Inner()
    verifier = RecordingVerifier(inner, RunLog(), "")
    verifier.hangs = frozenset({"t2"})
    one = [Candidate(id="a", diff="")]
    anyio.run(lambda: verifier.verify(one, ["t1", "t2"]))  # e.g. the regression stage
    verifier.loops_stop = True  # the engine's rounds
    anyio.run(lambda: verifier.verify(one, ["t1", "t2"]))
    assert inner.stops == [["t2"], ["t1", "t2"]]
    assert verifier.capacity == 3


def test_judges_cut_at_the_deadline_leave_the_pick_to_the_execution_evidence() -> None:
    from solver.selection.evidence import Ballot, Entry, Evidence
    from tasks.model import Task

    class SlowJudge:
        name = "slow"

        async def ballots(self, task: Task | None, group: Sequence[Entry], votes: int,
                          evidence: Evidence) -> list[Ballot]:
            await anyio.sleep(60.0)
            return []

    rounds = [[candidate("a", 0, "fix"), candidate("b", 0, "fix")]]
    budget = Budget(width=2, depth=1, enough_plausible=0, max_seconds=3.0)
    result = anyio.run(lambda: solve(TASK, Scripted(rounds), SlowVerifier(rule), budget,
                                     judges=[SlowJudge()]))
    assert result.winner == "a"  # equal evidence: the earliest
    assert ("select", "the judges were cut at the deadline") in [
        (d.action, d.reason) for d in result.decisions]
    assert result.ledger.wall_s < budget.max_seconds + 0.5
