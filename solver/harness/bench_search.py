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

import json
import statistics
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, fields
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sandbox import SandboxConfig, SandboxPool, Session, Verdict
    from solver.analysis import Location, Spectrum
    from solver.engine import Result
    from tasks.model import Task

Log = Callable[[str], None]
Cell = tuple[int, int]
"""(width, depth)."""
TIMEOUT = "timeout"
"""The error of a cell the watchdog ended."""


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
    exact: bool | None = None
    """The winner's code is the reference patch's (same AST); None: no winner."""
    correct_by: str = ""
    """What `correct` rests on: "hidden" (held-back tests), "held-out" (the failing tests'
    files run whole), or "" (not judged)."""


@dataclass(frozen=True)
class Localized:
    """What one coverage run tells the search: ranked lines, the failures before any edit,
    and the per-test spectrum (so partial fixes can be relocated by what still fails)."""

    locations: list[Location]
    baseline: dict[str, str]
    spectrum: Spectrum | None


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


def localize_for_search(session: Session, task: Task, limit: int = 50) -> Localized:
    """`solver.analysis.localization.localize_with_baseline`, keeping the spectrum it ranks from."""
    from solver.analysis.failures import failures_of
    from solver.analysis.localization import REPO_ROOT, rank

    coverage = session.collect_coverage([*task.fail_to_pass, *task.pass_to_pass])
    verdict = coverage.verdict
    baseline = failures_of(verdict, task.fail_to_pass)
    return Localized(rank(coverage.data, verdict, limit), baseline,
                     read_spectrum(coverage.data, verdict, REPO_ROOT))


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
            judge = Judge(task, pool, files)
            for cell in cells:
                run = await run_cell_watched(
                    task, pool, files, located, cell, located_s, max_seconds, task_timeout,
                    judge, trajectories)
                record(run)
                log(describe(run))
    finally:
        client.close()


def read_files(task: Task) -> dict[str, str]:
    from solver.analysis.sources import read_source_files

    return read_source_files(task)


async def run_cell_watched(
    task: Task, pool: SandboxPool, files: dict[str, str], located: Localized, cell: Cell,
    located_s: float, max_seconds: float, task_timeout: float, judge: Judge,
    trajectories: Path | None = None,
) -> CellRun:
    """`run_cell` under the watchdog: past `task_timeout` the cell is a failed run."""
    import anyio

    start = time.monotonic()
    with anyio.move_on_after(task_timeout):
        return await run_cell(task, pool, files, located, cell, located_s, max_seconds, judge,
                              trajectories)
    wall = time.monotonic() - start + located_s
    return failed_run(task, cell, TIMEOUT, wall_s=round(wall, 2))


async def run_cell(
    task: Task, pool: SandboxPool, files: dict[str, str], located: Localized, cell: Cell,
    located_s: float, max_seconds: float, judge: Judge | None = None,
    trajectories: Path | None = None,
) -> CellRun:
    import anyio

    from solver.engine import solve
    from solver.generators.search.generator import SearchGenerator
    from solver.types import Budget

    width, depth = cell
    budget = Budget(width=width, depth=depth, max_seconds=max(max_seconds - located_s, 0.0))
    start = time.monotonic()
    timed = TimedPool(pool, start)
    generator = await anyio.to_thread.run_sync(
        lambda: SearchGenerator(files, located.locations, baseline=located.baseline,
                                spectrum=located.spectrum), abandon_on_cancel=True)
    result = await solve(task, generator, timed, budget, files=files)  # type: ignore[arg-type]
    wall = time.monotonic() - start + located_s
    first = first_plausible_s(result, timed.done_at)
    if trajectories is not None:
        write_trajectory(trajectories, task.instance_id, cell, result)
    correct, correct_by = result.correct, "hidden" if task.hidden_tests else ""
    exact = None
    if judge is not None and result.patch:
        exact = judge.exact(result.patch)
        if not task.hidden_tests:
            correct, correct_by = await judge.held_out(result.patch), "held-out"
    return CellRun(
        instance_id=task.instance_id, width=width, depth=depth,
        single_location=task.locations == 1, plausible=result.plausible, correct=correct,
        oracle_correct=result.oracle_correct,
        first_plausible_s=None if first is None else round(first + located_s, 2),
        candidates=len(result.candidates), wall_s=round(wall, 2), exact=exact,
        correct_by=correct_by if correct is not None else "",
    )


def write_trajectory(folder: Path, instance_id: str, cell: Cell, result: Result) -> None:
    """The cell's candidates, one JSON line each, as `solver solve --out` writes them."""
    target = folder / instance_id / f"{cell[0]}x{cell[1]}.jsonl"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("".join(c.model_dump_json() + "\n" for c in result.candidates),
                      encoding="utf-8")


