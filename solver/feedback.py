"""What the engine hands a generator each round: every candidate so far with its verdict, each
summarized against the task's tests, and a one-line note on the round just verified.

    round r verified ─► Feedback(round=r, entries=[...rounds 0..r], note) ─► propose(round r+1)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from pydantic import BaseModel, ConfigDict, Field

from sandbox.verdict import Outcome, Verdict
from solver.types import Candidate
from tasks.model import Task


class VerdictSummary(BaseModel):
    """A verdict read against the task's tests (what a trajectory records of it)."""

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
    integrity: list[str] = Field(default_factory=list)
    """The sandbox's integrity findings (`kind/severity: detail`): tampering, suspicious code."""
    gaming: bool = False
    """Flagged as gaming the tests (hard-coded test values, reading tests, always-equal)."""


def is_plausible(task: Task, verdict: Verdict) -> bool:
    """Every FAIL_TO_PASS and PASS_TO_PASS test passes."""
    return verdict.passed([*task.fail_to_pass, *task.pass_to_pass])


def summarize_verdict(task: Task, verdict: Verdict) -> VerdictSummary:
    ran_p2p = any(t in verdict.tests for t in task.pass_to_pass) or not task.pass_to_pass
    return VerdictSummary(
        applied=verdict.applied, reason=verdict.reason[:300],
        f2p_passed=sum(verdict.outcome(t) == Outcome.PASSED for t in task.fail_to_pass),
        f2p_total=len(task.fail_to_pass),
        p2p_passed=sum(verdict.outcome(t) == Outcome.PASSED for t in task.pass_to_pass)
        if ran_p2p else None,
        p2p_total=len(task.pass_to_pass), plausible=is_plausible(task, verdict),
        timed_out=verdict.timed_out, duration_s=round(verdict.duration_s, 3),
        failing=verdict.failing()[:10],
        integrity=[f"{f.kind}/{f.severity}: {f.detail}"[:200] for f in verdict.integrity],
        gaming=verdict.gaming,
    )


class FeedbackEntry(BaseModel):
    """One candidate, its verdict, and the verdict summarized."""

    model_config = ConfigDict(frozen=True)

    round: int
    """The round it was proposed in (as the engine counts)."""
    candidate: Candidate
    verdict: Verdict
    summary: VerdictSummary


class Feedback(BaseModel):
    """Every verified candidate so far, oldest first; built by the engine once per round."""

    model_config = ConfigDict(frozen=True)

    round: int = -1
    """The last round verified (-1: none yet)."""
    entries: tuple[FeedbackEntry, ...] = ()
    note: str = ""
    """The last round distilled in a line (counts, the tests still failing most)."""

    @classmethod
    def of(cls, task: Task, round: int, pairs: Iterable[tuple[Candidate, Verdict]]) -> Feedback:
        """Feedback of one verified round."""
        return cls().extended(task, round, list(pairs))

    def extended(
        self, task: Task, round: int, pairs: Sequence[tuple[Candidate, Verdict]]
    ) -> Feedback:
        """This feedback and round `round`'s candidates with their verdicts (`pairs`), the
        note on that round."""
        new = tuple(FeedbackEntry(round=round, candidate=c, verdict=v,
                                  summary=summarize_verdict(task, v)) for c, v in pairs)
        return Feedback(round=round, entries=self.entries + new, note=distill(new))

    @property
    def pairs(self) -> list[tuple[Candidate, Verdict]]:
        return [(e.candidate, e.verdict) for e in self.entries]

    def latest(self) -> list[FeedbackEntry]:
        """The entries of the last round verified."""
        return [e for e in self.entries if e.round == self.round]

    def plausible(self) -> list[FeedbackEntry]:
        return [e for e in self.entries if e.summary.plausible]


def distill(entries: Sequence[FeedbackEntry]) -> str:
    """One line on a round: how many candidates were plausible, fixed some failing test, did
    not apply; the tests most of them still fail."""
    if not entries:
        return ""
    summaries = [e.summary for e in entries]
    plausible = sum(s.plausible for s in summaries)
    partial = sum(s.f2p_passed > 0 and not s.plausible for s in summaries)
    unapplied = sum(not s.applied for s in summaries)
    parts = [f"{plausible} of {len(summaries)} plausible", f"{partial} fixed some failing test"]
    if unapplied:
        parts.append(f"{unapplied} did not apply")
    failing = Counter(t for s in summaries for t in s.failing).most_common(2)
    if failing:
        parts.append("still failing: " + ", ".join(f"{t} ({n})" for t, n in failing))
    return "; ".join(parts)
