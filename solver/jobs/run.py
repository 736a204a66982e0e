"""One task end to end: environment, localization, engine, and what a run writes.

Shared by `solver solve`, `solver ci` and `solver eval`.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from solver.analysis.failures import looping_note, timed_out
from solver.compose import Located, Prepared, compose, session_opener, start_model_run
from solver.planner import Decision
from solver.protocol import NO_MODEL, Protocol, ProtocolError, answer_free, resolve_protocol
from solver.types import StageSpend
from tasks.model import test_files_of

if TYPE_CHECKING:
    from sandbox import SandboxPool
    from solver.analysis import Location
    from solver.config import SolverConfig
    from solver.engine import CandidateRecord, Result
    from solver.generators.llm.model_run import ModelRun
    from solver.jobs.runlog import RunLog
    from solver.planner import SharedBudget
    from solver.protocols import Verifier
    from tasks.model import Task

Log = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


async def solve_task(
    task: Task, config: SolverConfig, log: Log = _quiet, trajectory_dir: Path | None = None,
    repos_dir: Path | None = None, shared: SharedBudget | None = None,
    on_round: Callable[[int, list[CandidateRecord]], None] = lambda *_: None,
) -> tuple[Result, list[Location]]:
    """Environment, (reproduction tests,) localization while the pool warms up, (regression
    tests,) the engine with what `solver.compose` builds from `config`, (grading).

    The protocol (solver/protocol.py) decides what the stages see: under `issue` the engine gets
    the task without its answer key, verifies against reproduction and regression tests, and the
    hidden tests grade the candidates once the pick is made. Raises ProtocolError where the
    protocol cannot run (`issue` without a model).
    `shared`: the eval's budget over all tasks, which this task draws its rounds from.
    `repos_dir`: mirrors of the repositories (one per owner/name) for tasks that name a repo.
    With `trajectory_dir`, the trajectory (and the model's events) is written there at the end.
    """
    from sandbox import SandboxPool, docker_client
    from solver.engine import solve as run_engine
    from solver.jobs.grading import grade_after_pick
    from solver.jobs.regression import pick_despite_regressions
    from solver.jobs.runlog import GRADE, RecordingVerifier, RunLog
    from solver.selection.prober import SandboxProbe

    protocol = check_protocol(task, config)
    model_run = start_model_run(config)
    client = docker_client()
    result: Result | None = None
    located, runlog, stages = Located(), RunLog(), Stages()
    try:
        ready = await prepare_task(client, task, config, model_run, repos_dir, log, protocol,
                                   runlog, stages)
        async with SandboxPool(ready.image, ready.spec, ready.sandbox, client=client) as pool:
            runlog.add("spec", [], [], ready.spec.extra_patch)
            verifier = RecordingVerifier(pool, runlog, ready.spec.extra_patch)
            located = await localize_while_warming(client, ready, pool, model_run is not None,
                                                   runlog)
            log(f"localized: {len(located.locations)} location(s), top: "
                + ", ".join(f"{loc.file}:{loc.line}" for loc in located.locations[:3]))
            verifier.hangs = timed_out(located.baseline)
            if verifier.hangs:
                log(looping_note(verifier.hangs))
            if protocol == "issue":
                ready = await with_regression_tests(ready, verifier, located, repos_dir, stages,
                                                    log)
            opener = session_opener(client, ready.image, pool.config, ready.spec)
            parts = compose(config, ready, located, model_run, opener)
            verifier.loops_stop = True
            result = await run_engine(ready.task, parts.generator, verifier, parts.budget,
                                      log=log, shared=shared, judges=parts.judges,
                                      probe=SandboxProbe(pool, ready.files, log),
                                      on_round=on_round)
            if protocol == "issue":
                result = pick_despite_regressions(result)
                runlog.stage = GRADE
                result = await grade_after_pick(verifier, task, result)
                log(f"graded after the pick: correct={result.correct} "
                    f"oracle_correct={result.oracle_correct}")
        record_localization(result, located.locations, verifier.hangs)
        result = stages.record(result, protocol)
        if model_run is not None:
            model_run.absorb(result.ledger)
    finally:
        if model_run is not None:
            await model_run.aclose()
        client.close()
        if trajectory_dir is not None and result is not None:
            write_trajectory(trajectory_dir, result, located.locations, model_run)
            runlog.write(trajectory_dir)
    return result, located.locations


def check_protocol(task: Task, config: SolverConfig) -> Protocol:
    """The protocol `task` runs under; `issue` needs a model (the search generator has no
    failing test to localize from)."""
    from solver.config import GeneratorKind

    protocol = resolve_protocol(task, config.protocol)
    if protocol == "issue" and config.kind is not GeneratorKind.LLM:
        raise ProtocolError(NO_MODEL.format(task=task.instance_id))
    return protocol


class Stages:
    """The stages around the rounds: their decisions and ledger lines, put into the result."""

    def __init__(self) -> None:
        self.decisions: list[Decision] = []
        self.spend: dict[str, StageSpend] = {}

    def add(self, name: str, decision: Decision, spend: StageSpend) -> None:
        self.decisions.append(decision)
        self.spend[name] = spend

    def record(self, result: Result, protocol: Protocol) -> Result:
        ledger = result.ledger.model_copy(deep=True)
        ledger.stages = {**self.spend, **ledger.stages}
        return result.model_copy(update={
            "protocol": protocol, "ledger": ledger,
            "decisions": [*self.decisions, *result.decisions]})


async def prepare_task(
    client: Any, task: Task, config: SolverConfig, model_run: ModelRun | None,
    repos_dir: Path | None, log: Log, protocol: Protocol, runlog: RunLog, stages: Stages,
) -> Prepared:
    """Images, limits and files of the task. Under `issue` the environment is built from the
    whole task but the run spec and the task the stages see lose the answer key; the model's
    reproduction tests come first there, and for any issue-only task (llm only)."""
    import anyio

    from sandbox.environment import prepare
    from solver.analysis.sources import read_source_files
    from solver.jobs.reproduction import reproduce_stage

    env = await anyio.to_thread.run_sync(lambda: prepare(client, task, repos_dir, log=log))
    sandbox, spec = env.sandbox_config(config.sandbox()), env.spec
    if protocol == "issue":
        task = answer_free(task)
        spec = dataclasses.replace(spec, extra_patch="", protected=test_files_of(task))
    files = await anyio.to_thread.run_sync(read_source_files, task, repos_dir)
    if model_run is not None and not task.fail_to_pass:
        done = await reproduce_stage(model_run, task, files, client, env.image, sandbox, spec,
                                     log, runlog,
                                     count=config.reproductions if protocol == "issue" else 1)
        task, spec = done.task, done.spec
        stages.add("reproduce", done.decision, done.spend)
    coverage_image = await anyio.to_thread.run_sync(env.coverage_image, client, log)
    return Prepared(task=task, image=env.image, coverage_image=coverage_image, sandbox=sandbox,
                    spec=spec, files=files)


async def with_regression_tests(
    ready: Prepared, verifier: Verifier, located: Located, repos_dir: Path | None,
    stages: Stages, log: Log,
) -> Prepared:
    """`ready` with the repository's own tests that guard the suspect code as PASS_TO_PASS."""
    import anyio

    from solver.analysis.sources import read_test_files
    from solver.jobs.regression import choose_regression_tests

    tests = await anyio.to_thread.run_sync(read_test_files, ready.task, repos_dir)
    chosen = await choose_regression_tests(verifier, located.locations, ready.files, tests,
                                           ready.task.problem_statement)
    stages.add("regression", chosen.decision, chosen.spend)
    log(f"regression: {chosen.decision.reason}")
    task = ready.task.model_copy(update={"pass_to_pass": chosen.test_ids})
    return dataclasses.replace(ready, task=task)


async def localize_while_warming(
    client: Any, ready: Prepared, pool: SandboxPool, base_verdict: bool, runlog: RunLog,
) -> Located:
    """One coverage run ranks the lines (and, with `base_verdict`, FAIL_TO_PASS runs on the
    base tree) while the pool's containers start. A task with no FAIL_TO_PASS (an issue no
    reproduction was kept for) is not localized: its whole suite would run."""
    import anyio

    from sandbox import Session
    from solver.analysis.localization import localize_with_baseline

    found: list[Located] = []

    async def locate() -> None:
        task = ready.task
        if not task.fail_to_pass:
            found.append(Located())
            return
        with Session(client, ready.coverage_image, pool.config, ready.spec) as session:
            runlog.add("coverage", [], [*task.fail_to_pass, *task.pass_to_pass],
                       ready.spec.extra_patch)
            ranked, failures = await anyio.to_thread.run_sync(
                localize_with_baseline, session, task)
            base = None
            if base_verdict:
                runlog.add("base", [], task.fail_to_pass, ready.spec.extra_patch)
                base = await anyio.to_thread.run_sync(
                    lambda: session.verify("", task.fail_to_pass))
            found.append(Located(ranked, failures, base))

    async with anyio.create_task_group() as tg:
        tg.start_soon(locate)
        tg.start_soon(pool.warm)
    return found[0]


def record_localization(result: Result, locations: list[Location],
                        hangs: frozenset[str] = frozenset()) -> None:
    """Localization as the run's first decision (with a looping base named)."""
    note = looping_note(hangs)
    result.decisions.insert(0, Decision(
        round=0, action="localize",
        reason=f"{len(locations)} location(s) shared by all trajectories; top: "
        + ", ".join(f"{loc.file}:{loc.line} ({loc.reason})" for loc in locations[:3])
        + (f"; {note}" if note else "")))


def summarize_result(result: Result, total_s: float) -> dict[str, Any]:
    ledger = result.ledger
    return {
        "instance_id": result.instance_id,
        "plausible": result.plausible,
        "correct": result.correct,
        "oracle": result.oracle,
        "oracle_correct": result.oracle_correct,
        "protocol": result.protocol,
        "winner": result.winner,
        "gaming": any(c.id == result.winner and c.verdict.gaming for c in result.candidates),
        "patch": result.patch,
        "rounds": result.rounds,
        "candidates": len(result.candidates),
        "ledger": {
            "tokens": ledger.tokens, "cost_usd": ledger.cost_usd, "sandbox_s": ledger.sandbox_s,
            "wall_s": ledger.wall_s, "test_runs": ledger.test_runs, "calls": ledger.calls,
            "stages": {name: spend.model_dump() for name, spend in ledger.stages.items()},
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
