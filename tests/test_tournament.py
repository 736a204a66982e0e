"""The tournament on plain data: groups, votes, the execution order, behaviour clusters, and
re-playing a run offline on subsets of its candidates."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from sandbox import Outcome, Verdict
from sandbox import TestResult as Result
from solver.protocols import Judge
from solver.selection.behaviour import Behaviour
from solver.selection.evidence import Ballot, Entry, Evidence
from solver.selection.tournament import ExecutionJudge, Match, pick, select
from solver.types import Candidate
from tasks.model import Task

pytestmark = pytest.mark.anyio
TASK = Task(instance_id="t", problem_statement="fix it", FAIL_TO_PASS=["t0"])


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def diff_of(lines: int, path: str = "m.py") -> str:
    body = "".join(f"-old {i}\n+new {i}\n" for i in range(lines))
    return (f"diff --git a/{path} b/{path}\n--- a/{path}\n+++ b/{path}\n"
            f"@@ -1,{lines} +1,{lines} @@\n{body}")


def entry(cid: str, lines: int = 1, passed: int = 2, round: int = 0) -> Entry:
    tests = {f"t{i}": Result(test_id=f"t{i}", outcome=Outcome.PASSED) for i in range(passed)}
    return (Candidate(id=cid, diff=diff_of(lines), round=round),
            Verdict(candidate_id=cid, applied=True, tests=tests))


def behaviour(clusters: dict[str, str]) -> Behaviour:
    return Behaviour(functions=["m.py::f"], clusters=clusters)


class Scripted:
    """A voter whose ballots are given per group (by its members)."""

    name = "scripted"

    def __init__(self, choices: dict[tuple[str, ...], Sequence[str | None]]) -> None:
        self.choices = choices
        self.asked: list[tuple[str, ...]] = []

    async def ballots(
        self, task: Task | None, group: Sequence[Entry], votes: int, evidence: Evidence
    ) -> list[Ballot]:
        members = tuple(c.id for c, _ in group)
        self.asked.append(members)
        picks = list(self.choices.get(members, [None] * votes))[:votes]
        return [Ballot(judge=self.name, choice=c) for c in picks]


async def test_an_empty_pool_has_no_winner_and_one_candidate_wins_alone() -> None:
    assert await select(TASK, [], []) == (None, [])
    only = entry("a")
    assert await select(TASK, [only], [Scripted({})]) == (only, [])


async def test_execution_order_tests_then_diff_size_then_round() -> None:
    winner, (match,) = await select(TASK, [entry("a", passed=2), entry("b", passed=3, lines=9)])
    assert winner is not None
    assert winner[0].id == "b"
    assert match.reason == "more tests passed (3 vs 2)"
    winner, (match,) = await select(TASK, [entry("a", lines=4), entry("b", lines=1)])
    assert (winner[0].id, match.reason) == ("b", "fewer changed lines (2 vs 8)")  # type: ignore[index]
    winner, (match,) = await select(TASK, [entry("a", round=1), entry("b", round=0)])
    assert (winner[0].id, match.reason) == ("b", "earlier round (0 vs 1)")  # type: ignore[index]


async def test_the_largest_behaviour_cluster_wins_over_a_smaller_diff() -> None:
    field = [entry("c", lines=1), entry("a", lines=3), entry("b", lines=2), entry("d", lines=4)]
    clusters = {"a": "b0", "b": "b0", "d": "b0", "c": "b1"}
    winner, (match,) = await select(TASK, field, [], group_size=4, behaviour=behaviour(clusters))
    assert winner is not None
    assert winner[0].id == "b"  # of the three that agree, the smallest diff
    assert match.reason == "largest behaviour cluster (3 of 4); then fewer changed lines (4 vs 6)"
    assert (await select(TASK, field, [], group_size=4))[0][0].id == "c"  # type: ignore[index]


async def test_a_majority_of_ballots_decides_among_the_contenders() -> None:
    field = [entry("a"), entry("b"), entry("c")]
    voter = Scripted({("a", "b", "c"): ["c", "b", "c"]})
    winner, (match,) = await select(TASK, field, [voter], votes=3)
    assert winner is not None
    assert winner[0].id == "c"
    assert match.votes == {"a": 0, "b": 1, "c": 2}
    assert match.reason == "majority of votes (2 of 3: scripted)"
    assert [b.choice for b in match.ballots] == ["c", "b", "c"]


async def test_a_tie_or_abstentions_fall_to_the_execution_order() -> None:
    field = [entry("a", lines=3), entry("b", lines=2), entry("c", lines=1)]
    voter = Scripted({("a", "b", "c"): ["a", "b", None]})
    winner, (match,) = await select(TASK, field, [voter], votes=3)
    assert winner is not None
    assert winner[0].id == "b"
    assert match.reason == "tied votes (1 each); fewer changed lines (4 vs 6)"
    silent = Scripted({("a", "b", "c"): [None, None, None]})
    winner, (match,) = await select(TASK, field, [silent], votes=3)
    assert (winner[0].id, match.reason) == (  # type: ignore[index]
        "c", "no usable vote; fewer changed lines (2 vs 4)")


async def test_execution_evidence_rules_out_before_any_vote() -> None:
    field = [entry("a"), entry("b"), entry("c")]
    clusters = {"a": "b1", "b": "b0", "c": "b0"}
    voter = Scripted({("b", "c"): ["c", "b", "c"]})
    winner, (match,) = await select(TASK, field, [voter], behaviour=behaviour(clusters))
    assert winner is not None
    assert winner[0].id == "c"
    assert voter.asked == [("b", "c")]  # `a` behaves alone: out whatever the votes
    assert match.votes == {"a": 0, "b": 1, "c": 2}
    assert match.reason.startswith("largest behaviour cluster (2 of 3); then majority of votes")
    decided = Scripted({})
    clusters = {"a": "b0", "b": "b0", "c": "b1"}
    field = [entry("a", passed=3), entry("b"), entry("c")]
    winner, (match,) = await select(TASK, field, [decided], behaviour=behaviour(clusters))
    assert winner is not None
    assert winner[0].id == "a"
    assert decided.asked == []  # one contender: no judge is asked
    assert match.ballots == [Ballot(judge="execution", choice="a", reason=match.reason)]


async def test_groups_recurse_until_one_remains() -> None:
    field = [entry(f"c{i}", lines=10 - i) for i in range(7)]  # c6 is the smallest
    winner, bracket = await select(TASK, field, [], group_size=3)
    assert winner is not None
    assert winner[0].id == "c6"
    first = [m for m in bracket if m.level == 0]
    assert [m.members for m in first] == [["c0", "c1", "c2"], ["c3", "c4", "c5"], ["c6"]]
    assert [m.winner for m in first] == ["c2", "c5", "c6"]
    assert first[2].reason == "alone in its group"
    assert [(m.level, m.members, m.winner) for m in bracket[3:]] == [
        (1, ["c2", "c5", "c6"], "c6")]


async def test_judges_ballot_at_every_level_and_cast_as_many_votes_as_asked() -> None:
    field = [entry(f"c{i}") for i in range(4)]
    voter = Scripted({("c0", "c1"): ["c1"] * 3, ("c2", "c3"): ["c2"] * 3,
                      ("c1", "c2"): ["c2", "c1", "c2"]})
    winner, bracket = await select(TASK, field, [voter], group_size=2)
    assert winner is not None
    assert winner[0].id == "c2"
    assert sorted(voter.asked) == [("c0", "c1"), ("c1", "c2"), ("c2", "c3")]
    execution: Judge = ExecutionJudge()  # the execution judge is a Judge like any other
    winner, (match,) = await select(TASK, field[:3], [execution], votes=5)
    assert winner is not None
    assert winner[0].id == "c0"  # all equal: the earliest place
    assert match.votes == {"c0": 5, "c1": 0, "c2": 0}
    assert match.reason == "majority of votes (5 of 5: execution)"


async def test_a_run_replays_offline_on_subsets_of_its_candidates() -> None:
    ids = ["a", "b", "c", "d", "e"]
    field = {cid: entry(cid, lines=1 + n) for n, cid in enumerate(ids)}
    stored = Behaviour(functions=["m.py::f"], clusters={
        "c": "b0", "d": "b0", "e": "b0", "a": "b1", "b": "b1"}).model_dump_json()
    data = Behaviour.model_validate_json(stored)  # as read back from a trajectory
    winner, _ = await select(None, list(field.values()), [], group_size=5, behaviour=data)
    assert winner is not None
    assert winner[0].id == "c"
    subset = [field["a"], field["b"], field["c"]]  # within it, a and b are the majority
    winner, (match,) = await select(None, subset, [], group_size=3, behaviour=data)
    assert winner is not None
    assert winner[0].id == "a"
    assert match.reason == "largest behaviour cluster (2 of 3); then fewer changed lines (2 vs 4)"
    assert pick(subset, behaviour=data)[0] == winner
    assert pick(subset)[0] == field["a"]
    assert data.agreement(["a", "c", "x"]) == {"a": 1, "c": 1, "x": 0}


def test_pick_is_select_with_the_execution_judge_for_synchronous_callers() -> None:
    assert pick([]) == (None, [])
    field = [entry("a", lines=4), entry("b", lines=1), entry("c", lines=2)]
    winner, bracket = pick(field)
    assert winner is not None
    assert winner[0].id == "b"
    assert bracket == [Match(level=0, members=["a", "b", "c"], winner="b",
                             votes={"a": 0, "b": 0, "c": 0},
                             reason="fewer changed lines (2 vs 4)")]
    assert ExecutionJudge().prefer(field) == 1


DROP = ("diff --git a/toolz/itertoolz.py b/toolz/itertoolz.py\n"
        "--- a/toolz/itertoolz.py\n+++ b/toolz/itertoolz.py\n"
        "@@ -1 +1 @@\n-    return itertools.islice(seq, n + 1, None)\n+    return {fix}\n")


def drop_fix(cid: str, text: str, round: int) -> Entry:
    passed = {f"t{i}": Result(test_id=f"t{i}", outcome=Outcome.PASSED) for i in range(3)}
    return (Candidate(id=cid, diff=DROP.format(fix=text), round=round),
            Verdict(candidate_id=cid, applied=True, tests=passed))


async def test_equal_test_evidence_falls_to_base_behaviour_and_simpler_text_not_round() -> None:
    """Two plausible fixes of an off-by-one, `n + 0` found first: on the probe inputs they
    differ only where the buggy base raised (`drop(None, ...)`), so both change what the base
    returned equally (the bug's own inputs); the simpler text decides, never the round."""
    padded = drop_fix("padded", "itertools.islice(seq, n + 0, None)", round=0)
    plain = drop_fix("plain", "itertools.islice(seq, n, None)", round=1)
    data = Behaviour(
        functions=["toolz/itertoolz.py::drop"], clusters={"padded": "b0", "plain": "b1"},
        outputs={"padded": ["=[3]", "!TypeError", "=[2, 3]"],
                 "plain": ["=[3]", "=[1, 2, 3]", "=[2, 3]"]},
        base=["=[]", "!TypeError", "=[3]"])
    assert data.drift("padded") == data.drift("plain") == 2  # where the fix must change it
    winner, (match,) = await select(TASK, [padded, plain], [], behaviour=data)
    assert winner is not None
    assert winner[0].id == "plain"
    assert match.reason == "simpler text (11 vs 13 tokens added)"


async def test_a_candidate_that_changes_more_of_the_base_behaviour_loses_the_tie() -> None:
    kept = drop_fix("kept", "itertools.islice(seq, n, None)", round=1)
    broad = drop_fix("broad", "itertools.islice(seq, n, 9)", round=0)
    data = Behaviour(
        functions=["toolz/itertoolz.py::drop"], clusters={"kept": "b0", "broad": "b1"},
        outputs={"kept": ["=[3]", "=[2, 3]", "~"], "broad": ["=[3]", "=[2]", "=[0]"]},
        base=["=[]", "=[2, 3]", "=[1]"])
    assert (data.drift("kept"), data.drift("broad")) == (1, 3)
    winner, (match,) = await select(TASK, [broad, kept], [], behaviour=data)
    assert winner is not None
    assert winner[0].id == "kept"
    assert match.reason.startswith("changes less of what the base tree returned (1 vs 3")


def test_a_candidate_flagged_for_gaming_loses_equal_test_evidence() -> None:
    from sandbox.verdict import Finding, Severity

    gaming = Finding(kind="gaming", severity=Severity.FLAG,
                     detail="hard-codes (2, 3) from a failing test's assertion")
    small, clean = entry("small", lines=1), entry("clean", lines=4)
    flagged = (small[0], small[1].model_copy(update={"integrity": (gaming,)}))
    winner, (match,) = pick([flagged, clean])
    assert winner is not None
    assert winner[0].id == "clean"  # though its diff is the larger
    assert match.reason == "fewer integrity findings (0 vs 1: gaming or suspicious code)"
    more = entry("more", lines=1, passed=3)  # more tests passed still comes first
    first, _ = pick([clean, (more[0], more[1].model_copy(update={"integrity": (gaming,)}))])
    assert first is not None
    assert first[0].id == "more"
