"""What execution showed of the candidates of one tournament, and the ballots judges cast on it.

`Evidence` is what every judge reads: per candidate, the tests it passes, the size of its
behaviour cluster (solver/selection/behaviour.py) and where it behaves differently; a `Ballot`
is one judge's vote in a group.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import BaseModel

from sandbox import Outcome, Verdict
from solver.selection.behaviour import Behaviour
from solver.types import Candidate
from tasks.diffs import parse_diff

Entry = tuple[Candidate, Verdict]
"""A candidate with its verdict."""


class Ballot(BaseModel):
    """One vote in a group."""

    judge: str
    choice: str | None = None
    """The candidate id voted for; None: the judge abstained (e.g. a malformed answer)."""
    reason: str = ""


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


TOKEN = re.compile(r"\w+|[^\w\s]")


def added_tokens(diff: str) -> int:
    """Tokens on the lines a diff adds: of two edits of the same shape, the one whose code reads
    shorter (`n` over `n + 0`)."""
    return sum(
        len(TOKEN.findall(line[1:])) for line in diff.splitlines()
        if line.startswith("+") and not line.startswith("+++")
    )


def tests_passed(verdict: Verdict) -> int:
    return sum(1 for r in verdict.tests.values() if r.outcome == Outcome.PASSED)


@dataclass(frozen=True)
class Evidence:
    """What execution showed of the candidates of one tournament."""

    agreement: dict[str, int]
    """Per candidate, how many of the tournament's candidates behave as it does (0: unknown)."""
    pool: int
    behaviour: Behaviour | None = None
    drift: dict[str, int] | None = None
    """Per candidate, inputs where it changes what the base tree returned (`Behaviour.drift`)."""

    @classmethod
    def of(cls, plausible: Sequence[Entry], behaviour: Behaviour | None = None) -> Evidence:
        ids = [c.id for c, _ in plausible]
        if behaviour is None:
            return cls({i: 0 for i in ids}, len(ids))
        return cls(behaviour.agreement(ids), len(ids), behaviour,
                   {i: behaviour.drift(i) for i in ids})

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
