"""`solver bench verify`: candidates verified per sandbox-minute, per verification path, on the
same candidates, with a check that the verdicts that decide are the same on every path.

    per task: environment ─► one coverage run (localization, the base tree's failures and their
              durations, the per-test coverage map) ─► the search generator's first round
              (`--width` candidates: the candidates every path gets)
    per path, a one-container pool (serial: sandbox seconds are wall seconds); the paths take
    turns candidate by candidate, so the machine's load falls on all alike:
      today        engine.verify_candidates: FAIL_TO_PASS, then PASS_TO_PASS where one moved
      decide       solver.deciding without partial-fix feedback (`decide_feedback`: false, the
                   last round's policy): fastest-failing first, first failure stops, narrowed
                   PASS_TO_PASS, today's PASS_TO_PASS run before a candidate can be plausible
      warm         today's runs as forks of the warm test process (SandboxConfig.warm_process)
      decide+warm  both
      naive        the first `--naive` candidates, each in a fresh container running the whole
                   test files of its task (the SWE-bench harness's way)

Identical verdicts: every candidate is plausible on a path exactly when it is on today's, a
plausible candidate's per-test outcomes over FAIL_TO_PASS + PASS_TO_PASS are today's (what the
tournament and the winner's record read), every test both paths ran has one outcome, and a
rejection rests on a test that did not pass on both or on neither. Naive is compared on the
candidates it ran.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sandbox.verdict import Outcome, Verdict
from solver.feedback import is_plausible

if TYPE_CHECKING:
    from sandbox import SandboxConfig, SandboxPool
    from solver.types import Candidate
    from tasks.model import Task

Log = Callable[[str], None]
PATHS = ("today", "decide", "warm", "decide+warm")
PHASES = ("overhead_s", "start_s", "collect_s", "tests_s")


class Recording:
    """A `Verifier` over the pool keeping every run's verdict (a candidate may have several)."""

    def __init__(self, pool: SandboxPool) -> None:
        self.pool = pool
        self.runs: list[Verdict] = []

    async def verify(
        self, candidates: Sequence[Candidate], test_ids: Sequence[str], *, fail_fast: bool = False,
    ) -> list[Verdict]:
        verdicts = await self.pool.verify(candidates, test_ids, fail_fast=fail_fast)
        self.runs.extend(verdicts)
        return verdicts

    async def verify_with(
        self, candidate: Candidate, test_ids: Sequence[str], *, extra_patch: str,
    ) -> Verdict:
        return await self.pool.verify_with(candidate, test_ids, extra_patch=extra_patch)


@dataclass
class PathRun:
    """One path over a task's candidates: the final verdicts and every run's seconds."""

    verdicts: list[Verdict]
    runs: list[Verdict] = field(default_factory=list)
    seconds: float = 0.0
    """Sandbox seconds: the runs' host-side durations (naive: create to remove)."""

    def figures(self) -> dict[str, Any]:
        count = len(self.verdicts)
        split = {p: round(sum(phase_of(r, p) for r in self.runs) / max(count, 1), 4)
                 for p in PHASES}
        return {"candidates": count, "sandbox_s": round(self.seconds, 3),
                "per_minute": rate(count, self.seconds), "runs": len(self.runs),
                "warm_runs": sum(r.phases.get("warm") == 1.0 for r in self.runs),
                "per_candidate_s": split}


def phase_of(run: Verdict, phase: str) -> float:
    if phase == "overhead_s":
        return max(run.duration_s - run.runner_s, 0.0)
    return run.phases.get(phase, 0.0)


def rate(candidates: int, seconds: float) -> float:
    return round(candidates * 60.0 / seconds, 2) if seconds > 0 else 0.0


def decisive(task: Task, verdict: Verdict) -> tuple[bool, dict[str, Outcome]]:
    """What the tournament reads: plausible or not, and a plausible one's outcomes."""
    plausible = is_plausible(task, verdict)
    tests = [*task.fail_to_pass, *task.pass_to_pass]
    return plausible, ({t: verdict.outcome(t) for t in tests} if plausible else {})


def agree(task: Task, a: Verdict, b: Verdict) -> bool:
    """Same decision, the same outcome on every test both ran, and a test that did not pass
    behind every rejection on one path exactly when on the other (a run that crashed before
    any test is not a rejection like a failing test)."""
    if decisive(task, a) != decisive(task, b):
        return False
    ran_a, ran_b = ({t: r.outcome for t, r in v.tests.items() if r.outcome != Outcome.MISSING}
                    for v in (a, b))
    if any(ran_a[t] != ran_b[t] for t in ran_a.keys() & ran_b.keys()):
        return False
    ok = (Outcome.PASSED, Outcome.SKIPPED)
    return any(o not in ok for o in ran_a.values()) == any(o not in ok for o in ran_b.values())


def mismatches(task: Task, ids: Sequence[str], reference: PathRun, other: PathRun) -> list[str]:
    return [cid for cid, a, b in zip(ids, reference.verdicts, other.verdicts, strict=False)
            if not agree(task, a, b)]


