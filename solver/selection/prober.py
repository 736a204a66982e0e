"""The sandbox side of the behaviour probe: the in-container script probe/behaviour_probe.py,
passed inline, run through a `CommandRunner` (the pool's sessions): files and a trace on the base
tree, then one run per candidate. Repository code runs only in the sandbox; the host reads one
JSON line per run and never unpickles anything.

`SandboxProbe` is the engine's `BehaviourProbe`: it binds a runner, the base files and a log.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

from sandbox.concurrency import gather_limited
from sandbox.session import CommandResult, RunSpec
from sandbox.swebench_ids import pytest_selectors
from solver.protocols import CommandRunner
from solver.selection.behaviour import Behaviour, ProbeInput, cluster, describe_behaviour
from solver.selection.changed_functions import Function, plan, touched_paths
from solver.types import Candidate
from tasks.model import Task

PROBE_PARTS = tuple(Path(__file__).parent / "probe" / name
                    for name in ("trace_calls.py", "replay_calls.py", "behaviour_probe.py"))
"""The in-container script: these files joined, in this order (the last one runs `main`)."""
MARKER = "@@SOLVER-BEHAVIOUR@@ "
"""Starts the probe's answer line (the script prints the same)."""
BOOT = ("import base64,sys;"
        "exec(compile(base64.b64decode(sys.argv.pop(1)),'behaviour_probe','exec'))")
ARG_CHARS = 100_000
"""A request is split over arguments below the kernel's 128 KiB limit per argument."""
LOG_CAP = 4 * 1024 * 1024
"""Output kept of a probe run: the answer line holds every input (a trace) or output."""

MAX_CALLS = 20
"""Distinct calls recorded per function from the tests."""
MAX_INPUTS = 60
"""Inputs per function, recorded calls and variations together."""
MAX_TOTAL_INPUTS = 300
MAX_BLOB = 4000
"""Largest pickled call kept (bytes)."""
MAX_TOTAL_BYTES = 400_000
"""Pickled inputs of one task, all together (they travel on the command line)."""
CALL_TIMEOUT_S = 2.0
TRACE_BUDGET_S = 120.0
"""Past this the traced test run stops after its current test."""
TRACE_TEST_TIMEOUT_S = 10.0
"""A traced test still running past this is interrupted and the trace stops there: a looping
base tree costs seconds, not the run's whole timeout (`Behaviour.base_timeouts` names it)."""
PROBE_BUDGET_S = 60.0
"""Past this a candidate's remaining inputs are marked unusable."""
RUN_TIMEOUT_S = 240.0
BASE_ID = "@base"
"""The base tree, probed beside the candidates (`Behaviour.base`)."""


Log = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


def probe_argv(spec: RunSpec, mode: str, request: Mapping[str, Any]) -> list[str]:
    """The command that runs the probe script in `mode` under the task's Python, with a fixed
    hash seed (set and dict-of-str orders alike in every run)."""
    script = base64.b64encode(b"".join(part.read_bytes() for part in PROBE_PARTS)).decode("ascii")
    payload = json.dumps(request)
    chunks = [payload[i:i + ARG_CHARS] for i in range(0, len(payload), ARG_CHARS)] or ["{}"]
    return ["env", "PYTHONHASHSEED=0", python_of(spec), "-c", BOOT, script, mode, *chunks]


def python_of(spec: RunSpec) -> str:
    first = spec.test_cmd[0] if spec.test_cmd else "python"
    return first if PurePosixPath(first).name.startswith("python") else "python"


def pytest_args_of(spec: RunSpec) -> list[str] | None:
    """The task's own pytest options (those after `pytest` in its test command); None when its
    tests do not run under pytest."""
    at = next((i for i, part in enumerate(spec.test_cmd) if "pytest" in part), None)
    if at is None:
        return None
    return [*spec.test_cmd[at + 1:], "-p", "no:cacheprovider", "-q"]


def read_answer(result: CommandResult) -> tuple[dict[str, Any] | None, str]:
    """The probe's JSON answer, or None and why there is none."""
    for line in reversed(result.output.splitlines()):
        if line.startswith(MARKER):
            try:
                answer = json.loads(line[len(MARKER):])
            except ValueError as exc:
                return None, f"unreadable answer: {exc}"
            if "error" in answer:
                return None, str(answer["error"])[-1500:]
            return answer, ""
    if result.timed_out:
        return None, f"timed out {result.reason}".strip()
    why = result.reason or f"exit {result.exit_code}"
    return None, f"no answer ({why}): {result.output[-800:]}"


