"""`solver bench search`: the offline generator over a task suite, for every width × depth.

    per task: environment + pool + localization once ─► per (K, D) cell: a fresh generator,
              the engine (no state carried between cells) ─► CellRun, appended to `out` at once
    per cell: tasks fixed plausibly / correctly, time to the first plausible patch, candidates

Cells of one task run one after another on the same warm pool, so they compete for no cores.
Time to the first plausible patch counts the task's localization run, then the engine up to the
end of the verification that made a candidate plausible.

A watchdog bounds every task: its setup (environment, localization) and each of its cells get
`task_timeout` seconds of wall time; past it the cell is recorded as failed with the error
"timeout" and the bench goes on.

Correct: the task's held-back tests pass with the winner. Tasks without any (the synthesized
ones) are judged on held-out tests instead: every test of the failing tests' files that passes
with the reference patch must pass with the winner (visible tests sample those files).
`exact` says whether the winner's code is the reference's (same AST), a stricter lower bound.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from solver.harness.bench_check import WinnerCheck
from solver.harness.bench_table import (
    TIMEOUT,
    Cell,
    CellRun,
    append_run,
    describe,
    failed_run,
    load_done,
)

if TYPE_CHECKING:
    from sandbox import SandboxConfig, SandboxPool, Session, Verdict
    from solver.analysis import Location, Spectrum
    from solver.deciding import DecisionPlan
    from solver.engine import Result
    from solver.types import Candidate
    from tasks.model import Task

Log = Callable[[str], None]


@dataclass(frozen=True)
class Localized:
    """What one coverage run tells the search: ranked lines, the failures before any edit,
    and the per-test spectrum (so partial fixes can be relocated by what still fails)."""

    locations: list[Location]
    baseline: dict[str, str]
    spectrum: Spectrum | None
    plan: DecisionPlan
    """The failing tests' order and what each test reaches (solver/deciding.py)."""


class TimedVerifier:
    """A `Verifier` over the pool that notes when each candidate's latest verification ended
    (seconds since `start`). A run stops at the first test that times out (a looping candidate
    costs one test timeout, not one per failing test; a plausible candidate has none)."""

    def __init__(self, pool: SandboxPool, start: float) -> None:
        self.pool = pool
        self.start = start
        self.done_at: dict[str, float] = {}

    async def verify(
        self, candidates: Sequence[Candidate], test_ids: Sequence[str], *, fail_fast: bool = False,
    ) -> list[Verdict]:
        verdicts = await self.pool.verify(candidates, test_ids, fail_fast=fail_fast,
                                          stop_on_timeout=test_ids)
        self.done_at.update({c.id: self.elapsed() for c in candidates})
        return verdicts

    async def verify_with(
        self, candidate: Candidate, test_ids: Sequence[str], *, extra_patch: str,
    ) -> Verdict:
        return await self.pool.verify_with(candidate, test_ids, extra_patch=extra_patch)

    @property
    def capacity(self) -> int:
        return self.pool.capacity

    def elapsed(self) -> float:
        return time.monotonic() - self.start


def first_plausible_s(result: Result, done_at: dict[str, float]) -> float | None:
    times = [done_at[c.id] for c in result.candidates if c.verdict.plausible and c.id in done_at]
    return min(times, default=None)


def localize_for_search(session: Session, task: Task, limit: int = 50) -> Localized:
    """`solver.analysis.localization.localize_with_baseline`, keeping the spectrum it ranks from."""
    from solver.analysis.failures import failures_of
    from solver.analysis.localization import REPO_ROOT, rank
    from solver.deciding import DecisionPlan

    coverage = session.collect_coverage([*task.fail_to_pass, *task.pass_to_pass])
    verdict = coverage.verdict
    baseline = failures_of(verdict, task.fail_to_pass)
    spectrum = read_spectrum(coverage.data, verdict, REPO_ROOT)
    return Localized(rank(coverage.data, verdict, limit), baseline, spectrum,
                     DecisionPlan.of(task, verdict, spectrum))


def read_spectrum(data: bytes | None, verdict: Verdict, repo_root: str) -> Spectrum | None:
    from sandbox import Outcome
    from solver.analysis import spectrum_from_coverage

    if data is None:
        return None
    outcomes = {t: r.outcome == Outcome.PASSED for t, r in verdict.tests.items()}
    with tempfile.TemporaryDirectory(prefix="solver-cov-") as tmp:
        data_file = Path(tmp) / ".coverage"
        data_file.write_bytes(data)
        try:
            return spectrum_from_coverage(data_file, outcomes, repo_root)
        except ValueError:
            return None


async def bench_task(
    task: Task, cells: Sequence[Cell], config: SandboxConfig, max_seconds: float,
    record: Callable[[CellRun], None], task_timeout: float = 300.0, log: Log = lambda _: None,
    trajectories: Path | None = None,
) -> None:
    """Every cell on `task`: one environment, pool and localization, a fresh engine per cell;
    each cell's run goes to `record` as it ends. Setup and every cell are bounded by
    `task_timeout` (a setup past it raises TimeoutError; a cell past it is recorded failed)."""
    import anyio

    from sandbox import SandboxPool, Session, docker_client
    from sandbox.environment import prepare

    client = docker_client()
    try:
        with anyio.fail_after(task_timeout):
            env = await anyio.to_thread.run_sync(
                lambda: prepare(client, task), abandon_on_cancel=True)
        async with SandboxPool(env.image, env.spec, config, client=client) as pool:
            start = time.monotonic()
            with anyio.fail_after(task_timeout):
                with Session(client, env.image, pool.config, env.spec) as session:
                    located = await anyio.to_thread.run_sync(
                        localize_for_search, session, task, abandon_on_cancel=True)
                located_s = time.monotonic() - start
                await pool.warm()
                files = await anyio.to_thread.run_sync(read_files, task, abandon_on_cancel=True)
            check = WinnerCheck(task, pool, files)
            for cell in cells:
                run = await run_cell_watched(
                    task, pool, files, located, cell, located_s, max_seconds, task_timeout,
                    check, trajectories)
                record(run)
                log(describe(run))
    finally:
        client.close()


