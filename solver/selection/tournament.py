"""Recursive tournament voting over the plausible candidates of one task.

    [c1 c2 c3 | c4 c5 c6 | c7]  ─► [w1 w2 w3] ─► w

In each group the execution evidence comes first: the members that pass the most tests and,
among those, belong to the largest behaviour cluster (solver/selection/behaviour.py: the majority
behaviour is the likely intended one) are the contenders. A single contender wins. Several:
every other judge (the LLM judge, where a model is configured) casts `votes` ballots on the
contenders, and the one with most ballots wins; a tie, or no ballots, falls to the execution
order: fewer changed lines, fewer files and hunks, the earlier round, the earlier place.

`select` needs no sandbox: the behaviour data is computed once per task beforehand, and the
clusters are counted among the candidates given, so any subset of a run re-plays offline.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar, runtime_checkable

import anyio
from pydantic import BaseModel, Field

from sandbox import Outcome, Verdict
from solver.protocols import Judge
from solver.selection.behaviour import Behaviour, parse_diff
from solver.types import Candidate
from tasks.model import Task

Entry = tuple[Candidate, Verdict]
T = TypeVar("T")
R = TypeVar("R")


class Ballot(BaseModel):
    """One vote in a group."""

    judge: str
    choice: str | None = None
    """The candidate id voted for; None: the judge abstained (e.g. a malformed answer)."""
    reason: str = ""


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


def changed_lines(diff: str) -> int:
    """Lines a unified diff adds or removes (file headers excluded)."""
    return sum(
        1 for line in diff.splitlines()
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    )


def diff_shape(diff: str) -> tuple[int, int, int]:
    """(changed lines, files, hunks): smaller is simpler."""
    files = parse_diff(diff)
    return changed_lines(diff), len(files), sum(len(f.hunks) for f in files)


def tests_passed(verdict: Verdict) -> int:
    return sum(1 for r in verdict.tests.values() if r.outcome == Outcome.PASSED)


@dataclass(frozen=True)
class Evidence:
    """What execution showed of the candidates of one tournament."""

    agreement: dict[str, int]
    """Per candidate, how many of the tournament's candidates behave as it does (0: unknown)."""
    pool: int
    behaviour: Behaviour | None = None

    @classmethod
    def of(cls, plausible: Sequence[Entry], behaviour: Behaviour | None = None) -> Evidence:
        ids = [c.id for c, _ in plausible]
        if behaviour is None:
            return cls({i: 0 for i in ids}, len(ids))
        return cls(behaviour.agreement(ids), len(ids), behaviour)

    def describe(self, entry: Entry, others: Sequence[str] = ()) -> str:
        """One line for a judge's prompt; `others`: the ids it is compared with."""
        candidate, verdict = entry
        lines, files, _ = diff_shape(candidate.diff)
        parts = [f"{tests_passed(verdict)} of {len(verdict.tests)} tests run pass"]
        agree = self.agreement.get(candidate.id, 0)
        if agree and self.behaviour is not None:
            parts.append(f"on {len(self.behaviour.inputs)} probe inputs it behaves like {agree} "
                         f"of the {self.pool} plausible candidates (itself included)")
        differing = self.differences(candidate.id, others)
        if differing:
            parts.append("where the others differ it gives " + ", ".join(differing))
        parts.append(f"{lines} changed lines in {files} file(s)")
        return "; ".join(parts)

    def differences(self, candidate_id: str, others: Sequence[str], limit: int = 3) -> list[str]:
        """`call -> output` on probe inputs where some of `others` give another output."""
        data = self.behaviour
        if data is None or candidate_id not in data.outputs:
            return []
        mine = data.outputs[candidate_id]
        theirs = [data.outputs[o] for o in others if o != candidate_id and o in data.outputs]
        found: list[str] = []
        for n, probe in enumerate(data.inputs[:len(mine)]):
            if not mine[n].startswith("~") and any(
                    n < len(t) and t[n] != mine[n] and not t[n].startswith("~") for t in theirs):
                found.append(f"{probe.call} -> {mine[n]}")
            if len(found) >= limit:
                break
        return found


