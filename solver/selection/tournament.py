"""Recursive tournament voting over the plausible candidates of one task.

    [c1 c2 c3 | c4 c5 c6 | c7]  ─► [w1 w2 w3] ─► w

In each group the execution evidence comes first: the members that pass the most tests and,
among those, belong to the largest behaviour cluster (solver/selection/behaviour.py: the majority
behaviour is the likely intended one) are the contenders. A single contender wins. Several:
every other judge (the LLM judge, where a model is configured) casts `votes` ballots on the
contenders, and the one with most ballots wins; a tie, or no ballots, falls to the execution
order: less change of what the base tree returned on the probe inputs (where the base raised
does not count: a fix is expected to differ there), fewer changed lines, fewer files and hunks,
fewer tokens added, and only then the earlier round and place.

`select` needs no sandbox: the behaviour data is computed once per task beforehand, and the
clusters are counted among the candidates given, so any subset of a run re-plays offline.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Coroutine, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, Field

from sandbox.concurrency import gather_limited
from sandbox.verdict import Severity
from solver.protocols import Judge
from solver.selection.behaviour import Behaviour
from solver.selection.evidence import (
    Ballot,
    Entry,
    Evidence,
    added_tokens,
    diff_shape,
    tests_passed,
)
from tasks.model import Task

T = TypeVar("T")


class Match(BaseModel):
    """One group of the bracket, its ballots and who won it, and why."""

    level: int
    members: list[str]
    winner: str
    votes: dict[str, int] = Field(default_factory=dict)
    """Ballots per member (judges vote only among the members the execution evidence leaves
    in contention)."""
    reason: str = ""
    ballots: list[Ballot] = Field(default_factory=list)


class ExecutionJudge:
    """Execution evidence: more tests passed, fewer integrity findings, then the larger
    behaviour cluster; to break ties,
    less drift from the base behaviour, fewer changed lines, files and hunks, fewer tokens
    added, the earlier round, the earlier place."""

    name = "execution"

    def strength(self, entry: Entry, evidence: Evidence) -> tuple[int, int, int]:
        """Tests passed, then fewer integrity findings (flags the sandbox recorded: test-gaming
        patterns, suspicious added code), then the behaviour cluster."""
        flags = sum(f.severity == Severity.FLAG for f in entry[1].integrity)
        return tests_passed(entry[1]), -flags, evidence.agreement.get(entry[0].id, 0)

    def contenders(self, group: Sequence[Entry], evidence: Evidence) -> list[int]:
        """Members at the best strength."""
        strengths = [self.strength(e, evidence) for e in group]
        best = max(strengths)
        return [i for i, s in enumerate(strengths) if s == best]

    def key(self, group: Sequence[Entry], evidence: Evidence, index: int) -> tuple[int, ...]:
        candidate = group[index][0]
        passed, clean, agree = self.strength(group[index], evidence)
        drift = (evidence.drift or {}).get(candidate.id, 0)
        return (-passed, -clean, -agree, drift, *diff_shape(candidate.diff),
                added_tokens(candidate.diff), candidate.round, index)

    def decide(
        self, group: Sequence[Entry], evidence: Evidence, among: Sequence[int] | None = None
    ) -> tuple[int, str]:
        """The preferred member (of `among`, else of the group) and why it beats the next."""
        ranked = sorted(among if among is not None else range(len(group)),
                        key=lambda i: self.key(group, evidence, i))
        if len(ranked) == 1:
            return ranked[0], "alone in its group"
        return ranked[0], self.explain(group, evidence, ranked[0], ranked[1])

    def explain(self, group: Sequence[Entry], evidence: Evidence, winner: int, other: int) -> str:
        ours, theirs = self.key(group, evidence, winner), self.key(group, evidence, other)
        reasons: tuple[Callable[[int, int], str], ...] = (
            lambda a, b: f"more tests passed ({-a} vs {-b})",
            lambda a, b: f"fewer integrity findings ({a} vs {b}: gaming or suspicious code)",
            lambda a, b: f"largest behaviour cluster ({-a} of {evidence.pool})",
            lambda a, b: f"changes less of what the base tree returned ({a} vs {b} inputs)",
            lambda a, b: f"fewer changed lines ({a} vs {b})",
            lambda a, b: f"fewer files changed ({a} vs {b})",
            lambda a, b: f"fewer hunks ({a} vs {b})",
            lambda a, b: f"simpler text ({a} vs {b} tokens added)",
            lambda a, b: f"earlier round ({a} vs {b})",
        )
        for reason, a, b in zip(reasons, ours, theirs, strict=False):
            if a != b:
                return reason(a, b)
        return "earlier in the pool (all else equal)"

    def prefer(self, group: Sequence[Entry]) -> int:
        """The preferred member on the group's own evidence (no behaviour data)."""
        return self.decide(group, Evidence.of(group))[0]

    async def ballots(
        self, task: Task | None, group: Sequence[Entry], votes: int, evidence: Evidence
    ) -> list[Ballot]:
        """The `Judge` protocol: every ballot for the member the execution order puts first."""
        winner, reason = self.decide(group, evidence)
        return [Ballot(judge=self.name, choice=group[winner][0].id, reason=reason)] * votes


