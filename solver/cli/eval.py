"""`solver eval TASKS --out runs/NAME` and `solver eval merge SHARD_DIR... --out DIR`."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from typer.core import TyperGroup

from solver.cli.options import Flags, ProtocolOption, load_or_exit, with_solver_options

err = Console(stderr=True)


class DefaultToRun(TyperGroup):
    """`solver eval TASKS ...` means `solver eval run TASKS ...`; `merge` stays a command."""

    # typer vendors its own click (typer._click, private), whose Context this method takes.
    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


app = typer.Typer(cls=DefaultToRun, help="Evaluate on many tasks; merge shard runs.",
                  no_args_is_help=True)


@app.command("run")
@with_solver_options
def run(
    tasks_path: Annotated[Path, typer.Argument(metavar="TASKS", help="Tasks: file or folder.")],
    out: Annotated[Path, typer.Option(help="Run directory (runs/NAME).")],
    workers: Annotated[int, typer.Option(help="Tasks at once.")] = 1,
    limit: Annotated[int | None, typer.Option(help="At most this many tasks.")] = None,
    instances: Annotated[str, typer.Option(help="Comma-separated instance ids.")] = "",
    shard: Annotated[str, typer.Option(help="k/N: the k-th of N deterministic slices.")] = "",
    resume: Annotated[bool, typer.Option(
        help="Skip tasks already in results.jsonl (a fresh run refuses a non-empty one).")] = False,
    retry_infra: Annotated[bool, typer.Option(
        help="With --resume: attempt again the tasks that ended in infra_error (the engine, a "
        "container, the network or the model's endpoint failed), every other result kept.")
    ] = False,
    predictions: Annotated[Path | None, typer.Option(
        help="Grade these SWE-bench predictions instead of solving (instance_id, "
        "model_name_or_path, model_patch).")] = None,
    repos_dir: Annotated[Path | None, typer.Option(
        help="Mirrors of the repositories, one per owner/name (SWE-bench tasks).")] = None,
    shared_candidates: Annotated[int | None, typer.Option(
        help="One candidate budget over all tasks: every task gets its first round, deeper "
             "rounds draw on what is left, so compute goes to tasks still open.")] = None,
    executor: Annotated[str, typer.Option(
        help="Where tasks run: local (this process) or ray (Ray tasks over a cluster; "
        "needs the `ray` extra).")] = "local",
    address: Annotated[str | None, typer.Option(
        help="Ray cluster for --executor ray, e.g. ray://host:10001 or auto "
        "(default: a local Ray instance for this run only).")] = None,
    protocol: ProtocolOption = None,
    *,
    flags: Flags,
) -> None:
    """Solve every task, appending results as each ends; write predictions and the report.

    --max-cost and --max-tokens cap each task's model spend."""
    config = load_or_exit({**flags, "protocol": protocol}, Path.cwd())
    if predictions is not None:
        grade(tasks_path, predictions, out, repos_dir, config.test_timeout)
        return
    import anyio
    from rich.markup import escape

    from sandbox import SandboxError
    from solver.compose import closing_model_clients
    from solver.harness.evaluate import RESULTS, parse_shard, run_eval, select_tasks
    from solver.harness.executors import ExecutorError, make_executor
    from solver.harness.report import outcome_line, summarize_run, write_report
    from solver.harness.results import TaskResult
    from solver.jobs.run import check_protocol
    from solver.protocol import ProtocolError
    from tasks.load import load_tasks

    try:
        where = make_executor(executor, address)
        if shared_candidates and executor != "local":
            raise ValueError("--shared-candidates needs --executor local (the budget is shared "
                             "within this process)")
    except (ExecutorError, ValueError) as exc:
        err.print(f"[red]{escape(str(exc))}[/red]")
        raise typer.Exit(2) from exc
    loaded = load_tasks(tasks_path)
    for error in loaded.errors:
        err.print(f"[yellow]{error}[/yellow]")
    try:
        chosen = select_tasks(loaded.tasks, instances, limit,
                              parse_shard(shard) if shard else None)
    except ValueError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    if not chosen:
        err.print("[red]no task selected[/red]")
        raise typer.Exit(2)
    try:
        protocols = sorted({check_protocol(task, config) for task in chosen})
    except ProtocolError as exc:
        err.print(f"[red]{escape(str(exc))}[/red]", soft_wrap=True)
        raise typer.Exit(2) from exc
    if retry_infra and not resume:
        err.print("[red]--retry-infra re-runs part of a run: pass --resume too[/red]")
        raise typer.Exit(2)
    if (out / RESULTS).exists() and (out / RESULTS).stat().st_size and not resume:
        err.print(f"[red]{out / RESULTS} exists: pass --resume to continue that run[/red]")
        raise typer.Exit(2)
    start = time.monotonic()

    async def run_all(on_done: Callable[[TaskResult, Any], None]) -> list[TaskResult]:
        async with closing_model_clients(config):
            return await run_eval(chosen, out, config, workers, on_done=on_done,
                                  repos_dir=repos_dir, executor=where,
                                  shared_candidates=shared_candidates,
                                  retry_infra=retry_infra)

    try:
        with progress_bar(len(chosen)) as on_done:
            results = anyio.run(run_all, on_done)
    except (SandboxError, ExecutorError) as exc:
        err.print(f"[red]{escape(str(exc))}[/red]")
        raise typer.Exit(2) from exc
    meta = {"name": out.name, "protocol": "+".join(protocols),
            "generator": config.kind.value, "model": config.model or "",
            "width": config.width, "depth": config.depth, "max_cost": config.max_cost,
            "workers": workers, "executor": executor,
            "wall_s": round(time.monotonic() - start, 1),
            "written": time.strftime("%Y-%m-%d %H:%M:%S")}
    report = write_report(out, results, meta)
    err.print(f"{outcome_line(summarize_run(results))}; report: {report}", markup=False,
              soft_wrap=True)


