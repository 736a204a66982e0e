"""Behaviour agreement among the plausible candidates of one task (CodeT / AlphaCode clustering).

    diffs ─► changed functions (tree-sitter, on the base file and the patched one)
    trace  (base tree, sandbox): the task's tests under a profile hook record the arguments of
           calls to those functions; variations of them are added
    probe  (each candidate, sandbox): its version of the functions on every input
           ─► one canonical output per input ─► equal output vectors form a cluster

Repository code runs only in the sandbox: `Session.run_command` with the in-container script
probe/behaviour_probe.py passed inline; the host reads one JSON line per run and never
unpickles anything. The result, `Behaviour`, is plain data: it goes into the trajectory, and the
tournament re-runs offline on any subset of the candidates (`Behaviour.agreement`).
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import anyio
from pydantic import BaseModel, Field
from tree_sitter import Node

from sandbox import SandboxError, SandboxPool, Session
from sandbox.pool import map_in_threads
from sandbox.session import CommandResult, RunSpec
from sandbox.swebench_ids import pytest_selectors
from solver.analysis.syntax import parse, text
from solver.types import Candidate
from tasks.model import Task
from tasks.paths import is_test_file

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
MAX_FUNCTIONS = 12
CALL_TIMEOUT_S = 2.0
TRACE_BUDGET_S = 120.0
"""Past this the traced test run stops after its current test."""
PROBE_BUDGET_S = 60.0
"""Past this a candidate's remaining inputs are marked unusable."""
RUN_TIMEOUT_S = 240.0

Log = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


class ProbeInput(BaseModel):
    """One input the candidates were run on."""

    function: str
    """`path::qualname` of the function called."""
    origin: str
    """`test` (recorded while the tests ran) or `variation` (one argument changed)."""
    call: str
    """How the call reads, e.g. `page_count(30, 10)` (arguments shortened)."""


class Behaviour(BaseModel):
    """What the plausible candidates of one task did on the same inputs."""

    functions: list[str] = Field(default_factory=list)
    """Probed functions, `path::qualname`."""
    inputs: list[ProbeInput] = Field(default_factory=list)
    outputs: dict[str, list[str]] = Field(default_factory=dict)
    """Per candidate id, one canonical output per input: `=` and the value's text, `!` and an
    exception type, `~` unusable (differed between two runs, or out of time)."""
    clusters: dict[str, str] = Field(default_factory=dict)
    """Candidate id → behaviour cluster (`b0` the largest). Empty when nothing told the
    candidates apart; a candidate whose probe gave no answer is absent."""
    skipped: dict[str, str] = Field(default_factory=dict)
    """What was not probed and why (a function, a candidate, or `*` for everything)."""
    errors: dict[str, str] = Field(default_factory=dict)
    """Per candidate id (or `trace`), why its run gave no answer."""
    seconds: float = 0.0
    """Sandbox wall time spent."""

    def agreement(self, candidate_ids: Iterable[str]) -> dict[str, int]:
        """Per candidate, how many of `candidate_ids` share its cluster (itself included; 0 when
        it has none). Computed on any subset, so a tournament re-runs offline."""
        ids = list(candidate_ids)
        sizes = Counter(self.clusters[c] for c in ids if c in self.clusters)
        return {c: sizes[self.clusters[c]] if c in self.clusters else 0 for c in ids}

    def distinguishing(self) -> int:
        """Inputs on which the candidates' usable outputs differ."""
        vectors = list(self.outputs.values())
        return sum(
            1 for i in range(len(self.inputs))
            if len({v[i] for v in vectors if i < len(v) and not v[i].startswith("~")}) > 1
        )


# ---------------------------------------------------------------- which functions a diff changes


