"""Grading SWE-bench predictions in the sandbox, the harness's way.

predictions.jsonl (instance_id, model_name_or_path, model_patch)
    ─► per instance: environment (sandbox.environment.prepare) ─► one run of FAIL_TO_PASS +
       PASS_TO_PASS with the patch and the test_patch ─► Grade
A Grade keeps apart what the patch did (tests failed or errored, the runner crashed, its report
is not trusted: `unresolved`) from what stopped the grading (the environment, the sandbox, the
whole run past its deadline: `error`, as the harness's error_ids); a patch that does not apply is
`patch_failed` (with the reason, always), an empty one `empty`. A prediction that also edits
tests is graded, not refused: `harness_patches` splits it as the harness applies it. `resolved`
is the harness's FULL: every FAIL_TO_PASS and PASS_TO_PASS test passed. Per test, an error
(setup, collection, timeout) is kept apart from a failure too.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Literal

import anyio
import docker
from pydantic import BaseModel, ValidationError

from sandbox import PatchRejected, SandboxConfig, SandboxError, Session, check_patch, docker_client
from sandbox.concurrency import gather_limited, in_thread
from sandbox.environment import prepare
from sandbox.swebench_ids import split_test_ids
from sandbox.verdict import Outcome, Verdict
from tasks.diffs import file_sections
from tasks.model import Task
from tasks.paths import is_test_file
from tasks.source import SourceError

Status = Literal["resolved", "unresolved", "patch_failed", "empty", "error"]
Log = Callable[[str], None]


class Prediction(BaseModel):
    instance_id: str
    model_name_or_path: str = ""
    model_patch: str | None = ""


class TestGroup(BaseModel):
    success: list[str] = []
    failure: list[str] = []
    """Tests that ran and failed (or were skipped, or missing from the report)."""
    error: list[str] = []
    """Tests that errored (setup, collection) or timed out: kept apart from plain failures."""


class Grade(BaseModel):
    instance_id: str
    model_name_or_path: str = ""
    status: Status = "error"
    resolved: bool = False
    patch_applied: bool = False
    error: str = ""
    """Why grading could not be done (status `error`), or why the patch did not apply."""
    reason: str = ""
    """What the sandbox said about the run (a crashed runner, a report it does not trust)."""
    fail_to_pass: TestGroup = TestGroup()
    pass_to_pass: TestGroup = TestGroup()
    outcomes: dict[str, Outcome] = {}
    """The outcome of every graded test."""
    seconds: float = 0.0


def load_predictions(path: Path) -> tuple[list[Prediction], list[str]]:
    """Predictions from a JSONL file (or a JSON list); one error per bad line, naming it."""
    text = path.read_text()
    if text.lstrip().startswith("["):
        rows: Iterable[tuple[int, object]] = enumerate(json.loads(text), 1)
    else:
        rows = ((n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip())
    found, errors = [], []
    for number, row in rows:
        try:
            data = json.loads(row) if isinstance(row, str) else row
            found.append(Prediction.model_validate(data))
        except (ValueError, ValidationError) as exc:
            errors.append(f"{path}:{number}: {str(exc).splitlines()[0]}")
    return found, errors


def group(verdict: Verdict, test_ids: Sequence[str]) -> TestGroup:
    result = TestGroup()
    errored = (Outcome.ERROR, Outcome.TIMEOUT)
    for test_id in test_ids:
        outcome = verdict.outcome(test_id)
        bucket = result.success if outcome == Outcome.PASSED else (
            result.error if outcome in errored else result.failure)
        bucket.append(test_id)
    return result


def graded_ids(task: Task) -> tuple[list[str], list[str]]:
    """FAIL_TO_PASS and PASS_TO_PASS without the ids that name no test (`split_test_ids`)."""
    return split_test_ids(task.fail_to_pass)[0], split_test_ids(task.pass_to_pass)[0]


def harness_patches(model_patch: str, test_patch: str) -> tuple[str, str]:
    """(the candidate, what goes with the test patch): a prediction split as the harness grades
    it. The harness applies the whole prediction, resets the files the test patch touches and
    then applies the test patch; so here the prediction's sections on those files are dropped,
    its other sections on tests or their configuration (which the sandbox's patch check refuses
    from a candidate) run before the test patch, as the harness runs them, and the rest is the
    candidate."""
    reset = {path for path, _ in file_sections(test_patch)}
    code: list[str] = []
    tests: list[str] = []
    for path, section in file_sections(model_patch):
        if path in reset:
            continue
        (tests if is_test_file(path) or refused(section) else code).append(section)
    return "".join(code), "".join([*tests, test_patch])


def refused(section: str) -> bool:
    try:
        check_patch(section)
    except PatchRejected:
        return True
    return False


def grade_verdict(task: Task, verdict: Verdict, grade: Grade) -> Grade:
    """Fill `grade` from the run of the task's tests with the patch (pure)."""
    if not verdict.applied:
        why = verdict.reason or "the patch does not apply"
        return grade.model_copy(update={"status": "patch_failed", "error": why, "reason": why})
    f2p_ids, p2p_ids = graded_ids(task)
    f2p, p2p = group(verdict, f2p_ids), group(verdict, p2p_ids)
    wanted = [*f2p_ids, *p2p_ids]
    resolved = not (f2p.failure or f2p.error or p2p.failure or p2p.error)
    status: Status = "resolved" if resolved else "error" if verdict.timed_out else "unresolved"
    return grade.model_copy(update={
        "status": status, "resolved": resolved, "patch_applied": True, "reason": verdict.reason,
        "error": "the test run passed its deadline" if verdict.timed_out else "",
        "fail_to_pass": f2p, "pass_to_pass": p2p,
        "outcomes": {t: verdict.outcome(t) for t in wanted},
    })