async def select(
    task: Task | None,
    plausible: Sequence[Entry],
    judges: Sequence[Judge] = (),
    group_size: int = 3,
    votes: int = 3,
    behaviour: Behaviour | None = None,
    execution: ExecutionJudge | None = None,
) -> tuple[Entry | None, list[Match]]:
    """The tournament's winner among `plausible` (None when empty) and its bracket.

    `execution` (a new `ExecutionJudge` when not given) orders every group first; `judges`
    cast ballots where it leaves several contenders. `behaviour`: the probe data of these
    candidates (or of a superset), from `solver.selection.prober.behaviour_for`.
    """
    execution = execution or ExecutionJudge()
    voters = list(judges)
    evidence = Evidence.of(plausible, behaviour)
    size = max(group_size, 2)
    field, bracket, level = list(plausible), [], 0
    while len(field) > 1:
        groups = [field[i:i + size] for i in range(0, len(field), size)]

        async def play_group(group: list[Entry], depth: int = level) -> tuple[int, Match]:
            return await play(task, group, depth, execution, voters, votes, evidence)

        if voters:  # at once: judges wait on a model
            results = await gather_limited(play_group, groups, len(groups))
        else:  # the execution judge alone never waits (so `pick` runs without an event loop)
            results = [await play_group(group) for group in groups]
        field = [group[index] for group, (index, _) in zip(groups, results, strict=True)]
        bracket += [match for _, match in results]
        level += 1
    return (field[0] if field else None), bracket


async def play(
    task: Task | None, group: Sequence[Entry], level: int, execution: ExecutionJudge,
    voters: Sequence[Judge], votes: int, evidence: Evidence,
) -> tuple[int, Match]:
    """One group: its winner's index and the match record."""
    ids = [c.id for c, _ in group]
    contenders = execution.contenders(group, evidence)
    ballots: list[Ballot] = []
    if len(group) == 1:
        winner, reason = 0, "alone in its group"
    elif len(contenders) == 1:
        winner, reason = execution.decide(group, evidence)
        ballots = [Ballot(judge=execution.name, choice=ids[winner], reason=reason)]
    else:
        contending = [group[i] for i in contenders]  # the others are out whatever the votes
        for voter in voters:
            ballots += await voter.ballots(task, contending, votes, evidence)
        winner, reason = tally(group, ballots, contenders, execution, evidence)
        if len(contenders) < len(group):
            outside = min((i for i in range(len(group)) if i not in contenders),
                          key=lambda i: execution.key(group, evidence, i))
            reason = f"{execution.explain(group, evidence, winner, outside)}; then {reason}"
    allowed = {ids[i] for i in contenders}
    counted = Counter(b.choice for b in ballots if b.choice in allowed)
    match = Match(level=level, members=ids, winner=ids[winner], reason=reason, ballots=ballots,
                  votes={i: counted.get(i, 0) for i in ids})
    return winner, match


def tally(
    group: Sequence[Entry], ballots: Sequence[Ballot], contenders: Sequence[int],
    execution: ExecutionJudge, evidence: Evidence,
) -> tuple[int, str]:
    """The contender with most ballots; a tie, or no ballot, goes to the execution order."""
    ids = [c.id for c, _ in group]
    counts = Counter(b.choice for b in ballots if b.choice in {ids[i] for i in contenders})
    if not counts:
        winner, why = execution.decide(group, evidence, contenders)
        return winner, f"no usable vote; {why}" if ballots else why
    best = max(counts.values())
    leaders = [i for i in contenders if counts[ids[i]] == best]
    if len(leaders) == 1:
        judges = sorted({b.judge for b in ballots if b.choice == ids[leaders[0]]})
        return leaders[0], f"majority of votes ({best} of {len(ballots)}: {', '.join(judges)})"
    winner, why = execution.decide(group, evidence, leaders)
    return winner, f"tied votes ({best} each); {why}"


def pick(
    plausible: Sequence[Entry], group_size: int = 3, judge: ExecutionJudge | None = None,
    behaviour: Behaviour | None = None,
) -> tuple[Entry | None, list[Match]]:
    """`select` with the execution judge alone, for synchronous callers."""
    return finish_now(select(None, plausible, (), group_size, votes=1, behaviour=behaviour,
                             execution=judge))


def finish_now(coroutine: Coroutine[Any, Any, T]) -> T:
    """The result of a coroutine that never waits (the execution judge never does)."""
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
    coroutine.close()
    raise RuntimeError("a judge waited: call `select` from async code")
