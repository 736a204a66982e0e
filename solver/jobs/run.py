"""One task end to end: environment, localization, engine, and what a run writes.

Shared by `solver solve`, `solver ci` and `solver eval`.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sandbox import RunSpec, SandboxConfig, Verdict
    from solver.analysis import Location
    from solver.engine import CandidateRecord, Result
    from solver.generators.llm.model_run import ModelRun
    from solver.planner import SharedBudget
    from solver.protocols import Generator
    from solver.types import Budget
    from tasks.model import Task

Log = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


@dataclass(frozen=True)
class GeneratorOptions:
    """Which generator proposes candidates, and its settings."""

    kind: str = "search"
    """`search` (offline) or `llm`."""
    model: str | None = None
    """litellm model string for `llm`; None: SOLVER_MODEL."""
    api_base: str | None = None
    """OpenAI-compatible endpoint; None: SOLVER_API_BASE or the provider's default."""
    temperature: float | None = None
    max_tokens_per_call: int | None = None
    agent_steps: int = 0
    """Actions an LLM trajectory may take in its own sandbox before it proposes."""
    context_tokens: int = 12000
    """Budget of the code one prompt shows (estimated tokens)."""


def choose_generator(
    kind: str | None, model: str | None = None, api_base: str | None = None,
    temperature: float | None = None, agent_steps: int = 0,
) -> GeneratorOptions:
    """`kind` None: `llm` when a model is configured (`model` or SOLVER_MODEL), else `search`.
    Raises ValueError for an unknown kind or `llm` without a model."""
    import os

    configured = model or os.environ.get("SOLVER_MODEL")
    kind = kind or ("llm" if configured else "search")
    if kind not in ("llm", "search"):
        raise ValueError(f"--generator {kind}: choose llm or search")
    if kind == "llm" and not configured:
        raise ValueError("--generator llm needs a model: --model or SOLVER_MODEL")
    return GeneratorOptions(kind=kind, model=model, api_base=api_base, temperature=temperature,
                            agent_steps=agent_steps)


@asynccontextmanager
async def closing_model_clients(options: GeneratorOptions) -> AsyncIterator[None]:
    """litellm's HTTP clients closed in the event loop that made the calls (llm only)."""
    try:
        yield
    finally:
        if options.kind == "llm":
            from solver.generators.llm.client import close_clients

            await close_clients()


def start_model_run(options: GeneratorOptions, budget: Budget) -> ModelRun:
    """The model side of one task (client, ledger, record) for the `llm` generator."""
    from solver.generators.llm.client import load_model_config
    from solver.generators.llm.generator import GeneratorSettings
    from solver.generators.llm.model_run import ModelRun

    config = load_model_config({"model": options.model, "api_base": options.api_base,
                                "temperature": options.temperature,
                                "max_tokens": options.max_tokens_per_call})
    settings = GeneratorSettings(context_tokens=options.context_tokens,
                                 agent_steps=options.agent_steps)
    return ModelRun(config, budget, settings)


def make_generator(
    task: Task, files: dict[str, str], locations: list[Location], options: GeneratorOptions,
    model_run: ModelRun | None = None, baseline: dict[str, str] | None = None,
) -> Generator:
    """`files`: the task's source files at its base commit; `baseline`: how each FAIL_TO_PASS
    test fails before any edit (the search compares)."""
    from solver.generators.search.generator import SearchGenerator

    if options.kind == "search":
        return SearchGenerator(files, locations, baseline=baseline)
    if options.kind == "llm":
        if model_run is None:
            raise ValueError("the llm generator needs a ModelRun (start_model_run)")
        return model_run.make_generator(files, locations)
    raise ValueError(f"unknown generator {options.kind!r}")


async def solve_task(
    task: Task, budget: Budget, config: SandboxConfig, log: Log = _quiet,
    options: GeneratorOptions | None = None, trajectory_dir: Path | None = None,
    repos_dir: Path | None = None, shared: SharedBudget | None = None,
    on_round: Callable[[int, list[CandidateRecord]], None] = lambda *_: None,
) -> tuple[Result, list[Location]]:
    """Environment, (reproduction tests,) localization while the pool warms up, the engine.

    `shared`: the eval's budget over all tasks, which this task draws its rounds from.

    `repos_dir`: mirrors of the repositories (one per owner/name) for tasks that name a repo.
    With `trajectory_dir`, the trajectory (and the model's events) is written there at the end.
    """
    import anyio

    from sandbox import SandboxPool, Session, docker_client
    from sandbox.environment import prepare
    from solver.analysis.localization import localize_with_baseline
    from solver.analysis.sources import read_source_files
    from solver.engine import solve as run_engine
    from solver.planner import Decision
    from solver.selection.prober import SandboxProbe

    options = options or GeneratorOptions()
    model_run = start_model_run(options, budget) if options.kind == "llm" else None
    client = docker_client()
    result: Result | None = None
    locations: list[Location] = []
    try:
        env = await anyio.to_thread.run_sync(lambda: prepare(client, task, repos_dir, log=log))
        config, spec = env.sandbox_config(config), env.spec
        files = await anyio.to_thread.run_sync(read_source_files, task, repos_dir)
        if model_run is not None and not task.fail_to_pass:
            task, spec = await reproduce_issue(model_run, task, files, client, env.image, config,
                                               spec, log)
        coverage_image = await anyio.to_thread.run_sync(env.coverage_image, client, log)
        async with SandboxPool(env.image, spec, config, client=client) as pool:
            base: list[Verdict] = []
            baseline: dict[str, str] = {}

            async def locate() -> None:
                with Session(client, coverage_image, pool.config, spec) as session:
                    ranked, failures = await anyio.to_thread.run_sync(
                        localize_with_baseline, session, task)
                    locations.extend(ranked)
                    baseline.update(failures)
                    if model_run is not None and task.fail_to_pass:
                        base.append(await anyio.to_thread.run_sync(
                            lambda: session.verify("", task.fail_to_pass)))

            async with anyio.create_task_group() as tg:
                tg.start_soon(locate)
                tg.start_soon(pool.warm)
            log(f"localized: {len(locations)} location(s), top: "
                      + ", ".join(f"{loc.file}:{loc.line}" for loc in locations[:3]))
            if model_run is not None:
                model_run.base_verdict = base[0] if base else None
                model_run.open_session = lambda: Session(
                    client, env.image, pool.config, spec).start()
            generator = make_generator(task, files, locations, options, model_run, baseline)
            judges = [] if model_run is None else [model_run.make_judge()]
            result = await run_engine(task, generator, pool, budget, log=log, shared=shared,
                                      judges=judges, probe=SandboxProbe(pool, files, log),
                                      on_round=on_round)
            result.decisions.insert(0, Decision(
                round=0, action="localize",
                reason=f"{len(locations)} location(s) shared by all trajectories; top: "
                + ", ".join(f"{loc.file}:{loc.line} ({loc.reason})" for loc in locations[:3])))
            if model_run is not None:
                model_run.absorb(result.ledger)
    finally:
        if model_run is not None:
            await model_run.aclose()
        client.close()
        if trajectory_dir is not None and result is not None:
            write_trajectory(trajectory_dir, result, locations, model_run)
    assert result is not None  # the engine returned, or its exception left above
    return result, locations


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