def grade(tasks_path: Path, predictions: Path, out: Path, repos_dir: Path | None,
          test_timeout: float) -> None:
    """Grade another system's predictions; the same report as a solver run."""
    from sandbox import SandboxConfig, SandboxError
    from solver.harness.evaluate import append_result, write_predictions
    from solver.harness.grade import Grade, grade_file
    from solver.harness.report import write_report
    from solver.harness.results import TaskResult

    if not predictions.is_file():
        err.print(f"[red]{predictions}: no such file[/red]")
        raise typer.Exit(2)
    out.mkdir(parents=True, exist_ok=True)
    for stale in ("grades.jsonl", "results.jsonl"):
        (out / stale).unlink(missing_ok=True)
    try:
        summary = grade_file(predictions, tasks_path, repos_dir, out / "grades.jsonl",
                             SandboxConfig(test_timeout_s=test_timeout), log=err.print)
    except SandboxError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    grades = [Grade.model_validate_json(line)
              for line in (out / "grades.jsonl").read_text().splitlines()]
    results = [TaskResult(instance_id=g.instance_id, plausible=g.resolved, oracle=g.resolved,
                          candidates=1, total_s=g.seconds,
                          error=g.error if g.status == "error" else "") for g in grades]
    for result in results:
        append_result(out, result)
    write_predictions(out, results)
    (out / "predictions.jsonl").write_text(predictions.read_text())
    meta = {"name": out.name, "generator": f"graded: {predictions.name}", "width": "-",
            "depth": "-", "written": time.strftime("%Y-%m-%d %H:%M:%S")}
    write_report(out, results, meta)
    err.print(f"graded: {summary}")