async def run_paths(
    task: Task, image: str, spec: Any, config: SandboxConfig, candidates: Sequence[Candidate],
    plan: Any, naive: int,
) -> dict[str, PathRun]:
    """Every path on one warm container of its own, and naive on the first `naive` candidates;
    candidate by candidate the paths take turns, so the machine's load falls on all alike."""
    from contextlib import AsyncExitStack

    import anyio

    from sandbox import SandboxPool
    from solver.deciding import verify_deciding
    from solver.engine import verify_candidates
    from solver.types import Ledger

    runs = {name: PathRun([]) for name in (*PATHS, "naive")}
    async with AsyncExitStack() as stack:
        recordings = {}
        for name in PATHS:
            pool = await stack.enter_async_context(SandboxPool(image, spec, config.model_copy(
                update={"capacity": 1, "warm_process": "warm" in name})))
            await pool.warm(1)
            recordings[name] = Recording(pool)
        for index, candidate in enumerate(candidates):
            if index < naive:
                await anyio.to_thread.run_sync(lambda c=candidate: run_naive(  # type: ignore[misc]
                    task, image, spec, config, c, runs["naive"]))
            for name, recording in recordings.items():
                if "decide" in name:
                    verdicts = await verify_deciding(recording, task, [candidate], plan, Ledger())
                else:
                    verdicts = await verify_candidates(recording, task, [candidate], Ledger())
                runs[name].verdicts.extend(verdicts)
    for name, recording in recordings.items():
        runs[name].runs = recording.runs
        runs[name].seconds = sum(r.duration_s for r in recording.runs)
    return runs


def run_naive(task: Task, image: str, spec: Any, config: SandboxConfig, candidate: Candidate,
              run: PathRun) -> None:
    """A fresh container for one candidate, the whole test files, no early stop."""
    from sandbox import Session, docker_client
    from tasks.paths import test_file_of

    files = sorted({f for t in [*task.fail_to_pass, *task.pass_to_pass]
                    if (f := test_file_of(t)) is not None})
    client = docker_client()
    cold = config.model_copy(update={"warm_process": False})  # the harness starts pytest anew
    try:
        start = time.monotonic()
        with Session(client, image, cold, spec) as session:
            verdict = session.verify(candidate.diff, files, candidate_id=candidate.id)
        seconds = time.monotonic() - start
    finally:
        client.close()
    run.seconds += seconds
    run.verdicts.append(verdict)
    run.runs.append(verdict.model_copy(update={"duration_s": seconds}))


async def bench_task(
    task: Task, config: SandboxConfig, width: int, naive: int, repos_dir: Any, log: Log,
) -> dict[str, Any]:
    import anyio

    from sandbox import docker_client
    from sandbox.environment import prepare
    from solver.harness.bench_verify_setup import candidates_for

    client = docker_client()
    try:
        env = await anyio.to_thread.run_sync(lambda: prepare(client, task, repos_dir, log=log))
        config = env.sandbox_config(config)
        made = await candidates_for(client, task, env, config, width, repos_dir)
    finally:
        client.close()
    ids = [c.id for c in made.candidates]
    log(f"{task.instance_id}: {len(ids)} candidates (search round 0, width {width})")
    paths = await run_paths(task, env.image, env.spec, config, made.candidates, made.plan,
                            naive)
    for name, run in paths.items():
        log(f"{task.instance_id}: {name}: {run.figures()['per_minute']} per minute "
            f"({run.seconds:.1f} s, load {load()})")
    today = paths["today"]
    differ = {name: mismatches(task, ids, today, run) for name, run in paths.items()
              if name != "today"}
    return {"instance_id": task.instance_id, "candidates": len(ids),
            "candidate_source": f"search generator, round 0, width {width}",
            "plausible": sum(decisive(task, v)[0] for v in today.verdicts),
            "paths": {name: run.figures() for name, run in paths.items()},
            "mismatches": {k: v for k, v in differ.items() if v},
            "verdicts_identical": not any(differ.values())}


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def summarize(tasks: list[dict[str, Any]], best: str = "decide+warm") -> dict[str, Any]:
    """Totals per path (candidates over sandbox minutes, summed over tasks) and the ratios."""
    totals: dict[str, dict[str, float]] = {}
    for name in (*PATHS, "naive"):
        count = sum(t["paths"][name]["candidates"] for t in tasks)
        seconds = sum(t["paths"][name]["sandbox_s"] for t in tasks)
        totals[name] = {"candidates": count, "sandbox_s": round(seconds, 2),
                        "per_minute": rate(count, seconds)}

    def ratio(a: str, b: str) -> float:
        low = totals[b]["per_minute"]
        return round(totals[a]["per_minute"] / low, 2) if low else 0.0

    return {"paths": totals, "best": best, "decide_feedback": False,
            "speedup_vs_today": ratio(best, "today"), "speedup_vs_naive": ratio(best, "naive"),
            "today_vs_naive": ratio("today", "naive"),
            "per_technique_vs_today": {n: ratio(n, "today") for n in PATHS if n != "today"},
            "verdicts_identical": all(t["verdicts_identical"] for t in tasks)}


async def run_bench(
    tasks: Sequence[Task], config: SandboxConfig, width: int, naive: int, repos_dir: Any,
    log: Log,
) -> dict[str, Any]:
    done: list[dict[str, Any]] = []
    errors: dict[str, str] = {}
    started = load()
    for task in tasks:
        try:
            done.append(await bench_task(task, config, width, naive, repos_dir, log))
        except Exception as exc:  # one broken task must not end the bench
            errors[task.instance_id] = f"{type(exc).__name__}: {exc}"
            log(f"{task.instance_id}: {errors[task.instance_id]}")
    summary = summarize(done) if done else {"verdicts_identical": False,
                                            "speedup_vs_today": 0.0, "speedup_vs_naive": 0.0}
    return {**summary, "tasks": done, "errors": errors,
            "load_average": {"start": started, "end": load()}}
