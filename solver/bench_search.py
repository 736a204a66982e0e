"""`solver bench search`: the offline generator over a task suite, for every width × depth.

    per task: environment + pool + localization once ─► per (K, D) cell: a fresh generator,
              the engine (no state carried between cells) ─► CellRun
    per cell: tasks fixed plausibly / correctly, time to the first plausible patch, candidates

Cells of one task run one after another on the same warm pool, so they compete for no cores.
Time to the first plausible patch counts the task's localization run, then the engine up to the
end of the verification that made a candidate plausible.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sandbox import SandboxConfig, SandboxPool, Verdict
    from solver.engine import Result
    from solver.search import Location
    from tasks.model import Task

Log = Callable[[str], None]
Cell = tuple[int, int]
"""(width, depth)."""


@dataclass(frozen=True)
class CellRun:
    """One task solved in one (width, depth) cell."""

    instance_id: str
    width: int
    depth: int
    single_location: bool
    plausible: bool
    correct: bool | None
    oracle_correct: bool | None
    first_plausible_s: float | None
    """Localization plus engine seconds until a plausible candidate's verdict was in."""
    candidates: int
    wall_s: float
    error: str = ""


class TimedPool:
    """A `SandboxPool` that notes when each candidate's latest verification ended."""

    def __init__(self, pool: SandboxPool, start: float) -> None:
        self.pool = pool
        self.start = start
        self.done_at: dict[str, float] = {}

    async def verify_many(
        self, diffs: Sequence[tuple[str, str]], test_ids: Sequence[str] = (), *,
        fail_fast: bool = False,
    ) -> list[Verdict]:
        verdicts = await self.pool.verify_many(diffs, test_ids, fail_fast=fail_fast)
        now = time.monotonic() - self.start
        self.done_at.update({candidate_id: now for candidate_id, _ in diffs})
        return verdicts

    def __getattr__(self, name: str) -> Any:
        return getattr(self.pool, name)


def first_plausible_s(result: Result, done_at: dict[str, float]) -> float | None:
    times = [done_at[c.id] for c in result.candidates if c.verdict.plausible and c.id in done_at]
    return min(times, default=None)


async def bench_task(
    task: Task, cells: Sequence[Cell], config: SandboxConfig, max_seconds: float,
    log: Log = lambda _: None,
) -> list[CellRun]:
    """Every cell on `task`: one environment, pool and localization, a fresh engine per cell."""
    import anyio

    from sandbox import SandboxPool, Session, docker_client
    from sandbox.environment import prepare
    from solver.localization import localize_with_baseline

    client = docker_client()
    try:
        env = await anyio.to_thread.run_sync(lambda: prepare(client, task))
        async with SandboxPool(env.image, env.spec, config, client=client) as pool:
            start = time.monotonic()
            with Session(client, env.image, pool.config, env.spec) as session:
                located = await anyio.to_thread.run_sync(localize_with_baseline, session, task)
            located_s = time.monotonic() - start
            await pool.warm()
            files = read_files(task)
            runs = []
            for width, depth in cells:
                runs.append(await run_cell(
                    task, pool, files, located, (width, depth), located_s, max_seconds))
                log(describe(runs[-1]))
            return runs
    finally:
        client.close()


def read_files(task: Task) -> dict[str, str]:
    from solver.search_generator import read_source_files

    return read_source_files(task)


async def run_cell(
    task: Task, pool: SandboxPool, files: dict[str, str],
    located: tuple[list[Location], dict[str, str]], cell: Cell, located_s: float,
    max_seconds: float,
) -> CellRun:
    from solver.engine import solve
    from solver.search_generator import SearchGenerator
    from solver.types import Budget

    width, depth = cell
    budget = Budget(width=width, depth=depth, max_seconds=max(max_seconds - located_s, 0.0))
    start = time.monotonic()
    timed = TimedPool(pool, start)
    generator = SearchGenerator(files, located[0], baseline=located[1])
    result = await solve(task, generator, timed, budget)  # type: ignore[arg-type]
    first = first_plausible_s(result, timed.done_at)
    return CellRun(
        instance_id=task.instance_id, width=width, depth=depth,
        single_location=task.locations == 1, plausible=result.plausible, correct=result.correct,
        oracle_correct=result.oracle_correct,
        first_plausible_s=None if first is None else round(first + located_s, 2),
        candidates=len(result.candidates), wall_s=round(time.monotonic() - start + located_s, 2),
    )