def grade_prediction(
    client: docker.DockerClient, task: Task, prediction: Prediction, repos_dir: Path | None,
    config: SandboxConfig,
) -> Grade:
    start = time.monotonic()
    grade = Grade(instance_id=task.instance_id, model_name_or_path=prediction.model_name_or_path)
    if not (prediction.model_patch or "").strip():
        return grade.model_copy(update={"status": "empty"})
    try:
        env = prepare(client, task, repos_dir)
        with Session(client, env.image, env.sandbox_config(config), env.spec) as session:
            code, tests = harness_patches(prediction.model_patch or "", task.test_patch)
            verdict = session.verify(code, [t for ids in graded_ids(task) for t in ids],
                                     extra_patch=tests)
        grade = grade_verdict(task, verdict, grade)
    except (SandboxError, SourceError, ValueError) as exc:
        grade = grade.model_copy(update={"status": "error", "error": str(exc)[:2000]})
    return grade.model_copy(update={"seconds": round(time.monotonic() - start, 2)})


async def grade_all(
    tasks: Sequence[Task], predictions: Sequence[Prediction], repos_dir: Path | None = None,
    config: SandboxConfig | None = None, on_grade: Callable[[Grade], None] = lambda _: None,
) -> list[Grade]:
    """Grade every prediction whose instance is among `tasks`; an unknown instance is an error."""
    config = config or SandboxConfig()
    by_id = {task.instance_id: task for task in tasks}
    client = docker_client()

    def one(prediction: Prediction) -> Grade:
        task = by_id.get(prediction.instance_id)
        if task is None:
            return Grade(instance_id=prediction.instance_id, error="no such instance",
                         model_name_or_path=prediction.model_name_or_path)
        return grade_prediction(client, task, prediction, repos_dir, config)

    try:
        return await gather_limited(in_thread(one), predictions, config.capacity, on_grade)
    finally:
        client.close()


def summarize_grades(grades: Sequence[Grade]) -> dict[str, object]:
    """Counts per status and the resolved share, as the harness's report gives them."""
    counts: dict[str, int] = {}
    for grade in grades:
        counts[grade.status] = counts.get(grade.status, 0) + 1
    return {"total": len(grades), **counts,
            "resolved_ids": sorted(g.instance_id for g in grades if g.resolved),
            "error_ids": sorted(g.instance_id for g in grades if g.status == "error")}


def grade_file(
    predictions_path: Path, tasks_path: Path, repos_dir: Path | None, out: Path,
    config: SandboxConfig | None = None, log: Log = lambda _: None,
) -> dict[str, object]:
    """Grade a predictions file against the tasks under `tasks_path`; one JSON line per grade is
    appended to `out` as each ends; returns the summary."""
    from tasks.load import load_tasks

    predictions, errors = load_predictions(predictions_path)
    loaded = load_tasks(tasks_path)
    for error in [*errors, *map(str, loaded.errors)]:
        log(error)
    out.parent.mkdir(parents=True, exist_ok=True)

    def record(grade: Grade) -> None:
        with out.open("a") as f:
            f.write(grade.model_dump_json() + "\n")
        log(f"{grade.instance_id}: {grade.status}")

    grades = anyio.run(lambda: grade_all(loaded.tasks, predictions, repos_dir, config, record))
    return summarize_grades(grades)
