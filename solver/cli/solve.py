"""`solver solve TASK`: search for a patch of one task, verified in the sandbox."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from solver.cli.options import Flags, ProtocolOption, load_or_exit, with_solver_options

if TYPE_CHECKING:
    from solver.analysis import Location
    from solver.config import SolverConfig
    from solver.engine import CandidateRecord, Result
    from tasks.model import Task

err = Console(stderr=True)


@with_solver_options
def solve(
    task_path: Annotated[Path, typer.Argument(
        metavar="TASK", help="A task folder, .json or .jsonl file.")],
    instance: Annotated[str | None, typer.Option(
        "--instance", help="The instance id, where TASK holds several tasks.")] = None,
    out: Annotated[Path | None, typer.Option(
        "--out", help="Run directory: writes trajectories/<instance_id>/ below it.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
    repos_dir: Annotated[Path | None, typer.Option(
        help="Mirrors of the repositories, one clone per owner/name (SWE-bench tasks).")] = None,
    protocol: ProtocolOption = None,
    *,
    flags: Flags,
) -> None:
    """Solve one task: localize, generate candidates, verify them, pick one by tournament.

    The model's key comes from SOLVER_API_KEY or the provider's own variable."""
    import anyio

    from solver.faults import infra_message
    from solver.jobs.run import check_protocol, summarize_result
    from solver.protocol import ProtocolError
    from tasks.load import TaskLoadError, load_task

    config = load_or_exit({**flags, "protocol": protocol}, Path.cwd(), as_json)
    try:
        task = load_task(task_path, instance)
        check_protocol(task, config)
    except ProtocolError as exc:
        fail(str(exc), as_json)
    except (TaskLoadError, FileNotFoundError, ValueError) as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    folder = out / "trajectories" / task.instance_id if out is not None else None
    start = time.monotonic()
    try:
        result, _ = anyio.run(run, task, config, folder, repos_dir)
    except Exception as exc:  # the machinery (disk, engine, endpoint) failed: one line, exit 2
        message = infra_message(exc)
        if message is None:
            raise
        fail(message, as_json)
    summary = summarize_result(result, time.monotonic() - start)
    print_summary(result, summary)
    if as_json:
        typer.echo(json.dumps(summary))
    raise typer.Exit(0 if result.plausible else 1)


def fail(message: str, as_json: bool) -> None:
    """Exit 2 with `message` on one line (and as JSON under --json)."""
    from rich.markup import escape

    err.print(f"[red]{escape(message)}[/red]", soft_wrap=True)
    if as_json:
        typer.echo(json.dumps({"error": message}))
    raise typer.Exit(2)


async def run(
    task: Task, config: SolverConfig, folder: Path | None, repos_dir: Path | None = None,
) -> tuple[Result, list[Location]]:
    """solve_task, then litellm's HTTP clients closed in the loop that made the calls (shared
    with `solver ci`)."""
    from solver.compose import closing_model_clients
    from solver.jobs.run import solve_task

    with live_rounds(task.instance_id) as on_round:
        async with closing_model_clients(config):
            return await solve_task(task, config, note, folder, repos_dir,
                                    on_round=on_round)


def note(message: str) -> None:
    """A progress line on stderr as written: not wrapped, no markup (test ids hold `[...]`)."""
    err.print(message, markup=False, highlight=False, soft_wrap=True)


@contextmanager
def live_rounds(instance_id: str) -> Iterator[Callable[[int, list[CandidateRecord]], None]]:
    """A live table of the rounds (candidates, best FAIL_TO_PASS, plausible) on a terminal;
    elsewhere one line per round is logged instead."""
    from rich.live import Live
    from rich.table import Table

    rows: list[tuple[str, ...]] = []

    def render() -> Table:
        table = Table(title=f"{instance_id}: rounds")
        for column in ("round", "candidates", "applied", "best F2P", "plausible", "best note"):
            table.add_column(column, overflow="fold")
        for row in rows:
            table.add_row(*row)
        return table

    with Live(render(), console=err, refresh_per_second=4, transient=True,
              redirect_stderr=False) as live:
        def on_round(round: int, records: list[CandidateRecord]) -> None:
            best = max(records, key=lambda r: (r.verdict.plausible, r.verdict.f2p_passed))
            rows.append((str(round), str(len(records)),
                         str(sum(r.verdict.applied for r in records)),
                         f"{best.verdict.f2p_passed}/{best.verdict.f2p_total}",
                         str(sum(r.verdict.plausible for r in records)), best.note[:60]))
            live.update(render())

        yield on_round


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


