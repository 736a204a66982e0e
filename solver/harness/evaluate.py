"""`solver eval`: many tasks, results appended as each ends, resumable, shardable.

    runs/NAME/
      results.jsonl      one line per finished task (appended, fsync'd): a resumed run skips them
      predictions.jsonl  SWE-bench format, rewritten from results.jsonl (so the two never disagree)
      trajectories/<instance_id>/
      report.json, report.html (see solver/harness/report.py)
"""

from __future__ import annotations

import functools
import logging
import shutil
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import anyio
from pydantic import BaseModel

from sandbox.faults import wait_for_any_engine
from solver.config import SolverConfig
from solver.faults import describe, failure_cause, survivable
from solver.harness.executors import Executor, LocalExecutor
from solver.harness.jsonl import append_line, keep_lines, write_lines
from solver.harness.results import TaskResult
from solver.jobs.run import solve_task, summarize_result
from solver.planner import SharedBudget
from solver.protocol import resolve_protocol
from tasks.model import Task

RESULTS = "results.jsonl"
PREDICTIONS = "predictions.jsonl"
MODEL_NAME = "tts-solver"
TASK_INFRA_RETRIES = 2
"""Whole-task re-runs after the engine dropped or a container vanished beyond the pool's own
per-verification retries (an image build or a warm-up caught by an engine restart)."""
log = logging.getLogger(__name__)


def parse_shard(text: str) -> tuple[int, int]:
    """`k/N` (1-based k) → (k, N)."""
    try:
        k, n = (int(part) for part in text.split("/"))
    except ValueError as exc:
        raise ValueError(f"--shard {text!r}: expected k/N, e.g. 2/4") from exc
    if not 1 <= k <= n:
        raise ValueError(f"--shard {text!r}: k must be between 1 and N")
    return k, n


def select_tasks(
    tasks: Sequence[Task], instances: str = "", limit: int | None = None,
    shard: tuple[int, int] | None = None,
) -> list[Task]:
    """Deterministic: sorted by id, then the instance filter, the shard slice, the limit."""
    chosen = sorted(tasks, key=lambda t: t.instance_id)
    wanted = {i for i in instances.split(",") if i}
    if wanted:
        chosen = [t for t in chosen if t.instance_id in wanted]
    if shard:
        k, n = shard
        chosen = [t for i, t in enumerate(chosen) if i % n == k - 1]
    return chosen[:limit] if limit else chosen


def read_results(run_dir: Path) -> list[TaskResult]:
    """Finished tasks; a torn last line (a kill mid-write) is dropped and cut from the file."""
    path = run_dir / RESULTS
    if not path.exists():
        return []
    results: dict[str, TaskResult] = {}
    good_bytes = 0
    with path.open("rb") as fh:
        for raw in fh:
            try:
                result = TaskResult.model_validate_json(raw)
            except ValueError:
                break
            if not raw.endswith(b"\n"):
                break
            results.setdefault(result.instance_id, result)
            good_bytes += len(raw)
    if good_bytes != path.stat().st_size:
        with path.open("r+b") as fh:
            fh.truncate(good_bytes)
    return list(results.values())


def drop_infra_errors(run_dir: Path) -> list[str]:
    """`--retry-infra`: the tasks that ended in infra_error leave results.jsonl (every other
    line stays byte for byte), so the resumed run attempts exactly those again; their ids."""
    path = run_dir / RESULTS
    infra = [r.instance_id for r in read_results(run_dir) if r.status == "infra_error"]
    if infra:
        keep_lines(path, lambda line: TaskResult.model_validate_json(line).instance_id
                   not in infra)
    return infra


def append_result(run_dir: Path, result: TaskResult) -> None:
    append_line(run_dir / RESULTS, result)


def write_predictions(run_dir: Path, results: Sequence[TaskResult]) -> None:
    write_lines(run_dir / PREDICTIONS, (
        {"instance_id": r.instance_id, "model_name_or_path": MODEL_NAME, "model_patch": r.patch}
        for r in results))


class Progress(BaseModel):
    attempted: int = 0
    resolved: int = 0
    cost_usd: float = 0.0


