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

if TYPE_CHECKING:
    from sandbox import SandboxConfig
    from solver.analysis import Location
    from solver.engine import CandidateRecord, Result
    from solver.jobs.run import GeneratorOptions
    from solver.types import Budget
    from tasks.model import Task

err = Console(stderr=True)


def solve(
    task_path: Annotated[Path, typer.Argument(
        metavar="TASK", help="A task folder, .json or .jsonl file.")],
    instance: Annotated[str | None, typer.Option(
        "--instance", help="The instance id, where TASK holds several tasks.")] = None,
    width: Annotated[int, typer.Option(help="Candidates per round.")] = 4,
    depth: Annotated[int, typer.Option(help="Rounds.")] = 2,
    generator: Annotated[str | None, typer.Option(
        help="Candidate generator: llm or search. Default: llm when a model is configured "
             "(--model or SOLVER_MODEL), else search.")] = None,
    model: Annotated[str | None, typer.Option(
        help="litellm model string, e.g. openai/gpt-4o-mini (env SOLVER_MODEL).")] = None,
    api_base: Annotated[str | None, typer.Option(
        help="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8000/v1 (env SOLVER_API_BASE). "
             "The key comes from SOLVER_API_KEY or the provider's own variable.")] = None,
    temperature: Annotated[float | None, typer.Option(
        help="Sampling temperature (env SOLVER_TEMPERATURE; default 0.8).")] = None,
    max_cost: Annotated[float | None, typer.Option(
        help="Stop making model calls once this many USD are spent.")] = None,
    max_tokens: Annotated[int | None, typer.Option(
        help="Stop making model calls once this many tokens are spent.")] = None,
    agent_steps: Annotated[int, typer.Option(
        help="Actions (read, search, run, test) an LLM trajectory may take in its sandbox "
             "before it proposes.")] = 0,
    out: Annotated[Path | None, typer.Option(
        "--out", help="Run directory: writes trajectories/<instance_id>/ below it.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
    test_timeout: Annotated[float, typer.Option(
        help="Seconds one test may run before it fails alone (a looping candidate).")] = 10.0,
    repos_dir: Annotated[Path | None, typer.Option(
        help="Mirrors of the repositories, one clone per owner/name (SWE-bench tasks).")] = None,
) -> None:
    """Solve one task: localize, generate candidates, verify them, pick one by tournament."""
    import anyio

    from sandbox import SandboxConfig
    from solver.jobs.run import choose_generator, summarize_result
    from solver.types import Budget
    from tasks.load import TaskLoadError, load_task

    try:
        options = choose_generator(generator, model, api_base, temperature, agent_steps)
        task = load_task(task_path, instance)
    except (TaskLoadError, FileNotFoundError, ValueError) as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    budget = Budget(width=width, depth=depth, max_cost_usd=max_cost, max_tokens=max_tokens)
    folder = out / "trajectories" / task.instance_id if out is not None else None
    start = time.monotonic()
    result, _ = anyio.run(run, task, budget, SandboxConfig(test_timeout_s=test_timeout),
                          options, folder, repos_dir)
    summary = summarize_result(result, time.monotonic() - start)
    print_summary(result, summary)
    if as_json:
        typer.echo(json.dumps(summary))
    raise typer.Exit(0 if result.plausible else 1)


async def run(
    task: Task, budget: Budget, config: SandboxConfig, options: GeneratorOptions,
    folder: Path | None, repos_dir: Path | None = None,
) -> tuple[Result, list[Location]]:
    """solve_task, then litellm's HTTP clients closed in the loop that made the calls (shared
    with `solver ci`)."""
    from solver.jobs.run import closing_model_clients, solve_task

    with live_rounds(task.instance_id) as on_round:
        async with closing_model_clients(options):
            return await solve_task(task, budget, config, err.print, options, folder, repos_dir,
                                    on_round=on_round)


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


