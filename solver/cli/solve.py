"""`solver solve TASK`: search for a patch of one task, verified in the sandbox."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

if TYPE_CHECKING:
    from solver.engine import Result

err = Console(stderr=True)


def solve(
    task_path: Annotated[Path, typer.Argument(
        metavar="TASK", help="A task folder, .json or .jsonl file.")],
    instance: Annotated[str | None, typer.Option(
        "--instance", help="The instance id, where TASK holds several tasks.")] = None,
    width: Annotated[int, typer.Option(help="Candidates per round.")] = 4,
    depth: Annotated[int, typer.Option(help="Rounds.")] = 2,
    generator: Annotated[str, typer.Option(help="Candidate generator: search.")] = "search",
    out: Annotated[Path | None, typer.Option(
        "--out", help="Run directory: writes trajectories/<instance_id>/ below it.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
    test_timeout: Annotated[float, typer.Option(
        help="Seconds one test may run before it fails alone (a looping candidate).")] = 10.0,
) -> None:
    """Solve one task: localize, generate candidates, verify them, pick one by tournament."""
    import anyio

    from sandbox import SandboxConfig
    from solver.run import solve_task, summarize, write_trajectory
    from solver.types import Budget
    from tasks.load import TaskLoadError, load_task

    if generator != "search":
        err.print(f"[red]--generator {generator}: only `search` is available here[/red]")
        raise typer.Exit(2)
    try:
        task = load_task(task_path, instance)
    except (TaskLoadError, FileNotFoundError) as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    start = time.monotonic()
    result, locations = anyio.run(
        solve_task, task, Budget(width=width, depth=depth),
        SandboxConfig(test_timeout_s=test_timeout), err.print)
    summary = summarize(result, time.monotonic() - start)
    print_summary(result, summary)
    if out is not None:
        write_trajectory(out / "trajectories" / task.instance_id, result, locations)
    if as_json:
        typer.echo(json.dumps(summary))
    raise typer.Exit(0 if result.plausible else 1)


def print_summary(result: Result, summary: dict[str, Any]) -> None:
    from rich.table import Table

    table = Table(title=f"{result.instance_id}: {len(result.candidates)} candidate(s), "
                  f"{result.rounds} round(s)")
    for column in ("id", "F2P", "P2P", "plausible", "correct", "note"):
        table.add_column(column, overflow="fold")
    for c in result.candidates:
        v = c.verdict
        p2p = "-" if v.p2p_passed is None else f"{v.p2p_passed}/{v.p2p_total}"
        mark = "[green]yes[/green]" if v.plausible else ""
        table.add_row(("* " if c.id == result.winner else "") + c.id,
                      f"{v.f2p_passed}/{v.f2p_total}", p2p, mark,
                      "" if c.correct is None else str(c.correct), c.note[:80])
    err.print(table)
    colour = "green" if result.plausible else "red"
    err.print(f"[{colour}]plausible={result.plausible}[/{colour}] correct={result.correct} "
              f"winner={result.winner} ledger={summary['ledger']} total_s={summary['total_s']}")


