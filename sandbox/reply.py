"""From the driver's one JSON line to a Verdict: per-test outcomes from pytest's report only,
checked against the guard's record, what the patch changed, and the integrity findings."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TypedDict

from sandbox.diffcheck import PatchRejected, check_changes
from sandbox.integrity import judge
from sandbox.junit import parse_junit
from sandbox.verdict import Outcome, Severity, TestResult, Verdict


class DriverReply(TypedDict, total=False):
    """The one JSON line sandbox/runtime/driver.py prints (fields after `applied`: when it did)."""

    applied: bool
    reason: str
    rc: int | None
    timed_out: bool
    runner_s: float
    changes: list[list[str]]
    """What applying the candidate changed: [status, old mode, new mode, path] (git's view)."""
    shadows: list[str]
    """New files that would shadow an installed top-level module."""
    known: dict[str, list[int]]
    """Per changed file, the screen rules its pristine version already matches."""
    test_literals: list[str]
    """Constants in the assertions of the tests asked for (repr), for the gaming flags."""
    report: str | None
    """The JUnit XML, read back up to the report cap (None: unreadable)."""
    report_truncated: bool
    report_sha256: str | None
    guard: str | None
    """What solver_guard sent through its pipe at the session's end (the report's hash,
    pytest's exit status, tampering seen), as JSON; None when nothing came."""
    progress: str | None
    """One JSON record per test phase, written as the run went (read when it was killed)."""
    phases: str | None
    """When collection began and ended (the guard's clock readings, JSON): timing only."""
    warm: bool
    """The tests ran in a child of the warm test process (runtime/solver_warm.py)."""
    spawned_at: float
    """When the driver started the test process (the container's clock)."""
    artifacts: dict[str, str]
    """Requested files (the coverage data), base64, by path."""
    log_tail: str | None
    leftovers_killed: bool
    distrust: str
    """Why nothing the run reports can be trusted (a launcher the runner cannot take over)."""


NO_REPORT = "the test command gives no per-test report (only pytest runs are judged)"
def missing(test_ids: Sequence[str], outcome: Outcome) -> dict[str, TestResult]:
    return {t: TestResult(test_id=t, outcome=outcome) for t in test_ids}


def results_from_progress(progress: str) -> dict[str, TestResult]:
    """Outcomes recorded test by test: what is left when the runner was killed mid-run."""
    results: dict[str, TestResult] = {}
    started: list[str] = []
    finished: set[str] = set()
    for line in progress.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if "start" in record:
            started.append(record["start"])
            continue
        test_id, outcome = record["id"], record["outcome"]
        if record["when"] == "teardown":
            finished.add(test_id)
        previous = results.get(test_id)
        if previous and previous.outcome != Outcome.PASSED:
            continue
        if record.get("timeout"):
            mapped = Outcome.TIMEOUT
        elif outcome == "failed":
            mapped = Outcome.FAILED if record["when"] == "call" else Outcome.ERROR
        else:
            mapped = Outcome.SKIPPED if outcome == "skipped" else Outcome.PASSED
        if record["when"] == "call" or mapped != Outcome.PASSED or test_id not in results:
            results[test_id] = TestResult(test_id=test_id, outcome=mapped,
                                          duration_s=float(record.get("duration") or 0.0))
    if started and started[-1] not in finished:
        results[started[-1]] = TestResult(test_id=started[-1], outcome=Outcome.TIMEOUT,
                                          message="the run was killed while this test ran")
    return results


def trusted_report(raw: DriverReply) -> tuple[dict[str, TestResult], str]:
    """Per-test results and a reason to distrust them ('' when the report checks out)."""
    report, guard = raw.get("report"), raw.get("guard")
    progress = str(raw.get("progress") or "")
    if not report:
        return results_from_progress(progress), "no test report (the runner crashed or was killed)"
    try:
        results = parse_junit(str(report))
        guard_data = json.loads(str(guard)) if guard else None
    except (ValueError, SyntaxError) as exc:
        return results_from_progress(progress), f"unreadable test report: {exc}"
    if raw.get("report_truncated"):
        return results, "test report truncated at its size cap"
    if not isinstance(guard_data, dict):
        return results, "no guard record: the runner ended before pytest's session finished"
    if guard_data.get("sha256") != raw.get("report_sha256"):
        return results, "test report changed after pytest wrote it"
    rc = raw.get("rc")
    failing = any(r.outcome not in (Outcome.PASSED, Outcome.SKIPPED) for r in results.values())
    if guard_data.get("exitstatus") != rc or (rc == 0 and failing) or (rc == 1 and not failing):
        return results, f"test report disagrees with the exit status ({rc})"
    if raw.get("distrust"):
        return results, str(raw.get("distrust"))
    if raw.get("leftovers_killed") is False:
        return results, "processes of the run outlived it"
    return results, ""


def tamper_seen(raw: DriverReply) -> list[str]:
    try:
        data = json.loads(str(raw.get("guard") or "{}"))
    except ValueError:
        return []
    found = data.get("tamper") if isinstance(data, dict) else None
    return [str(t) for t in found][:50] if isinstance(found, list) else []


def distrusted(results: dict[str, TestResult], why: str) -> dict[str, TestResult]:
    """Every pass turned into an error carrying `why`."""
    return {t: r if r.outcome != Outcome.PASSED else r.model_copy(
        update={"outcome": Outcome.ERROR, "message": why}) for t, r in results.items()}


def build_verdict(
    raw: DriverReply, test_ids: Sequence[str], is_pytest: bool, diff: str = "",
    protected: frozenset[str] = frozenset(),
) -> Verdict:
    common = {"applied": bool(raw.get("applied")), "reason": str(raw.get("reason") or ""),
              "exit_code": raw.get("rc"), "timed_out": bool(raw.get("timed_out")),
              "runner_s": float(raw.get("runner_s") or 0.0),
              "log_tail": str(raw.get("log_tail") or ""), "phases": phases_of(raw)}
    try:
        check_changes(raw.get("changes") or [], protected, raw.get("shadows") or [])
    except PatchRejected as exc:
        return Verdict(**{**common, "applied": False, "reason": f"rejected: {exc}"})
    if not common["applied"]:
        return Verdict(**common)
    if not is_pytest:
        return Verdict(**{**common, "reason": NO_REPORT},
                       tests=missing(test_ids or ["<suite>"], Outcome.ERROR))
    results, distrust = trusted_report(raw)
    findings = judge(diff, raw.get("test_literals") or [], tamper_seen(raw),
                     raw.get("known") or {})
    rejected = [f for f in findings if f.severity == Severity.REJECT]
    if rejected and not distrust:
        distrust = f"integrity ({rejected[0].kind}): {rejected[0].detail}"
    if distrust:
        common["reason"] = distrust
        results = distrusted(results, distrust)
    for test_id in test_ids:
        if test_id not in results and not any(t.startswith(f"{test_id}::") for t in results):
            outcome = Outcome.TIMEOUT if common["timed_out"] else Outcome.MISSING
            results[test_id] = TestResult(test_id=test_id, outcome=outcome)
    return Verdict(**common, tests=results, integrity=tuple(findings))



def phases_of(raw: DriverReply) -> dict[str, float]:
    """The runner's seconds split: `start_s` (interpreter, pytest, plugins, initial conftests),
    `collect_s` (importing and collecting the test modules), `tests_s` (the rest: the tests and
    the session's end), `warm` (1.0: a fork of the warm test process); empty where the guard
    recorded no collection."""
    try:
        marks = json.loads(raw.get("phases") or "")
        start = float(marks["collect_start"]) - float(raw.get("spawned_at") or 0.0)
        collect = float(marks["collect_end"]) - float(marks["collect_start"])
    except (ValueError, KeyError, TypeError):
        return {}
    runner = float(raw.get("runner_s") or 0.0)
    if not 0 <= start <= runner or not 0 <= collect <= runner:
        return {}
    return {"start_s": round(start, 4), "collect_s": round(collect, 4),
            "tests_s": round(max(runner - start - collect, 0.0), 4),
            "warm": 1.0 if raw.get("warm") else 0.0}