@contextmanager
def progress_bar(total: int) -> Iterator[Callable[[Any, Any], None]]:
    """A rich progress bar with resolved / attempted / cost so far; yields `on_done`."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                        console=err)
    bar = progress.add_task("eval", total=total)

    def on_done(result: Any, tally: Any) -> None:
        progress.update(bar, advance=1, description=(
            f"resolved {tally.resolved}/{tally.attempted} · ${tally.cost_usd:.4f} · "
            f"last {result.instance_id}"))

    with progress:
        yield on_done


@app.command("merge")
def merge(
    shards: Annotated[list[Path], typer.Argument(help="Shard run directories.")],
    out: Annotated[Path, typer.Option(help="Merged run directory.")],
) -> None:
    """Join shard directories into one run (results, predictions, trajectories, report)."""
    from solver.harness.evaluate import merge_runs
    from solver.harness.report import write_report

    missing = [s for s in shards if not s.is_dir()]
    if missing:
        err.print(f"[red]not a directory: {', '.join(map(str, missing))}[/red]")
        raise typer.Exit(2)
    results = merge_runs(shards, out)
    write_report(out, results, {"name": out.name, "generator": "merged", "width": "-",
                                "depth": "-", "written": time.strftime("%Y-%m-%d %H:%M:%S")})
    err.print(f"merged {len(shards)} shard(s): {len(results)} task(s) in {out}")


def scale(
    tasks_path: Annotated[Path, typer.Argument(metavar="TASKS", help="Tasks: file or folder.")],
    out: Annotated[Path, typer.Option(help="Run directory.")],
    width: Annotated[int, typer.Option(help="The largest width.")] = 8,
    depth: Annotated[int, typer.Option(help="The largest depth.")] = 3,
    check: Annotated[str, typer.Option(
        help="wxd: also run this cell directly and compare (empty: no check).")] = "",
    workers: Annotated[int, typer.Option(help="Tasks at once.")] = 1,
    limit: Annotated[int | None, typer.Option(help="At most this many tasks.")] = None,
    instances: Annotated[str, typer.Option(help="Comma-separated instance ids.")] = "",
    test_timeout: Annotated[float, typer.Option(help="Seconds one test may run.")] = 10.0,
) -> None:
    """The width × depth surface (resolve rate, cost) from ONE run at the largest cell."""
    import anyio

    from solver.harness.evaluate import run_eval, select_tasks
    from solver.harness.results import TaskResult
    from solver.harness.scale import read_behaviours, read_trajectories, surface, write_scale
    from tasks.load import load_tasks

    chosen = select_tasks(load_tasks(tasks_path).tasks, instances, limit)

    def run_cell(w: int, d: int, folder: Path) -> list[TaskResult]:
        config = load_or_exit({"width": w, "depth": d, "enough_plausible": 0,
                               "test_timeout": test_timeout}, Path.cwd())
        with progress_bar(len(chosen)) as on_done:
            return anyio.run(lambda: run_eval(chosen, folder, config, workers, on_done=on_done))

    run_cell(width, depth, out / f"w{width}d{depth}")
    widths = sorted({w for w in (1, 2, 4, 8, 16, 32) if w < width} | {width})
    depths = list(range(1, depth + 1))
    big = out / f"w{width}d{depth}"
    cells = surface(read_trajectories(big), widths, depths, read_behaviours(big))
    comparison = None
    if check:
        w, d = (int(x) for x in check.lower().split("x"))
        direct = run_cell(w, d, out / f"check-w{w}d{d}")
        estimate = next(c for c in cells if c.width == w and c.depth == d)
        comparison = {"width": w, "depth": d, "estimated_resolve_rate": estimate.resolve_rate,
                      "direct_resolve_rate": round(
                          sum(r.resolved for r in direct) / max(len(direct), 1), 4)}
    data = write_scale(out, cells, widths, depths, comparison)
    for cell in cells:
        err.print(f"w={cell.width:>2} d={cell.depth}: resolve {cell.resolve_rate:.2f} "
                  f"(first {cell.first_rate:.2f}, random {cell.random_rate:.2f}, "
                  f"oracle {cell.oracle_correct_rate:.2f}) plausible {cell.plausible_rate:.2f} "
                  f"sandbox {cell.sandbox_s:.1f}s/task")
    err.print(f"compute-optimal: {data['compute_optimal']}")
    if comparison:
        err.print(f"check: {comparison}")
    err.print(f"heatmap: {out / 'scale.png'}")
