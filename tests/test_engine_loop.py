"""The engine's loop without Docker: a scripted generator, the in-memory verifier
(tests/fakeverifier.py) and, where agreement is tested, a scripted behaviour probe.

The task: one failing test, one test to keep passing, one held-back test. A candidate's diff
says what it does: `+fix` passes the failing test, `+break` fails the kept one, `+right` passes
the held-back one; `+pad` lines only make the diff larger.
"""

from __future__ import annotations

from collections.abc import Sequence

import anyio
import pytest

from sandbox.verdict import Outcome
from solver.engine import Result, solve
from solver.feedback import Feedback
from solver.selection.behaviour import Behaviour
from solver.types import Budget, Candidate
from tasks.model import Task
from tests.fakeverifier import FakeVerifier

FIX, KEEP, HIDDEN = "tests/test_m.py::test_fix", "tests/test_m.py::test_keep", \
    "tests/test_m.py::test_hidden"
TASK = Task(instance_id="loop", problem_statement="m.f is wrong", FAIL_TO_PASS=[FIX],
            PASS_TO_PASS=[KEEP], hidden_tests=[HIDDEN], test_patch="TEST PATCH",
            hidden_tests_patch="HIDDEN PATCH")


def candidate(cid: str, round: int, *marks: str, pad: int = 0) -> Candidate:
    lines = [*(f"+{m}" for m in marks), *("+pad" for _ in range(pad))]
    body = "".join(f"{line}\n" for line in lines)
    diff = (f"diff --git a/m.py b/m.py\n--- a/m.py\n+++ b/m.py\n@@ -1,0 +1,{len(lines)} @@\n"
            f"{body}")
    return Candidate(id=cid, diff=diff, round=round)


def rule(candidate: Candidate, test_id: str) -> Outcome:
    marks = {line[1:] for line in candidate.diff.splitlines() if line.startswith("+") and
             not line.startswith("+++")}
    passes = {FIX: "fix" in marks, KEEP: "break" not in marks, HIDDEN: "right" in marks}
    return Outcome.PASSED if passes[test_id] else Outcome.FAILED


class Scripted:
    """Proposes fixed candidates round by round and keeps what it was given."""

    name = "scripted"

    def __init__(self, rounds: Sequence[Sequence[Candidate]]) -> None:
        self.rounds = rounds
        self.seen: list[tuple[int, int, Feedback]] = []

    async def propose(
        self, task: Task, round: int, width: int, feedback: Feedback
    ) -> list[Candidate]:
        self.seen.append((round, width, feedback))
        return list(self.rounds[round][:width]) if round < len(self.rounds) else []


class ScriptedProbe:
    """A `BehaviourProbe` whose clusters the test gives; counts its calls."""

    def __init__(self, clusters: dict[str, str], seconds: float = 1.5) -> None:
        self.clusters, self.seconds = clusters, seconds
        self.asked: list[list[str]] = []

    async def behaviour(self, task: Task, candidates: Sequence[Candidate]) -> Behaviour:
        ids = [c.id for c in candidates]
        self.asked.append(ids)
        return Behaviour(functions=["m.py::f"], clusters={i: self.clusters[i] for i in ids},
                         seconds=self.seconds)


def run(generator: Scripted, verifier: FakeVerifier, budget: Budget,
        probe: ScriptedProbe | None = None) -> Result:
    return anyio.run(lambda: solve(TASK, generator, verifier, budget, probe=probe))


def test_width_caps_each_round_and_depth_the_rounds() -> None:
    rounds = [[candidate(f"r0-{n}", 0) for n in range(5)],
              [candidate(f"r1-{n}", 1) for n in range(5)],
              [candidate(f"r2-{n}", 2) for n in range(5)]]
    generator, verifier = Scripted(rounds), FakeVerifier(rule)
    result = run(generator, verifier, Budget(width=3, depth=2, enough_plausible=0))
    assert [(r, w) for r, w, _ in generator.seen] == [(0, 3), (1, 3)]
    assert result.rounds == 2
    assert [c.id for c in result.candidates] == ["r0-0", "r0-1", "r0-2", "r1-0", "r1-1", "r1-2"]
    assert [c.candidate_ids for c in verifier.of("verify")] == [  # one run each, in order;
        (f"r{r}-{n}",) for r in range(2) for n in range(3)]  # nothing fixed: no PASS_TO_PASS
    assert all(c.test_ids == (FIX,) and c.fail_fast for c in verifier.of("verify"))
    assert result.plausible is False
    assert result.winner is None
    assert verifier.of("verify_with") == []  # no plausible candidate to check


def test_round_two_sees_round_ones_verdicts_in_the_feedback() -> None:
    rounds = [[candidate("a", 0, "fix", "break"), candidate("b", 0), candidate("c", 0, "fix")],
              [candidate("d", 1, "fix", "right")]]
    generator = Scripted(rounds)
    run(generator, FakeVerifier(rule), Budget(width=3, depth=2, enough_plausible=0))
    (_, _, first), (_, _, second) = generator.seen
    assert first == Feedback()
    assert second.round == 0
    assert [e.candidate.id for e in second.entries] == ["a", "b", "c"]
    summaries = {e.candidate.id: e.summary for e in second.latest()}
    assert (summaries["a"].f2p_passed, summaries["a"].p2p_passed) == (1, 0)
    assert summaries["a"].failing == [KEEP]
    assert (summaries["b"].f2p_passed, summaries["b"].p2p_passed) == (0, None)  # P2P not run
    assert summaries["c"].plausible
    assert not summaries["a"].plausible
    assert second.entries[0].verdict.outcome(KEEP) == Outcome.FAILED
    assert second.pairs[2][0] is rounds[0][2]
    assert [e.candidate.id for e in second.plausible()] == ["c"]
    assert second.note == (f"1 of 3 plausible; 1 fixed some failing test; "
                           f"still failing: {KEEP} (1), {FIX} (1)")