def describe(run: CellRun) -> str:
    mark = "correct" if run.correct else "plausible" if run.plausible else "unsolved"
    when = f" at {run.first_plausible_s}s" if run.first_plausible_s is not None else ""
    return (f"{run.instance_id} K={run.width} D={run.depth}: {mark}{when}, "
            f"{run.candidates} candidate(s), {run.wall_s}s{' ' + run.error if run.error else ''}")


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-quantile (nearest rank) of `values`, None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 1))
    return ordered[int(rank) - 1]


def summarize_cell(runs: Sequence[CellRun], within_s: float) -> dict[str, Any]:
    """The figures of one (width, depth) cell over every task."""
    single = [r for r in runs if r.single_location]
    times = [r.first_plausible_s for r in runs if r.first_plausible_s is not None]
    return {
        "width": runs[0].width, "depth": runs[0].depth, "tasks": len(runs),
        "plausible": sum(r.plausible for r in runs),
        "correct": sum(bool(r.correct) for r in runs),
        "single_tasks": len(single),
        "single_correct": sum(bool(r.correct) for r in single),
        "single_correct_within": sum(
            bool(r.correct) and (r.first_plausible_s or 0.0) <= within_s for r in single),
        "multi_correct": sum(bool(r.correct) for r in runs if not r.single_location),
        "oracle_correct": sum(bool(r.oracle_correct) for r in runs),
        "first_plausible_median_s": _rounded(statistics.median(times) if times else None),
        "first_plausible_p90_s": _rounded(percentile(times, 0.9)),
        "candidates_median": statistics.median([r.candidates for r in runs]) if runs else 0,
        "errors": sum(bool(r.error) for r in runs),
    }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def summarize(runs: Iterable[CellRun], within_s: float) -> list[dict[str, Any]]:
    by_cell: dict[Cell, list[CellRun]] = {}
    for run in runs:
        by_cell.setdefault((run.width, run.depth), []).append(run)
    return [summarize_cell(by_cell[cell], within_s) for cell in sorted(by_cell)]


def load_done(out: Path | None) -> list[CellRun]:
    """Cell runs a previous (interrupted) run appended to `out`."""
    if out is None or not out.exists():
        return []
    lines = out.read_text(encoding="utf-8").splitlines()
    return [CellRun(**json.loads(line)) for line in lines if line.strip()]


async def run_bench(
    tasks: Sequence[Task], cells: Sequence[Cell], config: SandboxConfig, max_seconds: float,
    out: Path | None = None, log: Log = lambda _: None,
) -> list[CellRun]:
    """Every task × cell; with `out`, each finished cell is appended there and skipped when the
    bench is run again."""
    runs = load_done(out)
    done = {(r.instance_id, r.width, r.depth) for r in runs}
    for task in tasks:
        todo = [c for c in cells if (task.instance_id, *c) not in done]
        if not todo:
            continue
        try:
            fresh = await bench_task(task, todo, config, max_seconds, log)
        except Exception as exc:  # one broken task must not end a long bench
            log(f"{task.instance_id}: {type(exc).__name__}: {exc}")
            fresh = [failed_run(task, cell, f"{type(exc).__name__}: {exc}") for cell in todo]
        runs += fresh
        if out is not None:
            with out.open("a", encoding="utf-8") as fh:
                fh.writelines(json.dumps(asdict(r)) + "\n" for r in fresh)
    wanted, ids = set(cells), {t.instance_id for t in tasks}
    return [r for r in runs if (r.width, r.depth) in wanted and r.instance_id in ids]


def failed_run(task: Task, cell: Cell, error: str) -> CellRun:
    return CellRun(
        instance_id=task.instance_id, width=cell[0], depth=cell[1],
        single_location=task.locations == 1, plausible=False, correct=None, oracle_correct=None,
        first_plausible_s=None, candidates=0, wall_s=0.0, error=error[:300],
    )


def per_task(runs: Iterable[CellRun]) -> dict[str, dict[str, str]]:
    """Per task and cell: C (correct), P (plausible only), - (unsolved), E (error)."""
    table: dict[str, dict[str, str]] = {}
    for run in runs:
        mark = "E" if run.error else "C" if run.correct else "P" if run.plausible else "-"
        table.setdefault(run.instance_id, {})[f"{run.width}x{run.depth}"] = mark
    return table