class Prober:
    """Runs the probe script for one task: files and trace on the base tree, then one run per
    candidate, each in a session the runner lends."""

    def __init__(self, runner: CommandRunner, task: Task) -> None:
        self.runner, self.task, self.spec = runner, task, runner.spec
        self.pytest_args = pytest_args_of(self.spec)
        self.seconds = 0.0

    async def run(self, mode: str, request: Mapping[str, Any], diff: str = "") -> tuple[
            dict[str, Any] | None, str]:
        start = time.monotonic()
        try:
            result = await self.runner.run_command(
                probe_argv(self.spec, mode, request), RUN_TIMEOUT_S, diff=diff, log_cap=LOG_CAP)
        finally:
            self.seconds += time.monotonic() - start
        if result.exit_code is None and not result.timed_out:
            return None, result.reason or "the patch did not apply"
        return read_answer(result)

    async def base_files(self, paths: Sequence[str]) -> dict[str, str]:
        answer, _ = await self.run("files", {"paths": list(paths)})
        found = (answer or {}).get("files") or {}
        return {p: t for p, t in found.items() if isinstance(t, str)}

    async def trace(self, functions: Sequence[Function]) -> tuple[dict[str, Any] | None, str]:
        ids = [*self.task.fail_to_pass, *self.task.pass_to_pass]
        if self.spec.swebench_ids:
            ids = pytest_selectors(ids, whole_functions=True)
        return await self.run("trace", {
            "targets": [f.target() for f in functions], "pytest_args": self.pytest_args,
            "test_ids": ids, "max_calls": MAX_CALLS, "max_inputs": MAX_INPUTS,
            "max_blob": MAX_BLOB, "max_total_bytes": MAX_TOTAL_BYTES,
            "max_total_inputs": MAX_TOTAL_INPUTS, "budget_s": TRACE_BUDGET_S,
            "test_timeout_s": TRACE_TEST_TIMEOUT_S})

    async def probe(self, candidate: Candidate, targets: Sequence[dict[str, str]],
                    inputs: Sequence[dict[str, Any]]) -> tuple[list[str] | None, str]:
        answer, error = await self.run("probe", {
            "targets": list(targets), "inputs": [{"target": i["target"], "data": i["data"]}
                                                 for i in inputs],
            "call_timeout_s": CALL_TIMEOUT_S, "budget_s": PROBE_BUDGET_S,
            "pytest_args": self.pytest_args, "test_files": self.test_files()}, candidate.diff)
        outputs = (answer or {}).get("outputs")
        if answer is not None and (not isinstance(outputs, list) or len(outputs) != len(inputs)):
            return None, "the answer does not hold one output per input"
        return outputs, error

    def test_files(self) -> list[str]:
        """Test files collected before probing (so the repository is imported as in its tests)."""
        ids = self.task.fail_to_pass or self.task.pass_to_pass[:3]
        return sorted({t.split("::")[0] for t in ids if t.split("::")[0].endswith(".py")})


class SandboxProbe:
    """The engine's `BehaviourProbe` over a runner (the pool): `behaviour_for` with the task's
    base files and a log bound."""

    def __init__(self, runner: CommandRunner, files: Mapping[str, str] | None = None,
                 log: Log = _quiet) -> None:
        self.runner, self.files, self.log = runner, files, log

    async def behaviour(self, task: Task, candidates: Sequence[Candidate]) -> Behaviour:
        return await behaviour_for(self.runner, task, candidates, self.files, self.log)


async def behaviour_for(
    runner: CommandRunner, task: Task, candidates: Sequence[Candidate],
    files: Mapping[str, str] | None = None, log: Log = _quiet,
) -> Behaviour:
    """Probe the behaviour of `candidates` (the plausible ones of `task`) and cluster them.

    `files`: the task's source files at its base commit (`read_source_files`); where one is
    missing, it is read from the sandbox. Runs in the runner's sessions (at most its capacity at
    once). Never raises for what the repository's code does: failures are recorded in `errors` /
    `skipped`.
    """
    if len(candidates) < 2:
        return Behaviour(skipped={"*": "fewer than two candidates"})
    prober = Prober(runner, task)
    behaviour = await probe_candidates(prober, candidates, files or {}, runner.capacity)
    behaviour.seconds = round(prober.seconds, 3)
    log(describe_behaviour(behaviour))
    return behaviour


async def probe_candidates(
    prober: Prober, candidates: Sequence[Candidate], files: Mapping[str, str], capacity: int,
) -> Behaviour:
    """Plan, trace on the base tree, probe every candidate (at most `capacity` at once)."""
    if prober.pytest_args is None:
        return Behaviour(skipped={"*": "the task's tests do not run under pytest"})
    missing = [p for p in touched_paths(candidates) if p not in files]
    if missing:
        files = {**files, **await prober.base_files(missing)}
    functions, skipped = plan(candidates, files)
    if not functions:
        return Behaviour(skipped={**skipped, "*": "no changed function to probe"})
    traced, error = await prober.trace(functions)
    if traced is None:
        return Behaviour(functions=[f.id for f in functions], skipped=skipped,
                         errors={"trace": error})
    modules = traced.get("modules") or {}
    inputs = [i for i in traced.get("inputs") or [] if i.get("target") in modules]
    looping = [str(t) for t in traced.get("timed_out") or []]
    for function in functions:
        if function.id not in modules:
            skipped[function.id] = "no call recorded (not reached by the tests, or arguments " \
                "that do not pickle)"
    behaviour = Behaviour(
        functions=[f.id for f in functions],
        inputs=[ProbeInput(function=i["target"], origin=i["origin"], call=i["call"])
                for i in inputs],
        skipped=skipped, base_timeouts=looping)
    if not inputs:
        behaviour.skipped["*"] = f"no input recorded (pytest exit {traced.get('pytest_status')})"
        return behaviour
    targets = [{"id": f.id, "module": modules[f.id], "qualname": f.qualname}
               for f in functions if f.id in modules]
    base = Candidate(id=BASE_ID, diff="")
    results = await gather_limited(lambda c: prober.probe(c, targets, inputs),
                                   [*candidates, base], max(capacity, 1))
    for candidate, (outputs, error) in zip([*candidates, base], results, strict=True):
        if outputs is None:
            behaviour.errors[candidate.id] = error
        elif candidate is base:
            behaviour.base = [str(o) for o in outputs]
        else:
            behaviour.outputs[candidate.id] = [str(o) for o in outputs]
    behaviour.clusters = cluster(behaviour.outputs)
    return behaviour
