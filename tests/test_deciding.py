"""Run only what can decide (solver/deciding.py) over the in-memory verifier: fewer tests run,
the same plausible set, and a plausible candidate's verdict is the full selection's."""

from __future__ import annotations

import anyio
import pytest

from sandbox.verdict import Outcome, Verdict
from sandbox.verdict import TestResult as Result
from solver.analysis.spectrum import Spectrum
from solver.deciding import DecisionPlan, changed_lines, verify_deciding, verify_one
from solver.engine import verify_candidates
from solver.feedback import is_plausible
from solver.types import Candidate, Ledger
from tasks.model import Task
from tests.fakeverifier import FakeVerifier

SLOW, FAST = "tests/test_a.py::test_slow", "tests/test_a.py::test_fast"
NEAR, FAR = "tests/test_b.py::test_near", "tests/test_c.py::test_far"
TASK = Task(instance_id="t", problem_statement="p", FAIL_TO_PASS=[SLOW, FAST],
            PASS_TO_PASS=[NEAR, FAR])


def edit(cid: str, line: int) -> Candidate:
    diff = (f"diff --git a/m.py b/m.py\n--- a/m.py\n+++ b/m.py\n@@ -{line},1 +{line},1 @@\n"
            f"-old\n+{cid}\n")
    return Candidate(id=cid, diff=diff, round=0)


def base_verdict() -> Verdict:
    def failed(test_id: str, seconds: float) -> Result:
        return Result(test_id=test_id, outcome=Outcome.FAILED, duration_s=seconds)

    return Verdict(applied=True, tests={SLOW: failed(SLOW, 2.0), FAST: failed(FAST, 0.1)})


PLAN = DecisionPlan.of(TASK, base_verdict(), Spectrum(
    outcomes={SLOW: False, FAST: False, NEAR: True, FAR: True},
    covered={NEAR: frozenset({("m.py", 3)}), FAR: frozenset({("m.py", 9)})}))


def rule(candidate: Candidate, test_id: str) -> Outcome:
    """`fix`, `fix-breaks-near`, `fix-breaks-far` fix both failing tests; `wrong` none."""
    if test_id in (SLOW, FAST):
        return Outcome.PASSED if candidate.id.startswith("fix") else Outcome.FAILED
    broken = {"fix-breaks-near": NEAR, "fix-breaks-far": FAR}.get(candidate.id)
    return Outcome.FAILED if test_id == broken else Outcome.PASSED


CANDIDATES = [edit("wrong", 3), edit("fix", 3), edit("fix-breaks-near", 3),
              edit("fix-breaks-far", 3), *(edit(f"wrong{i}", 3) for i in range(3))]


def test_changed_lines_are_old_side_lines_and_insertion_neighbours() -> None:
    diff = ("--- a/p/m.py\n+++ b/p/m.py\n@@ -4,3 +4,3 @@\n ctx\n-gone\n+new\n ctx\n"
            "@@ -20,0 +21,1 @@\n+added\n")
    assert changed_lines(diff) == {("p/m.py", 5), ("p/m.py", 20), ("p/m.py", 21)}


def test_the_fastest_failing_test_goes_first_and_reach_narrows() -> None:
    assert PLAN.fail_order == (FAST, SLOW)
    assert PLAN.reaching(edit("x", 3).diff, [NEAR, FAR]) == [NEAR]
    unknown = DecisionPlan(PLAN.fail_order, {NEAR: frozenset({("m.py", 3)})})
    assert unknown.reaching(edit("x", 9).diff, [NEAR, FAR]) == [FAR]  # no map: kept


def test_same_plausible_set_and_full_verdicts_with_fewer_tests() -> None:
    today, deciding = FakeVerifier(rule), FakeVerifier(rule)
    before = anyio.run(lambda: verify_candidates(today, TASK, CANDIDATES, Ledger()))
    after = anyio.run(lambda: verify_deciding(deciding, TASK, CANDIDATES, PLAN, Ledger()))
    assert [is_plausible(TASK, v) for v in after] == [is_plausible(TASK, v) for v in before] \
        == [False, True, False, False, False, False, False]
    tests = [*TASK.fail_to_pass, *TASK.pass_to_pass]
    assert {t: after[1].outcome(t) for t in tests} == {t: before[1].outcome(t) for t in tests}
    assert deciding.calls[0].test_ids == (FAST, SLOW)
    assert deciding.calls[0].fail_fast
    assert after[0].outcome(SLOW) == Outcome.MISSING  # stopped at the first failure
    # the near break is caught by the narrowed run, before the full selection
    near_runs = [c.test_ids for c in deciding.calls if "fix-breaks-near" in c.candidate_ids]
    assert near_runs == [(FAST, SLOW), (NEAR,)]
    # the far break passes the narrowed run and is caught by the full one
    far_runs = [c.test_ids for c in deciding.calls if "fix-breaks-far" in c.candidate_ids]
    assert far_runs == [(FAST, SLOW), (NEAR,), (NEAR, FAR)]
    ran = sum(sum(d) for d in deciding.durations.values())
    assert ran < sum(sum(d) for d in today.durations.values())


def test_feedback_runs_every_failing_test() -> None:
    deciding = FakeVerifier(rule)
    verdicts = anyio.run(lambda: verify_deciding(deciding, TASK, CANDIDATES[:1], PLAN, Ledger(),
                                                 feedback=True))
    assert not deciding.calls[0].fail_fast
    assert verdicts[0].outcome(SLOW) == Outcome.FAILED