@dataclass(frozen=True)
class Function:
    """A function of the base tree that the probe can call: module level, or a method (of
    classes at any depth) — a function nested in another is probed through the outer one."""

    path: str
    qualname: str
    lines: tuple[int, ...]
    """1-based lines a code object of it starts at: its first decorator, its `def`."""
    method: bool
    """Called with `self` / `cls` first (a method that is not a staticmethod)."""

    @property
    def id(self) -> str:
        return f"{self.path}::{self.qualname}"

    @property
    def name(self) -> str:
        return self.qualname.rsplit(".", 1)[-1]

    def target(self) -> dict[str, Any]:
        return {"id": self.id, "path": self.path, "name": self.name, "qualname": self.qualname,
                "lines": list(self.lines), "method": self.method}


@dataclass
class Hunk:
    old_start: int
    old_len: int
    new_start: int
    new_len: int
    lines: list[str] = field(default_factory=list)


@dataclass
class FileChange:
    old_path: str | None
    """None: the diff creates the file."""
    new_path: str | None
    """None: the diff deletes the file."""
    hunks: list[Hunk] = field(default_factory=list)

    @property
    def path(self) -> str:
        return self.new_path or self.old_path or ""


HUNK_HEADER = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


def parse_diff(diff: str) -> list[FileChange]:
    """The files and hunks of a unified diff (git style)."""
    changes: list[FileChange] = []
    lines = diff.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("--- ") and i + 1 < len(lines) and lines[i + 1].startswith("+++ "):
            changes.append(FileChange(diff_path(line[4:]), diff_path(lines[i + 1][4:])))
            i += 2
            continue
        match = HUNK_HEADER.match(line)
        if match and changes:
            hunk = Hunk(int(match[1]), int(match[2] or 1), int(match[3]), int(match[4] or 1))
            i = read_hunk(lines, i + 1, hunk)
            changes[-1].hunks.append(hunk)
            continue
        i += 1
    return changes


def diff_path(raw: str) -> str | None:
    name = raw.split("\t")[0].strip()
    if name == "/dev/null":
        return None
    return name[2:] if name[:2] in ("a/", "b/") else name


def read_hunk(lines: Sequence[str], i: int, hunk: Hunk) -> int:
    """Reads the hunk's lines from `i`; returns the index after them."""
    old, new = hunk.old_len, hunk.new_len
    while i < len(lines) and (old > 0 or new > 0):
        line = lines[i]
        tag = line[:1]
        if tag == "\\":
            i += 1
            continue
        if tag not in ("+", "-"):
            line = " " + line[1:]  # a context line (some tools strip its lone space)
        old -= tag != "+"
        new -= tag != "-"
        hunk.lines.append(line)
        i += 1
    return i


def changed_rows(hunk: Hunk) -> tuple[set[int], set[int]]:
    """0-based rows the hunk removes (base file) and adds (patched file)."""
    removed, added = set(), set()
    old, new = hunk.old_start - 1, hunk.new_start - 1
    for line in hunk.lines:
        if line[:1] == "-":
            removed.add(old)
            old += 1
        elif line[:1] == "+":
            added.add(new)
            new += 1
        else:
            old, new = old + 1, new + 1
    return removed, added


def patched(base: str, hunks: Sequence[Hunk]) -> str:
    """`base` with the hunks applied (line structure is what matters here)."""
    old = base.splitlines(keepends=True)
    out: list[str] = []
    pos = 0
    for hunk in hunks:
        start = hunk.old_start - 1 if hunk.old_len else hunk.old_start
        out += old[pos:start]
        pos = start
        for line in hunk.lines:
            if line[:1] == "+":
                out.append(line[1:] + "\n")
                continue
            if line[:1] == " ":
                out.append(old[pos] if pos < len(old) else "\n")
            pos += 1
    return "".join(out + old[pos:])


def definition_of(node: Node) -> Node:
    """The class or function a `decorated_definition` wraps (else `node`)."""
    if node.type == "decorated_definition":
        return node.child_by_field_name("definition") or node
    return node


def outer_function_at(root: Node, row: int) -> Node | None:
    """The outermost function holding `row` (a decorator line counts), through classes only."""
    node = root
    while True:
        child = next((c for c in node.named_children
                      if c.start_point.row <= row <= c.end_point.row), None)
        if child is None:
            return None
        if definition_of(child).type == "function_definition":
            return definition_of(child)
        node = child


