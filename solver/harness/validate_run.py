"""`solver tasks validate --out DIR`: gold validation at benchmark scale, resumable.

    DIR/
      results.jsonl   one Validation per line (appended, fsync'd as each instance ends); the last
                      line of an instance stands, so a retried failure replaces its first attempt
      cache.jsonl     the image cache's bytes after each instance
      report.json     the results and the table per repository (solver/harness/validate_report.py)
      report.html

A killed run loses at most the instances under way: `--resume` skips what results.jsonl holds,
`--retry-failed` also attempts again the instances whose last attempt failed.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from sandbox import SandboxConfig, docker_client
from sandbox.image_cache import list_cached
from solver.harness.jsonl import append_line
from solver.harness.validate import Validation, validate_all
from tasks.model import Task

RESULTS = "results.jsonl"
CACHE_LOG = "cache.jsonl"
"""After each instance: the solver image cache's bytes (its peak, with or without a budget)."""


def log_cache(run_dir: Path, instance_id: str) -> None:
    """The solver image cache's bytes after an instance (prepare keeps it within the budget)."""
    client = docker_client()
    try:
        after = sum(image.own for image in list_cached(client))
    finally:
        client.close()
    with (run_dir / CACHE_LOG).open("a") as fh:
        fh.write(json.dumps({"after": instance_id, "cache_bytes": after, "at": time.time()}) + "\n")


def read_validations(run_dir: Path) -> dict[str, Validation]:
    """The last attempt of every instance in run_dir/results.jsonl; a torn last line (a kill
    mid-write) is cut from the file."""
    path = run_dir / RESULTS
    if not path.exists():
        return {}
    found: dict[str, Validation] = {}
    good_bytes = 0
    with path.open("rb") as fh:
        for raw in fh:
            if not raw.endswith(b"\n"):
                break
            try:
                result = Validation.model_validate_json(raw)
            except ValueError:
                break
            found[result.instance_id] = result
            good_bytes += len(raw)
    if good_bytes != path.stat().st_size:
        with path.open("r+b") as fh:
            fh.truncate(good_bytes)
    return found


def still_to_do(tasks: Sequence[Task], done: dict[str, Validation],
                retry_failed: bool) -> list[Task]:
    """Tasks without a result, and with `retry_failed` those whose last attempt failed (not
    those that cannot run here: no mirror)."""
    return [t for t in tasks if t.instance_id not in done
            or (retry_failed and done[t.instance_id].status == "failed")]


async def run_validation(
    tasks: Sequence[Task], run_dir: Path, repos_dir: Path | None = None, workers: int = 1,
    retry_failed: bool = False, config: SandboxConfig | None = None,
    on_done: Callable[[Validation], None] = lambda _: None,
) -> list[Validation]:
    """Validate every task not yet in results.jsonl (`workers` at once), appending each result
    as it ends; the results of all `tasks`, in their order (those still missing left out)."""
    run_dir.mkdir(parents=True, exist_ok=True)
    todo = still_to_do(tasks, read_validations(run_dir), retry_failed)

    def record(result: Validation) -> None:
        append_line(run_dir / RESULTS, result)
        log_cache(run_dir, result.instance_id)
        on_done(result)

    await validate_all(todo, repos_dir, config, workers=workers, on_done=record)
    found = read_validations(run_dir)
    return [found[t.instance_id] for t in tasks if t.instance_id in found]
