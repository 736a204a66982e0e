"""Gold validation of a task: its failing tests fail on the base tree, and the gold patch makes
FAIL_TO_PASS and PASS_TO_PASS pass (and the held-back tests, where the task has them)."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import anyio
import docker
from pydantic import BaseModel

from sandbox import SandboxConfig, SandboxError, SandboxPool, Verdict, docker_client
from sandbox.concurrency import gather_limited
from sandbox.environment import prepare
from sandbox.swebench_ids import renamed, split_test_ids, with_swebench_ids
from solver.harness.internet import needing_internet, not_runnable_reason
from solver.heldback import verify_held_back
from solver.types import Candidate
from tasks.model import Task
from tasks.source import MissingMirror, SourceError

Log = Callable[[str], None]


GOLD_DEADLINES = SandboxConfig(test_timeout_s=600.0, run_timeout_s=1800.0)
"""Gold runs get the SWE-bench harness's deadline (30 min a run) and a loose one per test: the
patch is known to end, and a slow test under load (seaborn's test_relplot_complex past 60 s on a
shared machine) is not a failed validation."""


class Validation(BaseModel):
    """One task's gold validation, as `solver tasks validate --out` keeps it in results.jsonl."""

    instance_id: str
    repo: str = ""
    base_fails: bool = False
    """Every FAIL_TO_PASS test fails (or errors) on the base tree."""
    gold_passes: bool = False
    """With the gold patch, every FAIL_TO_PASS and PASS_TO_PASS test passes."""
    hidden_pass: bool | None = None
    """With the gold patch, every held-back test passes (None: the task has none)."""
    problems: list[str] = []
    """Why it does not validate, each whole (never cut)."""
    deviations: list[str] = []
    """Where the environment differs from the one the task was recorded in."""
    seconds: float = 0.0
    ready_seconds: float = 0.0
    """Of `seconds`, the time to a ready environment (images built or found in the cache)."""
    env_s: float = 0.0
    """Of `ready_seconds`: to the env image (built, or found in the cache)."""
    install_s: float = 0.0
    """Of `ready_seconds`: to the installed tree (the per-instance layer)."""
    validate_s: float = 0.0
    """The test runs: base tree, gold patch, held-back tests."""
    image_bytes: int = 0
    """The instance's image, all layers."""
    layer_bytes: int = 0
    """Of `image_bytes`, what the instance adds on its shared env image."""
    not_runnable: bool = False
    """Cannot run here whatever the code does (the reason says why), kept apart from failed."""
    finished: str = ""

    @property
    def ok(self) -> bool:
        return self.base_fails and self.gold_passes and self.hidden_pass is not False

    @property
    def status(self) -> str:
        if self.ok:
            return "validated"
        return "not_runnable" if self.not_runnable else "failed"

    @property
    def reason(self) -> str:
        return "; ".join(self.problems)


async def validate_task(
    client: docker.DockerClient, task: Task, repos_dir: Path | None, config: SandboxConfig
) -> Validation:
    start = time.monotonic()
    result = Validation(instance_id=task.instance_id, repo=task.repo or "")
    try:
        env = await anyio.to_thread.run_sync(prepare, client, task, repos_dir)
        result.ready_seconds = round(time.monotonic() - start, 2)
        result.env_s = env.timings.get("env_s", 0.0)
        result.install_s = env.timings.get("install_s", 0.0)
        result.deviations = list(env.deviations)
        result.image_bytes, result.layer_bytes = await anyio.to_thread.run_sync(
            image_sizes, client, env.image)
        one = env.sandbox_config(config).model_copy(update={"capacity": 1})
        async with SandboxPool(env.image, env.spec, one, client=client) as pool:
            await check_with(pool, task, result, env.spec.node_ids)
        result.validate_s = round(time.monotonic() - start - result.ready_seconds, 2)
    except (SandboxError, SourceError, ValueError) as exc:
        result.problems.append(str(exc).strip())
        result.not_runnable = isinstance(exc, MissingMirror)
    except Exception as exc:  # noqa: BLE001 - one broken instance must not stop a long run
        while isinstance(exc, ExceptionGroup) and len(exc.exceptions) == 1:
            exc = exc.exceptions[0]
        result.problems.append(f"{type(exc).__name__}: {str(exc).strip()}")
    result.seconds = round(time.monotonic() - start, 2)
    result.finished = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    return result


def image_sizes(client: docker.DockerClient, tag: str) -> tuple[int, int]:
    """An image's bytes, and those its own layers add on its parent (0 where it has none)."""
    image = client.images.get(tag)
    size = int(image.attrs.get("Size", 0))
    parent = image.attrs.get("Parent") or ""
    if not parent:
        return size, 0
    try:
        return size, size - int(client.images.get(parent).attrs.get("Size", 0))
    except docker.errors.ImageNotFound:
        return size, 0


@dataclass
class GoldCheck:
    """Base and gold runs of one way of selecting the tests."""

    base_fails: bool = False
    gold_passes: bool = False
    not_runnable: bool = False
    problems: list[str] = field(default_factory=list)