def describe_function(path: str, function: Node) -> Function:
    names = [text(function.child_by_field_name("name"))]
    decorated = function.parent if function.parent and function.parent.type == (
        "decorated_definition") else None
    parent = function.parent
    in_class = False
    while parent is not None:
        if parent.type == "class_definition":
            names.append(text(parent.child_by_field_name("name")))
            in_class = True
        parent = parent.parent
    decorators = [text(d) for d in decorated.named_children if d.type == "decorator"] if (
        decorated) else []
    static = any("staticmethod" in d for d in decorators)
    first = (decorated or function).start_point.row + 1
    lines = tuple(sorted({first, function.start_point.row + 1}))
    return Function(path, ".".join(reversed(names)), lines, in_class and not static)


def functions_of(path: str, source: str) -> dict[str, Function]:
    """Every probe-able function of a file by qualname (conditional definitions included)."""
    found: dict[str, Function] = {}

    def visit(node: Node) -> None:
        for child in node.named_children:
            if definition_of(child).type == "function_definition":
                function = describe_function(path, definition_of(child))
                known = found.get(function.qualname)
                lines = (*known.lines, *function.lines) if known else function.lines
                found[function.qualname] = Function(path, function.qualname,
                                                    tuple(sorted(set(lines))), function.method)
            else:
                visit(child)

    visit(parse(source.encode()).root_node)
    return found


def changed_functions(diff: str, files: Mapping[str, str]) -> tuple[list[Function], list[str]]:
    """The base tree's functions that `diff` changes, and notes on changes no probe reaches
    (module-level code, new functions and files, files not given)."""
    found: dict[str, Function] = {}
    notes: list[str] = []
    for change in parse_diff(diff):
        path = change.path
        if not path.endswith(".py") or is_test_file(path):
            continue
        base = files.get(path) if change.old_path else None
        if base is None:
            notes.append(f"{path}: {'new file' if not change.old_path else 'source not known'}")
            continue
        before = functions_of(path, base)
        after = patched(base, change.hunks)
        module_level = False
        for source, rows in zip((base, after), rows_of(change.hunks), strict=True):
            root = parse(source.encode()).root_node
            for row in sorted(rows):
                node = outer_function_at(root, row)
                if node is None:
                    module_level = True
                    continue
                qualname = describe_function(path, node).qualname
                if qualname in before:
                    found[before[qualname].id] = before[qualname]
                else:
                    notes.append(f"{path}::{qualname}: not in the base tree")
        if module_level:
            notes.append(f"{path}: module-level change")
    return list(found.values()), sorted(set(notes))


def rows_of(hunks: Sequence[Hunk]) -> tuple[set[int], set[int]]:
    removed: set[int] = set()
    added: set[int] = set()
    for hunk in hunks:
        old, new = changed_rows(hunk)
        removed |= old
        added |= new
    return removed, added


def touched_paths(candidates: Sequence[Candidate]) -> list[str]:
    """Source files (not tests) the candidates' diffs change in place."""
    paths = {c.path for cand in candidates for c in parse_diff(cand.diff)
             if c.old_path and c.path.endswith(".py") and not is_test_file(c.path)}
    return sorted(paths)


# ---------------------------------------------------------------- clustering