async def attempt(
    task: Task, run_dir: Path, config: SolverConfig, repos_dir: Path | None = None,
    shared: SharedBudget | None = None,
) -> TaskResult:
    """One task; its trajectory (with the model's events, for the llm generator) is written
    under run_dir/trajectories/<instance_id>/. Where the engine dropped or a container vanished
    underneath it, the task runs again once the engine answers (TASK_INFRA_RETRIES times);
    a failure of the machinery that remains is `infra_error` with its cause, never the task's."""
    start = time.monotonic()
    for tries in range(TASK_INFRA_RETRIES + 1):
        try:
            result, _ = await solve_task(
                task, config, trajectory_dir=run_dir / "trajectories" / task.instance_id,
                repos_dir=repos_dir, shared=shared)
        except Exception as exc:  # noqa: BLE001 - one broken task must not stop the run
            cause = failure_cause(exc)
            if survivable(cause) and tries < TASK_INFRA_RETRIES:
                log.warning("%s: %s; running it again once the engine answers",
                            task.instance_id, describe(exc))
                await anyio.to_thread.run_sync(wait_for_any_engine)
                continue
            return TaskResult(instance_id=task.instance_id, plausible=False,
                              protocol=resolve_protocol(task, config.protocol),
                              error=describe(exc), cause=cause or "",
                              total_s=round(time.monotonic() - start, 2))
        return TaskResult.model_validate(summarize_result(result, time.monotonic() - start))
    raise AssertionError("unreachable: the loop returns")


async def run_eval(
    tasks: Sequence[Task], run_dir: Path, config: SolverConfig, workers: int = 1,
    on_done: Callable[[TaskResult, Progress], None] = lambda *_: None,
    repos_dir: Path | None = None, executor: Executor | None = None,
    shared_candidates: int | None = None, retry_infra: bool = False,
) -> list[TaskResult]:
    """Attempt every task not yet in results.jsonl (`retry_infra`: nor ended in infra_error),
    `workers` at a time, where `executor` runs them (default: in this process;
    solver.harness.executors); each result is appended here.
    The sandbox's capacity is shared out among the workers.

    `shared_candidates`: one candidate budget over the tasks attempted (solver.planner); it
    lives in this process, so it needs the local executor."""
    run_dir.mkdir(parents=True, exist_ok=True)
    if retry_infra:
        drop_infra_errors(run_dir)
    done = {r.instance_id for r in read_results(run_dir)}
    todo = [t for t in tasks if t.instance_id not in done]
    per_task = max(1, config.sandbox().capacity // max(workers, 1))
    config = config.model_copy(update={"capacity": per_task})
    progress = Progress()
    shared = (SharedBudget(shared_candidates, len(todo), config.width)
              if shared_candidates else None)
    if shared is not None and not isinstance(executor or LocalExecutor(), LocalExecutor):
        raise ValueError("a shared candidate budget needs the local executor")
    attempt_one = functools.partial(attempt, config=config, repos_dir=repos_dir, shared=shared)

    def record(result: TaskResult) -> None:
        append_result(run_dir, result)
        progress.attempted += result.ran  # rates over the tasks that ran
        progress.resolved += result.resolved
        progress.cost_usd += float(result.ledger.get("cost_usd", 0.0))
        on_done(result, progress)

    await (executor or LocalExecutor()).run(todo, run_dir, attempt_one, workers, record)
    wanted = {t.instance_id for t in tasks}
    results = [r for r in read_results(run_dir) if r.instance_id in wanted]
    write_predictions(run_dir, results)
    return results


def merge_runs(shard_dirs: Sequence[Path], out: Path) -> list[TaskResult]:
    """Join shard directories: results (first occurrence wins), trajectories, predictions."""
    out.mkdir(parents=True, exist_ok=True)
    seen: dict[str, TaskResult] = {r.instance_id: r for r in read_results(out)}
    for shard in shard_dirs:
        for result in read_results(shard):
            if result.instance_id not in seen:
                seen[result.instance_id] = result
                append_result(out, result)
                source = shard / "trajectories" / result.instance_id
                if source.is_dir():
                    shutil.copytree(source, out / "trajectories" / result.instance_id,
                                    dirs_exist_ok=True)
    results = sorted(seen.values(), key=lambda r: r.instance_id)
    write_predictions(out, results)
    return results