def partial(cid: str, line: int) -> Candidate:
    """Fixes FAST only (a partial fix), breaking NEAR where its id says so."""
    return edit(cid, line)


def partial_rule(candidate: Candidate, test_id: str) -> Outcome:
    if candidate.id.startswith("half"):
        if test_id in (SLOW, FAST):
            return Outcome.PASSED if test_id == FAST else Outcome.FAILED
        return Outcome.FAILED if candidate.id == "half-breaks-near" and test_id == NEAR \
            else Outcome.PASSED
    return rule(candidate, test_id)


def engine_path(candidate: Candidate, feedback: bool) -> tuple[FakeVerifier, Verdict]:
    verifier = FakeVerifier(partial_rule)
    verdict = anyio.run(lambda: verify_one(verifier, TASK, candidate, PLAN, Ledger(),
                                           feedback=feedback))
    return verifier, verdict


def test_the_engines_path_keeps_todays_verdict_for_every_fix() -> None:
    today = FakeVerifier(rule)
    before = anyio.run(lambda: verify_candidates(today, TASK, CANDIDATES, Ledger()))
    for feedback in (True, False):
        for candidate, old in zip(CANDIDATES, before, strict=True):
            verifier, new = engine_path(candidate, feedback)
            assert is_plausible(TASK, new) == is_plausible(TASK, old)
            if is_plausible(TASK, old):  # the verdict plausibility rests on: today's runs
                assert new.tests == old.tests
                runs = [c.test_ids for c in today.calls if candidate.id in c.candidate_ids]
                # the last round orders the failing tests fastest-failing first
                assert [sorted(c.test_ids) for c in verifier.calls] == [sorted(r) for r in runs]


def test_with_feedback_every_failing_test_runs_and_a_partial_fix_runs_the_tests_it_reaches(
) -> None:
    verifier, verdict = engine_path(partial("half", 3), feedback=True)
    assert [(c.test_ids, c.fail_fast) for c in verifier.calls] == [
        ((SLOW, FAST), False), ((NEAR,), True)]  # FAR does not reach line 3: not run
    assert (verdict.outcome(FAST), verdict.outcome(SLOW)) == (Outcome.PASSED, Outcome.FAILED)
    assert verdict.outcome(FAR) == Outcome.MISSING
    _, broke = engine_path(partial("half-breaks-near", 3), feedback=True)
    assert broke.outcome(NEAR) == Outcome.FAILED  # not a partial fix for the next round


def test_in_the_last_round_the_first_failure_stops_and_partial_fixes_run_nothing_more() -> None:
    verifier, verdict = engine_path(partial("half", 3), feedback=False)
    assert [(c.test_ids, c.fail_fast) for c in verifier.calls] == [((FAST, SLOW), True)]
    assert verdict.outcome(SLOW) == Outcome.FAILED
    verifier, _ = engine_path(edit("wrong", 3), feedback=False)
    assert verifier.calls[0].test_ids == (FAST, SLOW)
    assert sum(verifier.durations["wrong"]) == 0.25  # stopped at the first failing test


@pytest.mark.docker
@pytest.mark.parametrize("instance", ["dijkstra-relax", "sieve-upper"])
def test_the_engines_path_gives_todays_plausible_verdicts_in_real_containers(
    docker_client, instance: str
) -> None:
    """The search generator's first 16 candidates of a classic program with two failing tests,
    verified today's way and the engine's way (with and without partial-fix feedback) on one
    warm pool: the same plausible set, and every plausible candidate's outcomes the same."""
    from pathlib import Path

    from sandbox import SandboxConfig, SandboxPool
    from sandbox.environment import prepare
    from solver.harness.bench_verify_setup import candidates_for
    from tasks.load import load_tasks

    (task,) = [t for t in load_tasks(Path("tasks/classic")).tasks if t.instance_id == instance]
    config = SandboxConfig(test_timeout_s=5, run_timeout_s=60)

    async def paths() -> dict[str, list[Verdict]]:
        env = await anyio.to_thread.run_sync(lambda: prepare(docker_client, task))
        made = await candidates_for(docker_client, task, env, config, 16, None)
        async with SandboxPool(env.image, env.spec, config, client=docker_client) as pool:
            out = {"today": await verify_candidates(pool, task, made.candidates, Ledger())}
            for feedback in (True, False):
                out[f"engine-{feedback}"] = [
                    await verify_one(pool, task, c, made.plan, Ledger(), feedback=feedback)
                    for c in made.candidates]
            return out

    verdicts = anyio.run(paths)
    plausible = {name: [v.candidate_id for v in vs if is_plausible(task, v)]
                 for name, vs in verdicts.items()}
    assert plausible["today"]  # not vacuous: round 0 finds a fix
    assert plausible["engine-True"] == plausible["engine-False"] == plausible["today"]
    tests = [*task.fail_to_pass, *task.pass_to_pass]
    for name in ("engine-True", "engine-False"):
        for old, new in zip(verdicts["today"], verdicts[name], strict=True):
            if is_plausible(task, old):
                assert {t: new.outcome(t) for t in tests} == {t: old.outcome(t) for t in tests}