def read_files(task: Task) -> dict[str, str]:
    from solver.analysis.sources import read_source_files

    return read_source_files(task)


async def run_cell_watched(
    task: Task, pool: SandboxPool, files: dict[str, str], located: Localized, cell: Cell,
    located_s: float, max_seconds: float, task_timeout: float, check: WinnerCheck | None,
    trajectories: Path | None = None,
) -> CellRun:
    """`run_cell` under the watchdog: past `task_timeout` the cell is a failed run."""
    import anyio

    start = time.monotonic()
    with anyio.move_on_after(task_timeout):
        return await run_cell(task, pool, files, located, cell, located_s, max_seconds, check,
                              trajectories)
    wall = time.monotonic() - start + located_s
    return failed_run(task, cell, TIMEOUT, wall_s=round(wall, 2))


async def run_cell(
    task: Task, pool: SandboxPool, files: dict[str, str], located: Localized, cell: Cell,
    located_s: float, max_seconds: float, check: WinnerCheck | None = None,
    trajectories: Path | None = None,
) -> CellRun:
    import anyio

    from solver.engine import solve
    from solver.generators.search.generator import SearchGenerator
    from solver.selection.prober import SandboxProbe
    from solver.types import Budget

    width, depth = cell
    start = time.monotonic()
    timed = TimedVerifier(pool, start)
    generator = await anyio.to_thread.run_sync(
        lambda: SearchGenerator(files, located.locations, baseline=located.baseline,
                                spectrum=located.spectrum), abandon_on_cancel=True)
    before = located_s + time.monotonic() - start  # localization, the generator's set-up
    budget = Budget(width=width, depth=depth, max_seconds=max(max_seconds - before, 0.0))
    result = await solve(task, generator, timed, budget, probe=SandboxProbe(pool, files),
                         plan=located.plan)
    wall = before + result.ledger.wall_s  # the held-back check (grading) is not the run's
    held_back = result.ledger.stages.get("held_back")
    first = first_plausible_s(result, timed.done_at)
    if trajectories is not None:
        write_trajectory(trajectories, task.instance_id, cell, result)
    correct, correct_by = result.correct, "hidden" if task.hidden_tests else ""
    exact = None
    if check is not None and result.patch:
        exact = check.exact(result.patch)
        if not task.hidden_tests:
            correct, correct_by = await check.held_out(result.patch), "held-out"
    return CellRun(
        instance_id=task.instance_id, width=width, depth=depth,
        single_location=task.locations == 1, plausible=result.plausible, correct=correct,
        oracle_correct=result.oracle_correct,
        first_plausible_s=None if first is None else round(first + located_s, 2),
        candidates=len(result.candidates), wall_s=round(wall, 2), exact=exact,
        correct_by=correct_by if correct is not None else "",
        grade_s=round(held_back.seconds if held_back else 0.0, 2),
        unverified=result.unverified,
    )


def write_trajectory(folder: Path, instance_id: str, cell: Cell, result: Result) -> None:
    """The cell's candidates, one JSON line each, as `solver solve --out` writes them."""
    target = folder / instance_id / f"{cell[0]}x{cell[1]}.jsonl"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("".join(c.model_dump_json() + "\n" for c in result.candidates),
                      encoding="utf-8")


async def run_bench(
    tasks: Sequence[Task], cells: Sequence[Cell], config: SandboxConfig, max_seconds: float,
    out: Path | None = None, log: Log = lambda _: None, task_timeout: float = 300.0,
    trajectories: Path | None = None,
) -> list[CellRun]:
    """Every task × cell; with `out`, each finished cell is appended there and skipped when the
    bench is run again. A task that fails or times out still leaves one run per cell."""
    runs = load_done(out)
    done = {(r.instance_id, r.width, r.depth) for r in runs}
    for task in tasks:
        todo = [c for c in cells if (task.instance_id, *c) not in done]
        if not todo:
            continue

        def record(run: CellRun) -> None:
            runs.append(run)
            done.add((run.instance_id, run.width, run.depth))
            if out is not None:
                append_run(out, run)

        error = "not run"
        try:
            await bench_task(task, todo, config, max_seconds, record, task_timeout, log,
                             trajectories)
        except Exception as exc:  # one broken or hung task must not end a long bench
            error = TIMEOUT if isinstance(exc, TimeoutError) else f"{type(exc).__name__}: {exc}"
            log(f"{task.instance_id}: {error}")
        for cell in todo:
            if (task.instance_id, *cell) not in done:
                record(failed_run(task, cell, error))
    wanted, ids = set(cells), {t.instance_id for t in tasks}
    return [r for r in runs if (r.width, r.depth) in wanted and r.instance_id in ids]
