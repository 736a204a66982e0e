"""One task end to end: environment, localization, engine, and what a run writes.

Shared by `solver solve`, `solver ci` and `solver eval`.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sandbox import SandboxConfig
    from solver.engine import Result
    from solver.protocols import Generator
    from solver.search import Location
    from solver.types import Budget
    from tasks.model import Task

Log = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


@dataclass(frozen=True)
class GeneratorOptions:
    """Which generator proposes candidates, and its settings."""

    kind: str = "search"


def make_generator(
    task: Task, locations: list[Location], options: GeneratorOptions
) -> Generator:
    from solver.search_generator import SearchGenerator, read_source_files

    if options.kind == "search":
        return SearchGenerator(read_source_files(task), locations)
    raise ValueError(f"unknown generator {options.kind!r}")


async def solve_task(
    task: Task, budget: Budget, config: SandboxConfig, log: Log = _quiet,
    options: GeneratorOptions | None = None,
) -> tuple[Result, list[Location]]:
    """Environment, localization (while the pool warms up), then the engine."""
    import anyio

    from sandbox import SandboxPool, Session, docker_client
    from sandbox.environment import prepare
    from solver.engine import solve as run_engine
    from solver.localization import localize

    client = docker_client()
    try:
        env = await anyio.to_thread.run_sync(lambda: prepare(client, task, log=log))
        async with SandboxPool(env.image, env.spec, config, client=client) as pool:
            locations: list[Location] = []

            async def locate() -> None:
                with Session(client, env.image, pool.config, env.spec) as session:
                    locations.extend(await anyio.to_thread.run_sync(localize, session, task))

            async with anyio.create_task_group() as tg:
                tg.start_soon(locate)
                tg.start_soon(pool.warm)
            log(f"localized: {len(locations)} location(s), top: "
                      + ", ".join(f"{loc.file}:{loc.line}" for loc in locations[:3]))
            generator = make_generator(task, locations, options or GeneratorOptions())
            result = await run_engine(task, generator, pool, budget, log=log)
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


def write_trajectory(folder: Path, result: Result, locations: list[Location]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "candidates.jsonl").open("w", encoding="utf-8") as fh:
        for candidate in result.candidates:
            fh.write(candidate.model_dump_json() + "\n")
    (folder / "localization.json").write_text(
        json.dumps([dataclasses.asdict(loc) for loc in locations], indent=1), encoding="utf-8")
    (folder / "result.json").write_text(result.model_dump_json(indent=1), encoding="utf-8")
