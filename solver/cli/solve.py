"""`solver solve TASK`: search for a patch of one task, verified in the sandbox."""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

if TYPE_CHECKING:
    from sandbox import SandboxConfig
    from solver.engine import Result
    from solver.search import Location
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
        run_task, task, Budget(width=width, depth=depth),
        SandboxConfig(test_timeout_s=test_timeout))
    summary = summarize(result, time.monotonic() - start)
    print_summary(result, summary)
    if out is not None:
        write_trajectory(out / "trajectories" / task.instance_id, result, locations)
    if as_json:
        typer.echo(json.dumps(summary))
    raise typer.Exit(0 if result.plausible else 1)


async def run_task(
    task: Task, budget: Budget, config: SandboxConfig
) -> tuple[Result, list[Location]]:
    """Environment, localization (while the pool warms up), then the engine."""
    import anyio

    from sandbox import SandboxPool, Session, docker_client
    from sandbox.environment import prepare
    from solver.engine import solve as run_engine
    from solver.localization import localize
    from solver.search_generator import SearchGenerator, read_source_files

    client = docker_client()
    try:
        env = await anyio.to_thread.run_sync(lambda: prepare(client, task, log=err.print))
        async with SandboxPool(env.image, env.spec, config, client=client) as pool:
            locations: list[Location] = []

            async def locate() -> None:
                with Session(client, env.image, pool.config, env.spec) as session:
                    locations.extend(await anyio.to_thread.run_sync(localize, session, task))

            async with anyio.create_task_group() as tg:
                tg.start_soon(locate)
                tg.start_soon(pool.warm)
            err.print(f"localized: {len(locations)} location(s), top: "
                      + ", ".join(f"{loc.file}:{loc.line}" for loc in locations[:3]))
            search = SearchGenerator(read_source_files(task), locations)
            result = await run_engine(task, search, pool, budget, log=err.print)
    finally:
        client.close()
    return result, locations


def summarize(result: Result, total_s: float) -> dict[str, Any]:
    ledger = result.ledger
    return {
        "instance_id": result.instance_id,
        "plausible": result.plausible,
        "correct": result.correct,
        "oracle": result.oracle,
        "oracle_correct": result.oracle_correct,
        "winner": result.winner,
        "patch": result.patch,
        "rounds": result.rounds,
        "candidates": len(result.candidates),
        "ledger": {
            "tokens": ledger.tokens, "cost_usd": ledger.cost_usd, "sandbox_s": ledger.sandbox_s,
            "wall_s": ledger.wall_s, "test_runs": ledger.test_runs,
        },
        "total_s": round(total_s, 2),
    }


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


def write_trajectory(folder: Path, result: Result, locations: list[Location]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "candidates.jsonl").open("w", encoding="utf-8") as fh:
        for candidate in result.candidates:
            fh.write(candidate.model_dump_json() + "\n")
    (folder / "localization.json").write_text(
        json.dumps([dataclasses.asdict(loc) for loc in locations], indent=1), encoding="utf-8")
    (folder / "result.json").write_text(result.model_dump_json(indent=1), encoding="utf-8")
