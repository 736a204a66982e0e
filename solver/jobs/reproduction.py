"""The reproduction stage: before the rounds, the model writes tests of the issue.

    issue + code ─► model_run.reproduce (solver/generators/llm/reproduce.py), `count` times,
        each a test file of its own ─► run on the base tree ─► kept where it fails there
    kept ─► FAIL_TO_PASS of the task as the engine sees it; the files join the run spec's
        extra patch (the test-patch slot), so every later verification carries them

Under `--protocol issue` this is what the candidates are verified against (with the regression
tests, solver/jobs/regression.py); an issue-only task under `tests` gets it too. The stage has
its own ledger line (`reproduce`) and its own decision in the trajectory.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from solver.planner import Decision
from solver.types import StageSpend

if TYPE_CHECKING:
    from sandbox import RunSpec, SandboxConfig
    from solver.generators.llm.model_run import ModelRun
    from solver.generators.llm.reproduce import Reproduction
    from solver.jobs.runlog import RunLog
    from tasks.model import Task

REPRODUCTIONS = 1
"""Reproduction tests asked for per task by default (`reproductions` in the configuration under
--protocol issue), each from a conversation of its own."""


@dataclass(frozen=True)
class Reproduced:
    """The task and run spec with the kept reproductions, and what the stage did."""

    task: Task
    spec: RunSpec
    decision: Decision
    spend: StageSpend


async def reproduce_stage(
    model_run: ModelRun, task: Task, files: dict[str, str], client: Any, image: str,
    config: SandboxConfig, spec: RunSpec, log: Callable[[str], None], runlog: RunLog,
    count: int = REPRODUCTIONS,
) -> Reproduced:
    """`count` reproduction tests, each kept only where it fails on the base tree; every run
    on the base tree goes into `runlog`."""
    from sandbox import Session

    start, calls, tokens = time.monotonic(), model_run.ledger.calls, model_run.ledger.tokens
    first_event = len(model_run.recorder.events)
    kept: list[Reproduction] = []
    with Session(client, image, config, spec) as session:
        existing = [*files, *task.test_files,
                    *(t.split("::")[0] for t in [*task.pass_to_pass, *task.hidden_tests])]
        for _ in range(count):
            found = await model_run.reproduce(task, files, session,
                                              [*existing, *(k.test_path for k in kept)])
            if found is not None:
                kept.append(found)
    tries = [e for e in model_run.recorder.events[first_event:] if e["type"] == "reproduce"]
    for e in tries:
        if e.get("extra_patch"):
            runlog.add("reproduce", [], [str(e["test_path"])], str(e["extra_patch"]))
    spend = StageSpend(seconds=round(time.monotonic() - start, 3),
                       sandbox_s=round(sum(float(e.get("sandbox_s", 0.0)) for e in tries), 3),
                       test_runs=len(tries), calls=model_run.ledger.calls - calls,
                       tokens=model_run.ledger.tokens - tokens)
    decision = Decision(round=0, action="reproduce", reason=describe(count, tries, kept),
                        at_s=spend.seconds)
    log(f"reproduction: {decision.reason}")
    if not kept:
        return Reproduced(task, spec, decision, spend)
    return Reproduced(*with_reproductions(task, spec, kept), decision, spend)


def with_reproductions(
    task: Task, spec: RunSpec, kept: list[Reproduction]
) -> tuple[Task, RunSpec]:
    """The kept tests as the task's FAIL_TO_PASS, their files in the test patch and protected."""
    from solver.generators.llm.reproduce import join_patches

    test_patch = join_patches(task.test_patch, *(k.patch for k in kept))
    paths = [k.test_path for k in kept]
    task = task.model_copy(update={
        "fail_to_pass": [t for k in kept for t in k.test_ids], "test_patch": test_patch,
        "test_files": [*task.test_files, *paths]})
    return task, dataclasses.replace(spec, extra_patch=test_patch,
                                     protected=spec.protected | set(paths))


def describe(count: int, tries: list[dict[str, Any]], kept: list[Reproduction]) -> str:
    """How many reproductions were asked for and written, how many failed on the base tree,
    which were kept, and why the others were not."""
    failed = sum(bool(e.get("kept")) for e in tries)
    misses = [str(e.get("feedback", "")).splitlines()[0] for e in tries
              if not e.get("kept") and e.get("feedback")]
    text = (f"{count} reproduction(s) asked, {len(tries)} test file(s) tried, {failed} failed "
            f"on the base tree; kept: "
            + (", ".join(t for k in kept for t in k.test_ids) if kept else "none"))
    if misses:
        text += "; not kept: " + " | ".join(m[:160] for m in misses)
    if not kept:
        text += "; FAIL_TO_PASS stays empty"
    return text
