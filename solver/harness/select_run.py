"""`solver select`: one patch per instance from anyone's candidates, chosen by the tournament.

    pools (solver.harness.pools) ─► per instance, one sandbox session:
        evidence (solver.harness.select_evidence) ─► tournament (solver.selection) ─► pick
        ─► grading of every candidate, afterwards, where hidden tests exist
    out/
      results.jsonl      one line per instance (appended, fsync'd): a resumed run skips them,
                         but attempts again those that ended in an infrastructure error
      predictions.jsonl  SWE-bench format plus `selected_from`, rewritten from results.jsonl
      report.json, report.html (solver.harness.select_report)

Evidence is recorded per candidate and per signal, so the pick is re-played offline with any
signal switched off (the report's ablation) without another sandbox run.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Sequence
from pathlib import Path

import anyio
import docker
from pydantic import BaseModel, Field

from sandbox import Outcome, SandboxConfig, SandboxError, Session, TestResult, Verdict
from sandbox.environment import prepare
from solver.harness.grade import harness_patches
from solver.harness.jsonl import append_line, write_lines
from solver.harness.pools import Pool
from solver.harness.select_evidence import Evidence, Record, Reproduction, Script, without_scripts
from solver.protocol import Protocol, answer_free
from solver.protocols import Judge
from solver.selection.behaviour import Behaviour
from solver.selection.evidence import Entry
from solver.selection.tournament import Match, pick
from solver.selection.tournament import select as tournament
from solver.types import Candidate, Ledger
from tasks.model import Task
from tasks.source import SourceError

SIGNALS: dict[str, tuple[str, ...]] = {
    "issue": ("regression", "reproduction", "scripts", "behaviour"), "tests": ("given",)}
OUTCOMES = ("regression", "reproduction", "scripts", "given")
"""The signals that are test outcomes per record (`behaviour` is the probe's data)."""
Judging = Callable[[], tuple[Judge, Ledger]]
"""A fresh model judge and the ledger its calls are charged to (one per instance)."""
RESULTS = "results.jsonl"
PREDICTIONS = "predictions.jsonl"
MODEL_NAME = "tts-solver-select"
EVIDENCE_TEST_TIMEOUT_S = 10.0
"""Per test, in the evidence runs: a test slower than this on base is no regression test."""


class SelectResult(BaseModel):
    instance_id: str
    protocol: str
    records: list[Record] = Field(default_factory=list)
    selected: int | None = None
    """Index into `records` of the pick (None: no candidate applied)."""
    bracket: list[Match] = Field(default_factory=list)
    regression_tests: int = 0
    reproductions: list[Reproduction] = Field(default_factory=list)
    scripts: list[Script] = Field(default_factory=list)
    behaviour: Behaviour | None = None
    seconds: float = 0.0
    judge_calls: int = 0
    judge_tokens: int = 0
    judge_cost_usd: float = 0.0
    error: str = ""
    """Why the instance could not be done (environment, sandbox): not a selection failure."""


def gradable(task: Task) -> bool:
    return bool(task.test_patch or task.fail_to_pass or task.hidden_tests)


def select_protocol(task: Task) -> Protocol:
    """`issue` wherever the task has grading tests and an issue text (bundled and synthesized
    tasks too, unlike `solver.protocol.default_protocol`: a selection is measured without the
    answer key wherever one exists), else `tests`."""
    return "issue" if gradable(task) and task.problem_statement.strip() else "tests"


def entries(records: Sequence[Record], signals: Collection[str]) -> list[Entry]:
    """The tournament's entries: every applied record, its verdict made of the signals on."""
    found: list[Entry] = []
    for index, record in enumerate(records):
        if not record.applied:
            continue
        tests: dict[str, TestResult] = {}
        for signal in (s for s in signals if s in OUTCOMES):
            for test_id, outcome in getattr(record, signal).items():
                key = f"{signal}::{test_id}"
                tests[key] = TestResult(test_id=key, outcome=outcome)
        found.append((Candidate(id=str(index), diff=record.code or record.patch),
                      Verdict(applied=True, tests=tests)))
    return found


def choose(records: Sequence[Record], signals: Collection[str],
           behaviour: Behaviour | None = None) -> tuple[int | None, list[Match]]:
    """The tournament's pick on the evidence of `signals` (pure: re-playable offline)."""
    winner, bracket = pick(entries(records, signals),
                           behaviour=behaviour if "behaviour" in signals else None)
    return (int(winner[0].id) if winner else None), bracket


def choose_judged(
    records: Sequence[Record], signals: Collection[str], task: Task, judge: Judge,
    behaviour: Behaviour | None = None,
) -> tuple[int | None, list[Match]]:
    """The tournament's pick with `judge` voting (ballots rotated, malformed ones abstaining)
    where the execution evidence leaves several contenders."""
    from solver.generators.llm import close_clients

    async def judged() -> tuple[Entry | None, list[Match]]:
        try:
            return await tournament(answer_free(task), entries(records, signals), [judge],
                                    behaviour=behaviour if "behaviour" in signals else None)
        finally:
            await close_clients()

    winner, bracket = anyio.run(judged)
    return (int(winner[0].id) if winner else None), bracket


def records_of(pool: Pool) -> list[Record]:
    votes = pool.votes()
    records = []
    for first in pool.distinct():
        same = [c for c in pool.candidates if c.key == first.key]
        records.append(Record(sources=[c.source for c in same], places=[c.place for c in same],
                              votes=votes[first.key], patch=first.patch,
                              code=without_scripts(harness_patches(first.patch, "")[0])))
    return records


def select_instance(
    client: docker.DockerClient, task: Task, pool: Pool, protocol: Protocol,
    repos_dir: Path | None, config: SandboxConfig, judging: Judging | None = None,
) -> SelectResult:
    """Evidence, pick, then grading (only then) of one instance's pool."""
    start = time.monotonic()
    result = SelectResult(instance_id=task.instance_id, protocol=protocol,
                          records=records_of(pool))
    records = result.records
    try:
        env = prepare(client, task, repos_dir)
        if protocol == "issue":
            # the evidence runs with no network at all: a test that wants one fails at once
            # (and so is no regression test) instead of waiting out its timeout
            quick = config.model_copy(update={
                "test_timeout_s": min(config.test_timeout_s, EVIDENCE_TEST_TIMEOUT_S)})
            with Session(client, env.image, quick, env.spec) as session:
                evidence = Evidence(session, task, repos_dir)
                regression = evidence.run_regression(records)
                result.regression_tests = len(regression)
                result.reproductions = evidence.run_reproductions(records)
                result.scripts = evidence.run_scripts(records)
                result.behaviour = evidence.run_behaviour(records, regression)
            result.selected, result.bracket = decide(result, task, judging)
        with Session(client, env.image, env.sandbox_config(config), env.spec) as session:
            grading = Evidence(session, task, repos_dir)
            if protocol == "tests":
                grading.run_given(records)
                result.selected, result.bracket = decide(result, task, judging)
            elif gradable(task):  # afterwards, in a session of its own
                for record in records:
                    grading.grade(record)
    except (SandboxError, SourceError, ValueError) as exc:
        result.error = f"{type(exc).__name__}: {str(exc)[:500]}"
    result.seconds = round(time.monotonic() - start, 2)
    return result


def decide(result: SelectResult, task: Task, judging: Judging | None
           ) -> tuple[int | None, list[Match]]:
    """The pick: the execution evidence alone, or with a model judge (its spend recorded)."""
    signals = SIGNALS[result.protocol]
    if judging is None:
        return choose(result.records, signals, result.behaviour)
    judge, ledger = judging()
    try:
        return choose_judged(result.records, signals, task, judge, result.behaviour)
    finally:
        result.judge_calls, result.judge_tokens = ledger.calls, ledger.tokens
        result.judge_cost_usd = round(ledger.cost_usd, 6)


def read_results(out: Path) -> list[SelectResult]:
    path = out / RESULTS
    if not path.exists():
        return []
    found: dict[str, SelectResult] = {}
    for line in path.read_text().splitlines():
        try:
            result = SelectResult.model_validate_json(line)
        except ValueError:
            continue  # a torn last line: that instance runs again
        found[result.instance_id] = result  # the last attempt of an instance stands
    return list(found.values())


def append_result(out: Path, result: SelectResult) -> None:
    append_line(out / RESULTS, result)


def write_predictions(out: Path, results: Sequence[SelectResult]) -> None:
    picked = [(r, r.records[r.selected]) for r in results if r.selected is not None]
    write_lines(out / PREDICTIONS, (
        {"instance_id": r.instance_id, "model_name_or_path": MODEL_NAME,
         "model_patch": record.patch, "selected_from": record.sources[0]}
        for r, record in picked))


def run_select(
    tasks: Sequence[Task], pools: dict[str, Pool], out: Path, protocol: Protocol | None,
    repos_dir: Path | None, config: SandboxConfig,
    on_done: Callable[[SelectResult], None] = lambda _: None, judging: Judging | None = None,
) -> list[SelectResult]:
    """Every instance that has a pool and is not yet in results.jsonl, one at a time."""
    from sandbox import docker_client

    out.mkdir(parents=True, exist_ok=True)
    # an instance that ended in an infrastructure error (environment, sandbox) is attempted
    # again; one that was done is not
    done = {r.instance_id for r in read_results(out) if not r.error}
    client = docker_client()
    try:
        for task in tasks:
            if task.instance_id in done or task.instance_id not in pools:
                continue
            result = select_instance(client, task, pools[task.instance_id],
                                     protocol or select_protocol(task), repos_dir, config,
                                     judging)
            append_result(out, result)
            on_done(result)
    finally:
        client.close()
    wanted = {t.instance_id for t in tasks}
    results = sorted((r for r in read_results(out) if r.instance_id in wanted),
                     key=lambda r: r.instance_id)
    write_predictions(out, results)
    return results


def passed(outcomes: dict[str, Outcome]) -> int:
    return sum(o == Outcome.PASSED for o in outcomes.values())
