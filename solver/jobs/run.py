"""One task end to end: environment, localization, engine, and what a run writes.

Shared by `solver solve`, `solver ci` and `solver eval`.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from solver.compose import Located, Prepared, compose, session_opener, start_model_run

if TYPE_CHECKING:
    from sandbox import RunSpec, SandboxConfig, SandboxPool
    from solver.analysis import Location
    from solver.config import SolverConfig
    from solver.engine import CandidateRecord, Result
    from solver.generators.llm.model_run import ModelRun
    from solver.planner import SharedBudget
    from tasks.model import Task

Log = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


async def solve_task(
    task: Task, config: SolverConfig, log: Log = _quiet, trajectory_dir: Path | None = None,
    repos_dir: Path | None = None, shared: SharedBudget | None = None,
    on_round: Callable[[int, list[CandidateRecord]], None] = lambda *_: None,
) -> tuple[Result, list[Location]]:
    """Environment, (reproduction tests,) localization while the pool warms up, the engine
    with what `solver.compose` builds from `config`.

    `shared`: the eval's budget over all tasks, which this task draws its rounds from.
    `repos_dir`: mirrors of the repositories (one per owner/name) for tasks that name a repo.
    With `trajectory_dir`, the trajectory (and the model's events) is written there at the end.
    """
    from sandbox import SandboxPool, docker_client
    from solver.engine import solve as run_engine
    from solver.selection.prober import SandboxProbe

    model_run = start_model_run(config)
    client = docker_client()
    result: Result | None = None
    located = Located()
    try:
        ready = await prepare_task(client, task, config, model_run, repos_dir, log)
        async with SandboxPool(ready.image, ready.spec, ready.sandbox, client=client) as pool:
            located = await localize_while_warming(client, ready, pool, model_run is not None)
            log(f"localized: {len(located.locations)} location(s), top: "
                + ", ".join(f"{loc.file}:{loc.line}" for loc in located.locations[:3]))
            opener = session_opener(client, ready.image, pool.config, ready.spec)
            parts = compose(config, ready, located, model_run, opener)
            result = await run_engine(ready.task, parts.generator, pool, parts.budget, log=log,
                                      shared=shared, judges=parts.judges,
                                      probe=SandboxProbe(pool, ready.files, log),
                                      on_round=on_round)
        record_localization(result, located.locations)
        if model_run is not None:
            model_run.absorb(result.ledger)
    finally:
        if model_run is not None:
            await model_run.aclose()
        client.close()
        if trajectory_dir is not None and result is not None:
            write_trajectory(trajectory_dir, result, located.locations, model_run)
    return result, located.locations


async def prepare_task(
    client: Any, task: Task, config: SolverConfig, model_run: ModelRun | None,
    repos_dir: Path | None, log: Log,
) -> Prepared:
    """Images, limits and files of the task; an issue-only task gets the model's reproduction
    test first (llm only)."""
    import anyio

    from sandbox.environment import prepare
    from solver.analysis.sources import read_source_files

    env = await anyio.to_thread.run_sync(lambda: prepare(client, task, repos_dir, log=log))
    sandbox, spec = env.sandbox_config(config.sandbox()), env.spec
    files = await anyio.to_thread.run_sync(read_source_files, task, repos_dir)
    if model_run is not None and not task.fail_to_pass:
        task, spec = await reproduce_issue(model_run, task, files, client, env.image, sandbox,
                                           spec, log)
    coverage_image = await anyio.to_thread.run_sync(env.coverage_image, client, log)
    return Prepared(task=task, image=env.image, coverage_image=coverage_image, sandbox=sandbox,
                    spec=spec, files=files)


async def localize_while_warming(
    client: Any, ready: Prepared, pool: SandboxPool, base_verdict: bool
) -> Located:
    """One coverage run ranks the lines (and, with `base_verdict`, FAIL_TO_PASS runs on the
    base tree) while the pool's containers start."""
    import anyio

    from sandbox import Session
    from solver.analysis.localization import localize_with_baseline

    found: list[Located] = []

    async def locate() -> None:
        task = ready.task
        with Session(client, ready.coverage_image, pool.config, ready.spec) as session:
            ranked, failures = await anyio.to_thread.run_sync(
                localize_with_baseline, session, task)
            base = None
            if base_verdict and task.fail_to_pass:
                base = await anyio.to_thread.run_sync(
                    lambda: session.verify("", task.fail_to_pass))
            found.append(Located(ranked, failures, base))

    async with anyio.create_task_group() as tg:
        tg.start_soon(locate)
        tg.start_soon(pool.warm)
    return found[0]


def record_localization(result: Result, locations: list[Location]) -> None:
    """Localization as the run's first decision."""
    from solver.planner import Decision

    result.decisions.insert(0, Decision(
        round=0, action="localize",
        reason=f"{len(locations)} location(s) shared by all trajectories; top: "
        + ", ".join(f"{loc.file}:{loc.line} ({loc.reason})" for loc in locations[:3])))


async def reproduce_issue(
    model_run: ModelRun, task: Task, files: dict[str, str], client: Any, image: str,
    config: SandboxConfig, spec: RunSpec, log: Log,
) -> tuple[Task, RunSpec]:
    """An issue-only task gets the model's reproduction test as its FAIL_TO_PASS, where one
    fails on the base tree; the test file joins the test patch every run applies."""
    from sandbox import Session
    from solver.generators.llm.reproduce import join_patches

    with Session(client, image, config, spec) as session:
        existing = [*files, *task.test_files,
                    *(t.split("::")[0] for t in [*task.pass_to_pass, *task.hidden_tests])]
        kept = await model_run.reproduce(task, files, session, existing)
    if kept is None:
        log("reproduction: no test failing on the base tree; FAIL_TO_PASS stays empty")
        return task, spec
    log(f"reproduction: {kept.test_path} fails on the base tree: {', '.join(kept.test_ids)}")
    test_patch = join_patches(task.test_patch, kept.patch)
    task = task.model_copy(update={
        "fail_to_pass": kept.test_ids, "test_patch": test_patch,
        "test_files": [*task.test_files, kept.test_path]})
    return task, dataclasses.replace(spec, extra_patch=test_patch,
                                     protected=spec.protected | {kept.test_path})


def summarize_result(result: Result, total_s: float) -> dict[str, Any]:
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
            "wall_s": ledger.wall_s, "test_runs": ledger.test_runs, "calls": ledger.calls,
        },
        "total_s": round(total_s, 2),
    }


def write_trajectory(
    folder: Path, result: Result, locations: list[Location], model_run: ModelRun | None = None
) -> None:
    """candidates.jsonl, localization.json, result.json, behaviour.json; with a ModelRun (the
    llm generator's record), its events.jsonl (prompts, answers, actions, drops, distilled notes)
    and llm_ledger.json (tokens and dollars per candidate)."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "candidates.jsonl").open("w", encoding="utf-8") as fh:
        for candidate in result.candidates:
            fh.write(candidate.model_dump_json() + "\n")
    (folder / "localization.json").write_text(
        json.dumps([dataclasses.asdict(loc) for loc in locations], indent=1), encoding="utf-8")
    (folder / "result.json").write_text(result.model_dump_json(indent=1), encoding="utf-8")
    if result.behaviour is not None:
        (folder / "behaviour.json").write_text(result.behaviour.model_dump_json(indent=1),
                                               encoding="utf-8")
    if model_run is not None:
        model_run.write(folder)