def cluster(outputs: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """Candidates with equal outputs on every usable input (none of them `~`) share a cluster;
    `b0` is the largest (ties: first seen). Empty with fewer than two candidates or no usable
    input: nothing to agree on."""
    if len(outputs) < 2:
        return {}
    width = min(len(v) for v in outputs.values())
    usable = [i for i in range(width) if not any(v[i].startswith("~") for v in outputs.values())]
    if not usable:
        return {}
    groups: dict[tuple[str, ...], list[str]] = {}
    for candidate_id, vector in outputs.items():
        groups.setdefault(tuple(vector[i] for i in usable), []).append(candidate_id)
    ranked = sorted(groups.values(), key=len, reverse=True)
    return {cid: f"b{n}" for n, members in enumerate(ranked) for cid in members}


# ---------------------------------------------------------------- running the probe


def probe_argv(spec: RunSpec, mode: str, request: Mapping[str, Any]) -> list[str]:
    """The command that runs the probe script in `mode` under the task's Python, with a fixed
    hash seed (set and dict-of-str orders alike in every run)."""
    script = base64.b64encode(b"".join(p.read_bytes() for p in PROBE_PARTS)).decode("ascii")
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


class Sessions:
    """Sessions lent to worker threads, one at a time each, all closed together."""

    def __init__(self, open_session: Callable[[], Session]) -> None:
        self.open_session = open_session
        self._idle: list[Session] = []
        self._all: list[Session] = []
        self._lock = threading.Lock()

    @contextmanager
    def borrow(self) -> Iterator[Session]:
        with self._lock:
            session = self._idle.pop() if self._idle else None
        if session is None:
            session = self.open_session()
            with self._lock:
                self._all.append(session)
        try:
            yield session
        finally:
            with self._lock:
                self._idle.append(session)

    def close(self) -> None:
        with self._lock:
            sessions, self._all, self._idle = self._all, [], []
        for session in sessions:
            session.close()


class Prober:
    """Runs the probe script for one task: files and trace on the base tree, then one run per
    candidate. Blocking (the docker SDK); call from worker threads."""

    def __init__(self, sessions: Sessions, task: Task, spec: RunSpec) -> None:
        self.sessions, self.task, self.spec = sessions, task, spec
        self.pytest_args = pytest_args_of(spec)
        self.seconds = 0.0
        self._lock = threading.Lock()

    def run(self, mode: str, request: Mapping[str, Any], diff: str = "") -> tuple[
            dict[str, Any] | None, str]:
        start = time.monotonic()
        try:
            with self.sessions.borrow() as session:
                result = session.run_command(probe_argv(self.spec, mode, request),
                                             RUN_TIMEOUT_S, diff=diff)
        except SandboxError as exc:
            return None, str(exc)
        finally:
            with self._lock:
                self.seconds += time.monotonic() - start
        if result.exit_code is None and not result.timed_out:
            return None, result.reason or "the patch did not apply"
        return read_answer(result)

    def base_files(self, paths: Sequence[str]) -> dict[str, str]:
        answer, _ = self.run("files", {"paths": list(paths)})
        found = (answer or {}).get("files") or {}
        return {p: t for p, t in found.items() if isinstance(t, str)}

    def trace(self, functions: Sequence[Function]) -> tuple[dict[str, Any] | None, str]:
        ids = [*self.task.fail_to_pass, *self.task.pass_to_pass]
        if getattr(self.spec, "swebench_ids", False):
            ids = pytest_selectors(ids, whole_functions=True)
        return self.run("trace", {
            "targets": [f.target() for f in functions], "pytest_args": self.pytest_args,
            "test_ids": ids, "max_calls": MAX_CALLS, "max_inputs": MAX_INPUTS,
            "max_blob": MAX_BLOB, "max_total_bytes": MAX_TOTAL_BYTES,
            "max_total_inputs": MAX_TOTAL_INPUTS, "budget_s": TRACE_BUDGET_S})

    def probe(self, candidate: Candidate, targets: Sequence[dict[str, str]],
              inputs: Sequence[dict[str, Any]]) -> tuple[list[str] | None, str]:
        answer, error = self.run("probe", {
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


async def behaviour_for(
    pool: SandboxPool, task: Task, candidates: Sequence[Candidate],
    files: Mapping[str, str] | None = None, log: Log = _quiet,
) -> Behaviour:
    """Probe the behaviour of `candidates` (the plausible ones of `task`) and cluster them.

    `files`: the task's source files at its base commit (`read_source_files`); where one is
    missing, it is read from the sandbox. Runs in sessions of its own on the pool's image (at
    most the pool's capacity at once), all removed before it returns. Never raises for what the
    repository's code does: failures are recorded in `errors` / `skipped`.
    """
    if len(candidates) < 2:
        return Behaviour(skipped={"*": "fewer than two candidates"})
    config = pool.config.model_copy(update={"log_cap": LOG_CAP})
    sessions = Sessions(lambda: Session(pool.client, pool.image, config, pool.spec))
    prober = Prober(sessions, task, pool.spec)
    try:
        behaviour = await probe_candidates(prober, candidates, files or {}, pool.config.capacity)
    finally:
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(sessions.close)
    behaviour.seconds = round(prober.seconds, 3)
    log(summarize(behaviour))
    return behaviour


async def probe_candidates(
    prober: Prober, candidates: Sequence[Candidate], files: Mapping[str, str], capacity: int,
) -> Behaviour:
    """Plan, trace on the base tree, probe every candidate (at most `capacity` at once)."""
    if prober.pytest_args is None:
        return Behaviour(skipped={"*": "the task's tests do not run under pytest"})
    missing = [p for p in touched_paths(candidates) if p not in files]
    if missing:
        files = {**files, **await anyio.to_thread.run_sync(prober.base_files, missing)}
    functions, skipped = plan(candidates, files)
    if not functions:
        return Behaviour(skipped={**skipped, "*": "no changed function to probe"})
    traced, error = await anyio.to_thread.run_sync(prober.trace, functions)
    if traced is None:
        return Behaviour(functions=[f.id for f in functions], skipped=skipped,
                         errors={"trace": error})
    modules = traced.get("modules") or {}
    inputs = [i for i in traced.get("inputs") or [] if i.get("target") in modules]
    for function in functions:
        if function.id not in modules:
            skipped[function.id] = "no call recorded (not reached by the tests, or arguments " \
                "that do not pickle)"
    behaviour = Behaviour(
        functions=[f.id for f in functions],
        inputs=[ProbeInput(function=i["target"], origin=i["origin"], call=i["call"])
                for i in inputs],
        skipped=skipped)
    if not inputs:
        behaviour.skipped["*"] = f"no input recorded (pytest exit {traced.get('pytest_status')})"
        return behaviour
    targets = [{"id": f.id, "module": modules[f.id], "qualname": f.qualname}
               for f in functions if f.id in modules]
    results = await map_in_threads(lambda c: prober.probe(c, targets, inputs), candidates,
                                   max(capacity, 1))
    for candidate, (outputs, error) in zip(candidates, results, strict=True):
        if outputs is None:
            behaviour.errors[candidate.id] = error
        else:
            behaviour.outputs[candidate.id] = [str(o) for o in outputs]
    behaviour.clusters = cluster(behaviour.outputs)
    return behaviour


def plan(
    candidates: Sequence[Candidate], files: Mapping[str, str]
) -> tuple[list[Function], dict[str, str]]:
    """The functions to probe (what any candidate changes, at most MAX_FUNCTIONS) and what
    is left out."""
    functions: dict[str, Function] = {}
    skipped: dict[str, str] = {}
    for candidate in candidates:
        changed, notes = changed_functions(candidate.diff, files)
        for function in changed:
            functions.setdefault(function.id, function)
        if not changed:
            skipped[candidate.id] = "changes no function of the base tree"
        for note in notes:
            subject, _, why = note.rpartition(": ")
            skipped.setdefault(subject, why)
    kept = list(functions.values())[:MAX_FUNCTIONS]
    for function in list(functions.values())[MAX_FUNCTIONS:]:
        skipped[function.id] = f"more than {MAX_FUNCTIONS} changed functions"
    return kept, skipped


def summarize(behaviour: Behaviour) -> str:
    if not behaviour.clusters:
        why = behaviour.skipped.get("*") or behaviour.errors.get("trace") or (
            "no input told the candidates apart" if behaviour.inputs else "no input recorded")
        return f"behaviour: no clusters ({why[:200]})"
    sizes = Counter(behaviour.clusters.values())
    shown = ", ".join(f"{name}: {count}" for name, count in sorted(sizes.items()))
    return (f"behaviour: {len(behaviour.functions)} function(s), {len(behaviour.inputs)} "
            f"input(s), {behaviour.distinguishing()} distinguishing; clusters {shown}")
