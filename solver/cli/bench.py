"""`solver bench ...`: benchmarks that print figures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

app = typer.Typer(help="Benchmarks that print figures.", no_args_is_help=True)
err = Console(stderr=True)


@app.command("sandbox")
def sandbox_bench(
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object on stdout."),
) -> None:
    """Warm reuse vs one fresh container per candidate, and parallel vs serial verification."""
    from sandbox.bench import main as run

    figures = run(err.print)
    if as_json:
        typer.echo(json.dumps(figures))
        return
    for key, value in figures.items():
        err.print(f"{key:>26}: {value}")


@app.command("verify")
def verify_bench(
    tasks_path: Annotated[Path, typer.Argument(
        metavar="TASKS", help="Task folder(s), .json or .jsonl.")],
    instances: Annotated[str | None, typer.Option(
        help="Only these instance ids, comma-separated.")] = None,
    limit: Annotated[int | None, typer.Option(
        help="Only the first N tasks (after --instances).", min=1)] = None,
    width: Annotated[int, typer.Option(
        help="Candidates per task (the search generator's first round).", min=1)] = 8,
    naive: Annotated[int, typer.Option(
        help="Candidates per task the naive harness runs (a fresh container each).",
        min=1)] = 3,
    test_timeout: Annotated[float, typer.Option(
        help="Seconds one test may run before it fails alone.")] = 10.0,
    repos_dir: Annotated[Path | None, typer.Option(
        help="Mirrors of the repositories (owner+name), for SWE-bench instances.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
) -> None:
    """Candidates verified per sandbox-minute: today's path, run-only-what-decides, the warm
    test process, both, and a naive harness, on the same candidates; verdicts compared."""
    import anyio

    from sandbox import SandboxConfig
    from solver.harness.bench_verify import run_bench
    from tasks.load import load_tasks

    loaded = load_tasks(tasks_path)
    chosen = set(instances.split(",")) if instances else None
    tasks = [t for t in loaded.tasks if chosen is None or t.instance_id in chosen][:limit]
    if not tasks:
        message = f"{tasks_path}: no task to run"
        if as_json:
            typer.echo(json.dumps({"error": message}))
        err.print(f"[red]{message}[/red]")
        raise typer.Exit(2)
    tasks = materialize_synthesized(tasks, tasks_path)
    config = SandboxConfig(test_timeout_s=test_timeout, run_timeout_s=120.0)
    figures = anyio.run(lambda: run_bench(tasks, config, width, naive, repos_dir, err.print))
    if as_json:
        typer.echo(json.dumps(figures))
        return
    for key in ("speedup_vs_today", "speedup_vs_naive", "today_vs_naive", "verdicts_identical",
                "per_technique_vs_today", "paths", "load_average", "errors"):
        err.print(f"{key:>24}: {figures.get(key)}")


def parse_ints(value: str, option: str) -> list[int]:
    try:
        numbers = [int(part) for part in value.split(",") if part.strip()]
    except ValueError as exc:
        raise typer.BadParameter(f"{value!r}: comma-separated integers", param_hint=option) from exc
    if not numbers or min(numbers) < 1:
        raise typer.BadParameter(f"{value!r}: positive integers", param_hint=option)
    return numbers


@app.command("search")
def search_bench(
    tasks_path: Annotated[Path, typer.Argument(
        metavar="TASKS", help="Task folder(s), .json or .jsonl.")] = Path("tasks/bundled"),
    widths: Annotated[str, typer.Option(help="Widths K, comma-separated.")] = "4,8,16",
    depths: Annotated[str, typer.Option(help="Depths D, comma-separated.")] = "1,3",
    instances: Annotated[str | None, typer.Option(
        help="Only these instance ids, comma-separated.")] = None,
    max_seconds: Annotated[float, typer.Option(
        help="Budget per task and cell, localization included.")] = 60.0,
    test_timeout: Annotated[float, typer.Option(
        help="Seconds one test may run before it fails alone.")] = 10.0,
    limit: Annotated[int | None, typer.Option(
        help="Only the first N tasks (after --instances).", min=1)] = None,
    task_timeout: Annotated[float, typer.Option(
        help="Watchdog: wall seconds a task's setup, and each of its cells, may take; past it "
             "the cell is recorded as failed (timeout).")] = 300.0,
    out: Annotated[Path | None, typer.Option(
        help="JSONL of finished cells: appended as each cell ends; a rerun skips them.")] = None,
    trajectories: Annotated[Path | None, typer.Option(
        help="Folder for every cell's candidates: <instance>/<K>x<D>.jsonl.")] = None,
    cold: Annotated[bool, typer.Option(
        "--cold", help="Start every test run cold (no warm test process).")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
) -> None:
    """The offline generator on every task × width × depth: tasks fixed, time, candidates.

    Synthesized tasks (`repo: pypi:...` without a source tree, as in tasks/synth/sample) are
    materialized first: sdist from the cache or PyPI, checked against the folder's manifest."""
    import anyio

    from sandbox import SandboxConfig
    from solver.harness.bench_search import run_bench
    from solver.harness.bench_table import per_task, summarize_cells
    from tasks.load import load_tasks

    loaded = load_tasks(tasks_path)
    for error in loaded.errors:
        err.print(f"[yellow]{error}[/yellow]")
    chosen = set(instances.split(",")) if instances else None
    tasks = [t for t in loaded.tasks if chosen is None or t.instance_id in chosen][:limit]
    if not tasks:
        err.print(f"[red]{tasks_path}: no task to run[/red]")
        raise typer.Exit(2)
    tasks = materialize_synthesized(tasks, tasks_path)
    cells = [(w, d) for w in parse_ints(widths, "--widths") for d in parse_ints(depths, "--depths")]
    # one run of a task's tests must not outlive the task's whole budget
    config = SandboxConfig(test_timeout_s=test_timeout, run_timeout_s=max(max_seconds / 2, 10.0),
                           warm_process=not cold)
    runs = anyio.run(lambda: run_bench(tasks, cells, config, max_seconds, out, err.print,
                                       task_timeout, trajectories))
    rows = summarize_cells(runs, max_seconds)
    single = {t.instance_id: t.locations == 1 for t in tasks}
    if as_json:
        typer.echo(json.dumps({"cells": rows, "tasks": per_task(runs), "single_location": single}))
        return
    print_search_table(rows, per_task(runs), single)


