"""An in-memory `solver.protocols.Verifier`: no Docker. A rule the test defines maps a candidate
and a test id to an outcome; every call is recorded, and each run is given a duration (a fixed
cost per test run, not slept) so the engine's ledger can be checked to the cent."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sandbox.verdict import Outcome, TestResult, Verdict
from solver.types import Candidate

Rule = Callable[[Candidate, str], Outcome]
"""The outcome of one test with one candidate applied."""


@dataclass(frozen=True)
class Call:
    """One call the engine made: which candidates, which tests, how."""

    method: str
    """`verify` or `verify_with`."""
    candidate_ids: tuple[str, ...]
    test_ids: tuple[str, ...]
    fail_fast: bool = False
    extra_patch: str | None = None


@dataclass
class FakeVerifier:
    rule: Rule
    seconds_per_test: float = 0.25
    """The duration a verdict reports per test it ran."""
    calls: list[Call] = field(default_factory=list)
    durations: dict[str, list[float]] = field(default_factory=dict)
    """Per candidate id, the duration of each of its verdicts, in order."""

    async def verify(
        self, candidates: Sequence[Candidate], test_ids: Sequence[str], *, fail_fast: bool = False,
    ) -> list[Verdict]:
        self.calls.append(Call("verify", tuple(c.id for c in candidates), tuple(test_ids),
                               fail_fast))
        return [self.run(c, test_ids, fail_fast) for c in candidates]

    async def verify_with(
        self, candidate: Candidate, test_ids: Sequence[str], *, extra_patch: str,
    ) -> Verdict:
        self.calls.append(Call("verify_with", (candidate.id,), tuple(test_ids),
                               extra_patch=extra_patch))
        return self.run(candidate, test_ids, fail_fast=False)

    def run(self, candidate: Candidate, test_ids: Sequence[str], fail_fast: bool) -> Verdict:
        """Tests in order; with `fail_fast`, those after the first failure are not run."""
        tests: dict[str, TestResult] = {}
        stopped = False
        for test_id in test_ids:
            outcome = Outcome.MISSING if stopped else self.rule(candidate, test_id)
            tests[test_id] = TestResult(test_id=test_id, outcome=outcome)
            stopped = stopped or (fail_fast and outcome != Outcome.PASSED)
        ran = sum(r.outcome != Outcome.MISSING for r in tests.values())
        duration = ran * self.seconds_per_test
        self.durations.setdefault(candidate.id, []).append(duration)
        return Verdict(candidate_id=candidate.id, applied=True, tests=tests, duration_s=duration,
                       exit_code=0 if all(r.outcome == Outcome.PASSED for r in tests.values())
                       else 1)

    def of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]