async def run_asked(pool: SandboxPool, patch: Candidate, wanted: list[str], files: list[str],
                    node_ids: Mapping[str, str]) -> Verdict:
    """`patch` verified on `wanted` (their results under those ids): by their ids, or with
    `files` run whole, in file order, as the SWE-bench harness runs a test patch's files."""
    if not files:
        (verdict,) = await pool.verify([patch], wanted)
        return verdict
    (verdict,) = await pool.verify([patch], files)
    named = [node_ids.get(t, t) for t in wanted]
    return renamed(with_swebench_ids(verdict, named), dict(zip(named, wanted, strict=True)))


async def gold_check(pool: SandboxPool, task: Task, fail_to_pass: list[str],
                     pass_to_pass: list[str], files: list[str],
                     node_ids: Mapping[str, str]) -> GoldCheck:
    check = GoldCheck()
    base = await run_asked(pool, Candidate(id="base", diff=""), fail_to_pass, files, node_ids)
    passing = [t for t in fail_to_pass if base.passed([t])]
    check.base_fails = bool(fail_to_pass) and bool(base.tests) and not passing
    if not base.tests and base.reason:  # the sandbox failed: no test ran
        check.problems.append(base.reason.strip())
    if passing:
        check.problems.append(f"pass on the base tree: {', '.join(passing[:3])}")
    wanted = [*fail_to_pass, *pass_to_pass]
    gold = await run_asked(pool, Candidate(id="gold", diff=task.patch), wanted, files, node_ids)
    check.gold_passes = gold.passed(wanted)
    if not check.gold_passes:
        bad = [t for t in wanted if not gold.passed([t])]
        check.problems.append(gold.reason or f"fail with the gold patch: {', '.join(bad[:3])}")
        needs = needing_internet(gold, bad)
        if needs:  # whatever else is wrong, these cannot pass here
            check.not_runnable = True
            check.problems.insert(0, not_runnable_reason(needs))
    return check


def test_files(test_ids: Sequence[str], node_ids: Mapping[str, str]) -> list[str]:
    """The files holding `test_ids` (node ids, or bare names through `node_ids`), first seen
    first."""
    paths = (node_ids.get(t, t).partition("::")[0] for t in test_ids)
    return list(dict.fromkeys(p for p in paths if p.endswith(".py")))


async def check_with(pool: SandboxPool, task: Task, result: Validation,
                     node_ids: Mapping[str, str] | None = None) -> None:
    """Gold validation by the record's test ids; where that fails (and not for want of the
    internet), again with their files run whole, as the harness does: tests that depend on the
    ones before them in their file (sphinx's shared build folders, requests' module-level
    monkeypatching) then see what they saw when the record was made."""
    node_ids = node_ids or {}
    fail_to_pass, stray = split_test_ids(task.fail_to_pass)
    pass_to_pass, stray_p2p = split_test_ids(task.pass_to_pass)
    if stray or stray_p2p:  # SWE-bench's log parsing left them (pytest-5227: '[100%]')
        result.deviations.append(f"the record's ids that name no test are left out: "
                                 f"{[*stray, *stray_p2p][:3]}")
    check = await gold_check(pool, task, fail_to_pass, pass_to_pass, [], node_ids)
    files = test_files([*fail_to_pass, *pass_to_pass], node_ids)
    if check.problems and not check.not_runnable and files:
        whole = await gold_check(pool, task, fail_to_pass, pass_to_pass, files, node_ids)
        if whole.base_fails and whole.gold_passes:
            result.deviations.append(
                f"validates with its test files run whole, as the harness runs them (by test "
                f"id: {'; '.join(check.problems)[:300]})")
            check = whole
    result.base_fails, result.gold_passes = check.base_fails, check.gold_passes
    result.not_runnable = result.not_runnable or check.not_runnable
    result.problems.extend(check.problems)
    gold_patch = Candidate(id="gold", diff=task.patch)
    hidden = await verify_held_back(pool, task, gold_patch)
    if hidden is not None:
        result.hidden_pass = hidden.passed(task.hidden_tests)
        if not result.hidden_pass:
            result.problems.append(hidden.reason or "held-back tests fail with the gold patch")


async def validate_all(
    tasks: Sequence[Task], repos_dir: Path | None = None, config: SandboxConfig | None = None,
    on_result: Log = lambda _: None, workers: int | None = None,
    on_done: Callable[[Validation], None] = lambda _: None,
) -> list[Validation]:
    """Validate `tasks`, `workers` at once (default: the sandbox's capacity); `on_done` gets each
    result as it ends."""
    config = config or GOLD_DEADLINES
    client = docker_client()

    def done(result: Validation) -> None:
        on_done(result)
        on_result(result.instance_id)

    try:
        return await gather_limited(
            lambda task: validate_task(client, task, repos_dir, config), tasks,
            workers or config.capacity, done)
    finally:
        client.close()
