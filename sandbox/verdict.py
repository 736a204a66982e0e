"""What the sandbox says about one candidate: the outcome of every test, and how the run ended."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Outcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"
    SKIPPED = "skipped"
    TIMEOUT = "timeout"
    MISSING = "missing"
    """Asked for, but absent from the report (crashed run, unknown id)."""


class TestResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    test_id: str
    outcome: Outcome
    duration_s: float = 0.0
    message: str = ""
    """First lines of the failure (assertion message), capped."""


class Severity(StrEnum):
    REJECT = "reject"
    """The candidate is not plausible, whatever its tests say."""
    FLAG = "flag"
    """Recorded for the tournament and the user; the tests' outcomes stand."""


class Finding(BaseModel):
    """One integrity finding: tampering seen during the run, code the static screen caught,
    or a test-gaming pattern."""

    model_config = ConfigDict(frozen=True)

    kind: str
    """`tamper` (seen in the run), `screen` (the added code), or `gaming`."""
    severity: Severity
    detail: str


class Verdict(BaseModel):
    """The sandbox's account of one verification. `applied=False` carries `reason`."""

    model_config = ConfigDict(frozen=True)

    candidate_id: str = ""
    applied: bool
    reason: str = ""
    """Why the patch was rejected or the run is not to be trusted; empty when all went well."""
    tests: dict[str, TestResult] = Field(default_factory=dict)
    exit_code: int | None = None
    timed_out: bool = False
    duration_s: float = 0.0
    """Wall time of the whole verification as seen from the host."""
    runner_s: float = 0.0
    """Wall time of the test runner alone, measured inside the container."""
    phases: dict[str, float] = Field(default_factory=dict)
    """The runner's time split (`start_s`, `collect_s`, `tests_s`; sandbox.reply.phases_of)."""
    log_tail: str = ""
    integrity: tuple[Finding, ...] = ()
    """What the integrity checks found; a `reject` finding turns every pass into an error."""

    @property
    def gaming(self) -> bool:
        """Flagged as gaming the tests (hard-coded test values, reading tests, always-equal)."""
        return any(f.kind == "gaming" for f in self.integrity)

    def outcome(self, test_id: str) -> Outcome:
        """The test's outcome; for a test module selected as a whole (`tests/test_x.py`, what
        CI discovery asks for where a module failed to import), the first of its tests that did
        not pass or skip, else PASSED when one of them passed."""
        result = self.tests.get(test_id)
        if result is not None:
            return result.outcome
        if "::" in test_id or not test_id.endswith(".py"):
            return Outcome.MISSING
        inside = [r.outcome for t, r in self.tests.items() if t.startswith(f"{test_id}::")]
        bad = [o for o in inside if o not in (Outcome.PASSED, Outcome.SKIPPED)]
        return bad[0] if bad else Outcome.PASSED if Outcome.PASSED in inside else Outcome.MISSING

    def passed(self, test_ids: list[str]) -> bool:
        """True when the patch applied and every one of `test_ids` passed."""
        return self.applied and all(self.outcome(t) == Outcome.PASSED for t in test_ids)

    @property
    def all_passed(self) -> bool:
        return self.applied and bool(self.tests) and all(
            r.outcome in (Outcome.PASSED, Outcome.SKIPPED) for r in self.tests.values()
        )

    def failing(self) -> list[str]:
        ok = (Outcome.PASSED, Outcome.SKIPPED)
        return [t for t, r in self.tests.items() if r.outcome not in ok]