class Judge:
    """How right a winner is beyond the visible tests: held-out tests and the reference code."""

    RUN_TIMEOUT_S = 300.0
    """Whole test files may take longer than one candidate's run is allowed."""

    def __init__(self, task: Task, pool: SandboxPool, files: dict[str, str]) -> None:
        self.task = task
        self.pool = pool
        self.files = files
        self.reference: set[str] | None = None
        self.test_files = sorted({t.split("::", 1)[0] for t in task.fail_to_pass})

    async def held_out(self, diff: str) -> bool | None:
        """Every test of the failing tests' files that passes with the reference patch passes
        with `diff` (None: no reference patch, it passes nothing there, or a run could not be
        trusted)."""
        from sandbox import Outcome

        if not self.task.patch or not self.test_files:
            return None
        if self.reference is None:
            gold = await self.run(self.task.patch)
            self.reference = set() if gold is None else {
                t for t, r in gold.tests.items() if r.outcome == Outcome.PASSED}
        if not self.reference:
            return None
        verdict = await self.run(diff)
        return None if verdict is None else verdict.passed(sorted(self.reference))

    async def run(self, diff: str) -> Verdict | None:
        """The failing tests' files, whole, with `diff`, in a session of its own with a longer
        deadline; None where the run timed out or is not to be trusted."""
        import anyio

        from sandbox import Session

        config = self.pool.config.model_copy(update={"run_timeout_s": self.RUN_TIMEOUT_S})

        def run() -> Verdict:
            with Session(self.pool.client, self.pool.image, config, self.pool.spec) as session:
                return session.verify(diff, self.test_files, candidate_id="held-out")

        verdict = await anyio.to_thread.run_sync(run, abandon_on_cancel=True)
        if not verdict.applied or verdict.reason or verdict.timed_out:
            return None
        return verdict

    def exact(self, diff: str) -> bool | None:
        """Whether `diff` leaves the code the reference patch leaves (same AST per file)."""
        ours = patched(self.files, diff)
        if ours is None or self.gold is None:
            return None
        return normalized(self.files, ours) == self.gold

    @cached_property
    def gold(self) -> dict[str, str | None] | None:
        """The reference patch's files, normalized (once per task, not once per cell)."""
        changed = patched(self.files, self.task.patch) if self.task.patch else None
        return None if changed is None else normalized(self.files, changed)


def patched(files: dict[str, str], diff: str) -> dict[str, str] | None:
    """The files a diff touches, with it applied (None where it touches a file not in
    `files`, or creates one)."""
    from solver.selection.behaviour import parse_diff
    from solver.selection.behaviour import patched as apply_hunks

    changes = parse_diff(diff)
    if not changes or any(c.old_path not in files for c in changes):
        return None
    return {c.path: apply_hunks(files[c.old_path], c.hunks) for c in changes}


def normalized(files: dict[str, str], changed: dict[str, str]) -> dict[str, str | None]:
    from solver.analysis.syntax import normalized_ast

    return {name: normalized_ast(text) for name, text in {**files, **changed}.items()
            if name in changed}


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
    multi = [r for r in runs if not r.single_location]
    times = [r.first_plausible_s for r in runs if r.first_plausible_s is not None]
    return {
        "width": runs[0].width, "depth": runs[0].depth, "tasks": len(runs),
        "plausible": sum(r.plausible for r in runs),
        "correct": sum(bool(r.correct) for r in runs),
        "exact": sum(bool(r.exact) for r in runs),
        "single_tasks": len(single),
        "single_plausible": sum(r.plausible for r in single),
        "single_correct": sum(bool(r.correct) for r in single),
        "single_correct_within": sum(
            bool(r.correct) and (r.first_plausible_s or 0.0) <= within_s for r in single),
        "multi_plausible": sum(r.plausible for r in multi),
        "multi_correct": sum(bool(r.correct) for r in multi),
        "oracle_correct": sum(bool(r.oracle_correct) for r in runs),
        "first_plausible_median_s": _rounded(statistics.median(times) if times else None),
        "first_plausible_p90_s": _rounded(percentile(times, 0.9)),
        "candidates_median": statistics.median([r.candidates for r in runs]) if runs else 0,
        "candidates_mean": round(statistics.mean([r.candidates for r in runs]), 1) if runs else 0,
        "errors": sum(bool(r.error) for r in runs),
        "timeouts": sum(r.error == TIMEOUT for r in runs),
    }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def summarize(runs: Iterable[CellRun], within_s: float) -> list[dict[str, Any]]:
    by_cell: dict[Cell, list[CellRun]] = {}
    for run in runs:
        by_cell.setdefault((run.width, run.depth), []).append(run)
    return [summarize_cell(by_cell[cell], within_s) for cell in sorted(by_cell)]


_FIELDS = frozenset(f.name for f in fields(CellRun))


def load_done(out: Path | None) -> list[CellRun]:
    """Cell runs a previous (interrupted) run appended to `out`; a line torn by a kill is
    dropped (its cell runs again)."""
    if out is None or not out.exists():
        return []
    runs = []
    for line in out.read_text(encoding="utf-8").splitlines():
        try:
            data = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(data, dict):
            runs.append(CellRun(**{k: v for k, v in data.items() if k in _FIELDS}))
    return runs


def append_run(out: Path, run: CellRun) -> None:
    """One cell run as a JSON line, flushed to disk (a torn earlier line is closed first)."""
    import os

    text = out.read_text(encoding="utf-8") if out.exists() else ""
    with out.open("a", encoding="utf-8") as fh:
        if text and not text.endswith("\n"):
            fh.write("\n")
        fh.write(json.dumps(asdict(run)) + "\n")
        fh.flush()
        os.fsync(fh.fileno())


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


def failed_run(task: Task, cell: Cell, error: str, wall_s: float = 0.0) -> CellRun:
    return CellRun(
        instance_id=task.instance_id, width=cell[0], depth=cell[1],
        single_location=task.locations == 1, plausible=False, correct=None, oracle_correct=None,
        first_plausible_s=None, candidates=0, wall_s=wall_s, error=error[:300],
    )


def per_task(runs: Iterable[CellRun]) -> dict[str, dict[str, str]]:
    """Per task and cell: C (correct), P (plausible only), - (unsolved), T (timeout), E (error)."""
    table: dict[str, dict[str, str]] = {}
    for run in runs:
        mark = ("T" if run.error == TIMEOUT else "E" if run.error else "C" if run.correct
                else "P" if run.plausible else "-")
        table.setdefault(run.instance_id, {})[f"{run.width}x{run.depth}"] = mark
    return table