def materialize_synthesized(tasks: list[Any], tasks_path: Path) -> list[Any]:
    """Tasks named `pypi:<package>==<version>` without a tree get one (solver.synthesis.build)."""
    from solver.synthesis.sample import MANIFEST, materialize, read_manifest

    if not any(t.repo.startswith("pypi:") and t.path is None for t in tasks):
        return tasks
    folder = tasks_path if tasks_path.is_dir() else tasks_path.parent
    manifest = read_manifest(folder) if (folder / MANIFEST).exists() else None
    out = []
    for task in tasks:
        if task.repo.startswith("pypi:") and task.path is None:
            err.print(f"{task.instance_id}: materializing {task.repo}")
            task = materialize(task, manifest)
        out.append(task)
    return out


def print_search_table(
    rows: list[dict[str, Any]], tasks: dict[str, dict[str, str]], single: dict[str, bool]
) -> None:
    from rich.table import Table

    wide = Console(stderr=True, width=max(err.width, 150))
    table = Table(title="offline generator: tasks fixed per width × depth")
    columns = ("K", "D", "plausible", "correct", "exact", "1-loc P/C", "2+-loc P/C",
               "1-loc C ≤ budget", "t1st med s", "t1st p90 s", "cands med", "cands mean",
               "timeouts")
    for column in columns:
        table.add_column(column, justify="right")
    for r in rows:
        multi = r["tasks"] - r["single_tasks"]
        table.add_row(
            str(r["width"]), str(r["depth"]), f"{r['plausible']}/{r['tasks']}",
            f"{r['correct']}/{r['tasks']}", f"{r['exact']}/{r['tasks']}",
            f"{r['single_plausible']}/{r['single_correct']} of {r['single_tasks']}",
            f"{r['multi_plausible']}/{r['multi_correct']} of {multi}",
            str(r["single_correct_within"]),
            str(r["first_plausible_median_s"]), str(r["first_plausible_p90_s"]),
            str(r["candidates_median"]), str(r["candidates_mean"]), str(r["timeouts"]))
    wide.print(table)
    wide.print("correct: the winner passes the held-back tests, or, for tasks without any, every "
              "test of the failing tests' files that the reference patch passes; exact: the "
              "winner's code is the reference's (same AST); 1-loc / 2+-loc P/C: plausible / "
              "correct among tasks whose reference touches one place / several; t1st: seconds "
              "to the first plausible patch (localization included), over the tasks where one "
              "was found")
    cells = [f"{r['width']}x{r['depth']}" for r in rows]
    grid = Table(title="per task: C correct, P plausible only, - unsolved, T timeout, E error")
    for column in ("task", "locations", *cells):
        grid.add_column(column)
    for instance_id in sorted(tasks):
        marks = [tasks[instance_id].get(cell, " ") for cell in cells]
        grid.add_row(instance_id, "1" if single.get(instance_id) else "2+", *marks)
    wide.print(grid)