def test_enough_plausible_candidates_that_agree_stop_the_search() -> None:
    rounds = [[candidate("a", 0, "fix", "right"), candidate("b", 0, "fix", pad=1)],
              [candidate("c", 1, "fix")], [candidate("d", 2, "fix")]]
    probe = ScriptedProbe({"a": "b0", "b": "b0"})
    generator = Scripted(rounds)
    result = run(generator, FakeVerifier(rule), Budget(width=2, depth=3), probe)
    assert [r for r, _, _ in generator.seen] == [0]
    assert result.rounds == 1
    assert (result.decisions[-1].round, result.decisions[-1].action) == (0, "stop")
    assert result.decisions[-1].reason == "2 of 2 plausible candidates behave alike: enough (2)"
    assert probe.asked == [["a", "b"]]  # measured once; the tournament reuses it
    assert result.behaviour is not None
    assert result.behaviour.clusters == {"a": "b0", "b": "b0"}


def test_plausible_candidates_that_disagree_keep_the_search_going() -> None:
    rounds = [[candidate("a", 0, "fix", "right"), candidate("b", 0, "fix", pad=1)],
              [candidate("c", 1, "fix", "right", pad=2)], [candidate("d", 2, "fix")]]
    probe = ScriptedProbe({"a": "b0", "b": "b1", "c": "b0"})
    generator = Scripted(rounds)
    result = run(generator, FakeVerifier(rule), Budget(width=2, depth=3), probe)
    assert [r for r, _, _ in generator.seen] == [0, 1]
    assert [(d.round, d.action) for d in result.decisions if d.action != "round"] == [
        (0, "continue"), (1, "stop")]
    assert result.decisions[-1].reason == "2 of 3 plausible candidates behave alike: enough (2)"
    assert probe.asked == [["a", "b"], ["a", "b", "c"]]
    # the tournament: all pass every test run; the larger cluster {a, c} beats b, then the
    # smaller diff: a (2 lines) over c (4 lines)
    assert result.winner == "a"
    assert result.bracket[0].members == ["a", "b", "c"]
    assert result.bracket[0].reason == ("largest behaviour cluster (2 of 3); then fewer "
                                        "changed lines (2 vs 4)")


def test_without_a_probe_the_count_of_plausible_candidates_decides() -> None:
    rounds = [[candidate("a", 0, "fix"), candidate("b", 0, "fix")], [candidate("c", 1, "fix")]]
    generator = Scripted(rounds)
    result = run(generator, FakeVerifier(rule), Budget(width=2, depth=2))
    assert result.rounds == 1
    assert result.decisions[-1].reason == "2 plausible candidate(s): enough (2)"
    assert result.behaviour is None


def test_the_tournament_picks_among_plausible_by_evidence_and_the_ledger_adds_up() -> None:
    rounds = [[candidate("big", 0, "fix", "right", pad=3), candidate("broken", 0, "fix", "break"),
               candidate("none", 0)],
              [candidate("small", 1, "fix"), candidate("none2", 1, "break")]]
    verifier = FakeVerifier(rule, seconds_per_test=0.25)
    result = run(Scripted(rounds), verifier, Budget(width=3, depth=2, enough_plausible=0))
    # plausible: big (5 changed lines) and small (1): the smaller diff wins; broken fails KEEP
    assert result.winner == "small"
    assert result.patch == rounds[1][0].diff
    (match,) = result.bracket
    assert match.members == ["big", "small"]
    assert match.reason == "fewer changed lines (1 vs 5)"
    # held-back: every plausible candidate, with the test patch and the held-back tests' patch
    assert [(c.candidate_ids, c.test_ids, c.extra_patch) for c in verifier.of("verify_with")] \
        == [(("big",), (HIDDEN,), "TEST PATCH\nHIDDEN PATCH"),
            (("small",), (HIDDEN,), "TEST PATCH\nHIDDEN PATCH")]
    correct = {c.id: c.correct for c in result.candidates}
    assert correct == {"big": True, "broken": None, "none": None, "small": False, "none2": None}
    assert (result.correct, result.oracle, result.oracle_correct) == (False, True, True)
    # ledger: F2P runs for 5 candidates, P2P runs for the 3 that fixed it; one test each
    assert [(c.candidate_ids, c.test_ids) for c in verifier.of("verify")] == [
        (("big",), (FIX,)), (("big",), (KEEP,)), (("broken",), (FIX,)), (("broken",), (KEEP,)),
        (("none",), (FIX,)), (("small",), (FIX,)), (("small",), (KEEP,)), (("none2",), (FIX,))]
    assert result.ledger.test_runs == 8
    assert result.ledger.sandbox_s == pytest.approx(8 * 0.25)
    assert result.ledger.per_candidate == {"big": 0.5, "broken": 0.5, "none": 0.25,
                                           "small": 0.5, "none2": 0.25}
    assert verifier.durations["big"] == [0.25, 0.25, 0.25]  # F2P, P2P, held-back
    assert {c.id: c.verdict.duration_s for c in result.candidates} == result.ledger.per_candidate


def test_a_generator_with_nothing_to_propose_ends_the_run() -> None:
    generator = Scripted([[candidate("a", 0)]])
    result = run(generator, FakeVerifier(rule), Budget(width=2, depth=4))
    assert [(r, w) for r, w, _ in generator.seen] == [(0, 2), (1, 2)]
    assert result.rounds == 1
    assert result.decisions[-1].reason == "the generator has nothing new to propose"
