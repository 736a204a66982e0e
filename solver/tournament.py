"""Recursive tournament: candidates in small groups, one judge vote per group, winners advance.

    [c1 c2 c3 | c4 c5 c6 | c7]  ─► [w1 w2 w3] ─► w
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel

from sandbox import Outcome, Verdict
from solver.types import Candidate
from tasks.model import Task

Entry = tuple[Candidate, Verdict]


class Match(BaseModel):
    """One group of the bracket and who won it."""

    level: int
    members: list[str]
    winner: str


def changed_lines(diff: str) -> int:
    """Lines a unified diff adds or removes (file headers excluded)."""
    return sum(
        1 for line in diff.splitlines()
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    )


def tests_passed(verdict: Verdict) -> int:
    return sum(1 for r in verdict.tests.values() if r.outcome == Outcome.PASSED)


class ExecutionJudge:
    """Prefers more tests passed, then the smaller diff (changed lines), then the earlier round."""

    name = "execution"

    def prefer(self, group: Sequence[Entry]) -> int:
        def key(index: int) -> tuple[int, int, int, int]:
            candidate, verdict = group[index]
            return (-tests_passed(verdict), changed_lines(candidate.diff), candidate.round, index)

        return min(range(len(group)), key=key)

    async def vote(self, task: Task, group: Sequence[Entry]) -> int:
        """The `Judge` protocol's form of `prefer`."""
        return self.prefer(group)


def pick(
    plausible: Sequence[Entry], group_size: int = 3, judge: ExecutionJudge | None = None
) -> tuple[Entry | None, list[Match]]:
    """The tournament's winner among `plausible` (None when empty) and its bracket."""
    judge = judge or ExecutionJudge()
    size = max(group_size, 2)
    field, bracket, level = list(plausible), [], 0
    while len(field) > 1:
        groups = [field[i:i + size] for i in range(0, len(field), size)]
        field = [group[judge.prefer(group)] for group in groups]
        bracket += [
            Match(level=level, members=[c.id for c, _ in g], winner=w[0].id)
            for g, w in zip(groups, field, strict=True)
        ]
        level += 1
    return (field[0] if field else None), bracket
