"""`solver tasks validate`: gold validation of many tasks, a table or JSON, optionally a
resumable run directory (solver/harness/validate_run.py)."""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from solver.harness.validate import Validation
from tasks.load import load_tasks

err = Console(stderr=True)


def fail(message: str, as_json: bool, code: int = 2) -> int:
    """A one-line error on stderr (and as JSON on stdout with --json); the exit code."""
    err.print(f"[red]{escape(message)}[/red]", soft_wrap=True)
    if as_json:
        typer.echo(json.dumps({"error": message, "results": [], "repos": []}))
    return code


def run_validate(path: Path, repos_dir: Path | None, instances: str, out: Path | None,
                 workers: int, shard: str, resume: bool, retry_failed: bool,
                 as_json: bool, max_image_gb: float | None = None) -> int:
    import anyio

    from sandbox import SandboxError
    from sandbox.naming import namespace
    from solver.harness.evaluate import parse_shard, select_tasks
    from solver.harness.validate_report import repo_table, result_row, write_report
    from solver.harness.validate_run import RESULTS, run_validation

    if not path.exists():
        return fail(f"{path}: no such file or folder", as_json)
    if workers < 1:
        return fail(f"--workers {workers}: must be at least 1", as_json)
    if max_image_gb is not None and max_image_gb < 0:
        return fail(f"--max-image-gb {max_image_gb}: must be 0 (no budget) or more", as_json)
    if repos_dir is not None and not repos_dir.is_dir():
        return fail(f"--repos-dir {repos_dir}: no such folder", as_json)
    loaded = load_tasks(path)
    for error in loaded.errors:
        err.print(f"[yellow]{escape(str(error))}[/yellow]", soft_wrap=True)
    try:
        chosen = select_tasks(loaded.tasks, instances, None, parse_shard(shard) if shard else None)
    except ValueError as exc:
        return fail(str(exc), as_json)
    if not chosen:
        return fail("no task to validate", as_json)
    if out is not None and (out / RESULTS).exists() and (out / RESULTS).stat().st_size \
            and not resume:
        return fail(f"{out / RESULTS} exists: pass --resume (or --retry-failed) to continue",
                    as_json)
    try:
        budget = image_budget(max_image_gb)
    except (SandboxError, ValueError) as exc:
        return fail(str(exc), as_json)
    start = time.monotonic()
    seen = [0]

    def progress(result: Validation) -> None:
        seen[0] += 1
        line = f"[{seen[0]}] {result.instance_id}: {result.status} ({result.seconds:.0f} s)"
        err.print(escape(line + (f": {result.reason}" if result.reason else "")), soft_wrap=True)

    with tempfile.TemporaryDirectory(prefix="solver-validate-") as scratch:
        run_dir = out or Path(scratch)
        try:
            results = anyio.run(lambda: run_validation(
                chosen, run_dir, repos_dir, workers, retry_failed, on_done=progress))
        except SandboxError as exc:
            return fail(str(exc), as_json)
        meta: dict[str, Any] = {
            "name": run_dir.name if out else "-", "tasks": str(path), "workers": workers,
            "shard": shard, "max_image_bytes": budget, "image_namespace": namespace(),
            "wall_s": round(time.monotonic() - start, 1),
            "written": time.strftime("%Y-%m-%d %H:%M:%S")}
        if out is not None:
            page = write_report(out, results, meta)
            err.print(f"report: {page}")
    table = repo_table(results)
    if as_json:
        typer.echo(json.dumps({"meta": meta, "repos": table,
                               "results": [result_row(r) for r in results]}))
    else:
        Console().print(results_table(results), soft_wrap=True)
        Console().print(repos_table(table), soft_wrap=True)
    failed = sum(r.status == "failed" for r in results)
    cannot = sum(r.status == "not_runnable" for r in results)
    validated = sum(r.ok for r in results)
    err.print(f"{validated} validated, {failed} failed, {cannot} not runnable here")
    return 1 if failed else 0


def image_budget(max_image_gb: float | None) -> int | None:
    """The cache's budget in bytes, which `prepare` then keeps (SOLVER_MAX_IMAGE_GB): given, or
    from the free disk; None for 0 (no budget)."""
    import os

    from sandbox import docker_client
    from sandbox.image_cache import BUDGET_ENV, budget_bytes

    if max_image_gb is not None:
        os.environ[BUDGET_ENV] = str(max_image_gb)
    client = docker_client()
    try:
        return budget_bytes(client)
    finally:
        client.close()


def results_table(results: list[Validation]) -> Table:
    """One row per instance; ids and reasons fold onto further lines, never cut."""
    table = Table("instance_id", "status", "ready s", "validate s", "deviation", "reason")
    for column in table.columns:
        column.overflow = "fold"
    for r in results:
        colour = {"validated": "green", "failed": "red"}.get(r.status, "yellow")
        table.add_row(r.instance_id, f"[{colour}]{r.status}[/{colour}]",
                      f"{r.ready_seconds:.1f}", f"{r.validate_s:.1f}",
                      escape("; ".join(r.deviations)), escape(r.reason))
    return table


def repos_table(rows: list[dict[str, Any]]) -> Table:
    table = Table("repo", "instances", "validated", "deviations", "not runnable", "failed",
                  "not runnable (why)", "failed (why)", "ready s med/max", "validate s med/max",
                  "disk MB")
    for column in table.columns:
        column.overflow = "fold"
    for row in rows:
        table.add_row(row["repo"], str(row["instances"]), str(row["validated"]),
                      str(row["deviations"]), str(row["not_runnable"]), str(row["failed"]),
                      escape("\n".join(row["not_runnable_why"])),
                      escape("\n".join(row["failed_why"])),
                      f"{row['build_s_median']}/{row['build_s_max']}",
                      f"{row['validate_s_median']}/{row['validate_s_max']}",
                      f"{row['disk_bytes'] / 1e6:.0f}")
    return table