class ExecutionJudge:
    """Execution evidence: more tests passed, then the larger behaviour cluster; to break ties,
    fewer changed lines, fewer files and hunks, the earlier round, the earlier place."""

    name = "execution"

    def strength(self, entry: Entry, evidence: Evidence) -> tuple[int, int]:
        return tests_passed(entry[1]), evidence.agreement.get(entry[0].id, 0)

    def contenders(self, group: Sequence[Entry], evidence: Evidence) -> list[int]:
        """Members at the best strength."""
        strengths = [self.strength(e, evidence) for e in group]
        best = max(strengths)
        return [i for i, s in enumerate(strengths) if s == best]

    def key(self, group: Sequence[Entry], evidence: Evidence, index: int) -> tuple[int, ...]:
        candidate = group[index][0]
        passed, agree = self.strength(group[index], evidence)
        return (-passed, -agree, *diff_shape(candidate.diff), candidate.round, index)

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
        reasons = (
            lambda a, b: f"more tests passed ({-a} vs {-b})",
            lambda a, b: f"largest behaviour cluster ({-a} of {evidence.pool})",
            lambda a, b: f"fewer changed lines ({a} vs {b})",
            lambda a, b: f"fewer files changed ({a} vs {b})",
            lambda a, b: f"fewer hunks ({a} vs {b})",
            lambda a, b: f"earlier round ({a} vs {b})",
        )
        for reason, a, b in zip(reasons, ours, theirs, strict=False):
            if a != b:
                return reason(a, b)
        return "earlier in the pool (all else equal)"

    def prefer(self, group: Sequence[Entry]) -> int:
        """The preferred member on the group's own evidence (no behaviour data)."""
        return self.decide(group, Evidence.of(group))[0]

    async def vote(self, task: Task, group: Sequence[Entry]) -> int:
        """The `Judge` protocol's form of `prefer`."""
        return self.prefer(group)


@runtime_checkable
class Voter(Protocol):
    """A judge that casts several ballots on a group at once and reads the execution evidence
    (the LLM judge). Judges with only `vote` (the `Judge` protocol) are asked `votes` times."""

    name: str

    async def ballots(
        self, task: Task | None, group: Sequence[Entry], votes: int, evidence: Evidence
    ) -> list[Ballot]: ...


async def select(
    task: Task | None,
    plausible: Sequence[Entry],
    judges: Sequence[Judge | Voter] = (),
    group_size: int = 3,
    votes: int = 3,
    behaviour: Behaviour | None = None,
) -> tuple[Entry | None, list[Match]]:
    """The tournament's winner among `plausible` (None when empty) and its bracket.

    `judges`: an `ExecutionJudge` is always used (the one given, else a new one); the others
    vote where the execution evidence leaves several contenders. `behaviour`: the probe data of
    these candidates (or of a superset), from `solver.selection.behaviour.behaviour_for`.
    """
    execution = next((j for j in judges if isinstance(j, ExecutionJudge)), ExecutionJudge())
    voters = [j for j in judges if j is not execution]
    evidence = Evidence.of(plausible, behaviour)
    size = max(group_size, 2)
    field, bracket, level = list(plausible), [], 0
    while len(field) > 1:
        groups = [field[i:i + size] for i in range(0, len(field), size)]

        async def play_group(group: list[Entry], depth: int = level) -> tuple[int, Match]:
            return await play(task, group, depth, execution, voters, votes, evidence)

        results = await each(play_group, groups, concurrent=bool(voters))
        field = [group[index] for group, (index, _) in zip(groups, results, strict=True)]
        bracket += [match for _, match in results]
        level += 1
    return (field[0] if field else None), bracket


async def play(
    task: Task | None, group: Sequence[Entry], level: int, execution: ExecutionJudge,
    voters: Sequence[Judge | Voter], votes: int, evidence: Evidence,
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
            ballots += await cast(voter, task, contending, votes, evidence)
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


async def cast(
    judge: Judge | Voter, task: Task | None, group: Sequence[Entry], votes: int,
    evidence: Evidence,
) -> list[Ballot]:
    if isinstance(judge, Voter):
        return await judge.ballots(task, group, votes, evidence)
    ballots = []
    for _ in range(votes):
        index = await judge.vote(task, group)  # type: ignore[arg-type]
        choice = group[index][0].id if 0 <= index < len(group) else None
        ballots.append(Ballot(judge=judge.name, choice=choice))
    return ballots


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


async def each(
    fn: Callable[[T], Awaitable[R]], items: Sequence[T], concurrent: bool
) -> list[R]:
    """`fn` over `items`, in order; at once where `concurrent` (judges that wait on a model)."""
    if not concurrent:
        return [await fn(item) for item in items]
    results: dict[int, R] = {}

    async def one(index: int, item: T) -> None:
        results[index] = await fn(item)

    async with anyio.create_task_group() as tg:
        for index, item in enumerate(items):
            tg.start_soon(one, index, item)
    return [results[i] for i in range(len(items))]


def pick(
    plausible: Sequence[Entry], group_size: int = 3, judge: ExecutionJudge | None = None,
    behaviour: Behaviour | None = None,
) -> tuple[Entry | None, list[Match]]:
    """`select` with the execution judge alone, for synchronous callers."""
    return finish_now(select(None, plausible, [judge or ExecutionJudge()], group_size, votes=1,
                             behaviour=behaviour))


def finish_now(coroutine: Coroutine[Any, Any, T]) -> T:
    """The result of a coroutine that never waits (the execution judge never does)."""
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
    coroutine.close()
    raise RuntimeError("a judge waited: call `select` from async code")
