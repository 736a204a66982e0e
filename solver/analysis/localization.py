"""Where to look: per-test coverage and failing tracebacks from the sandbox, ranked lines.

    Session.collect_coverage(F2P + P2P) ─► spectrum ─┐
    verdict log tail + failing tests' messages ──────┴─► rank_locations ─► [Location]
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from sandbox import Outcome, Session, Verdict
from solver.analysis import Location, blend_locations, spectrum_from_coverage, traceback_locations
from solver.analysis.failures import failures_of
from tasks.model import Task

REPO_ROOT = "/testbed"
"""Where the repository lies inside the sandbox; coverage and tracebacks name it."""


def localize(session: Session, task: Task, limit: int = 50) -> list[Location]:
    """Ranked suspicious lines of `task`, from one coverage run of its tests in `session`."""
    return localize_with_baseline(session, task, limit)[0]


def localize_with_baseline(
    session: Session, task: Task, limit: int = 50
) -> tuple[list[Location], dict[str, str]]:
    """The ranked lines, and how each FAIL_TO_PASS test fails before any edit (`failure_key`):
    what `SearchGenerator` compares candidates' failures with."""
    coverage = session.collect_coverage([*task.fail_to_pass, *task.pass_to_pass])
    verdict = coverage.verdict
    baseline = failures_of(verdict, task.fail_to_pass)
    return rank(coverage.data, verdict, limit), baseline


def rank(data: bytes | None, verdict: Verdict, limit: int) -> list[Location]:
    frames = traceback_locations(failure_text(verdict), REPO_ROOT)
    if data is None:
        return [Location(f, n, 1.0, "traceback") for f, n in frames][:limit]
    outcomes = {t: r.outcome == Outcome.PASSED for t, r in verdict.tests.items()}
    with tempfile.TemporaryDirectory(prefix="solver-cov-") as tmp:
        data_file = Path(tmp) / ".coverage"
        data_file.write_bytes(data)
        try:
            spectrum = spectrum_from_coverage(data_file, outcomes, REPO_ROOT)
        except ValueError:  # no per-test contexts (a pytest too old for pytest-cov's)
            return [Location(f, n, 1.0, "traceback") for f, n in frames][:limit]
    return blend_locations(spectrum, "ochiai", frames, limit=limit)


def failure_text(verdict: Verdict) -> str:
    """The failing tests' messages, then the log tail: where traceback frames are found."""
    messages = [verdict.tests[t].message for t in verdict.failing() if verdict.tests[t].message]
    return "\n".join([*messages, verdict.log_tail])
