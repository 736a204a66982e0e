"""Behaviour agreement: which functions a diff changes, clustering, the probe's answers, and in
Docker three plausible candidates of a bundled task of which two behave alike."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType
from typing import Any

import docker
import pytest

from sandbox.session import CommandResult, RunSpec
from solver.analysis.sources import read_source_files
from solver.selection.behaviour import Behaviour, cluster
from solver.selection.changed_functions import changed_functions
from solver.selection.prober import (
    MARKER,
    PROBE_PARTS,
    probe_argv,
    pytest_args_of,
    python_of,
    read_answer,
)
from solver.types import Candidate
from tasks.diffs import parse_diff, patched

ROOT = Path(__file__).resolve().parent.parent
PAGINATE = ROOT / "tasks" / "bundled" / "paginate-page-count"

SOURCE = '''import functools

LIMIT = 3


def top(a, b=1):
    return a + b


class Box:
    size = 2

    def grow(self, n):
        def helper(x):
            return x * 2
        return helper(n) + self.size

    @staticmethod
    @functools.lru_cache
    def make(n):
        return Box()

    class Inner:
        def deep(self):
            return 1
'''


def diff_of(path: str, before: str, after: str) -> str:
    import difflib

    body = difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                f"a/{path}", f"b/{path}")
    return f"diff --git a/{path} b/{path}\n" + "".join(body)


def edit(old: str, new: str) -> str:
    assert old in SOURCE
    return diff_of("pkg/mod.py", SOURCE, SOURCE.replace(old, new, 1))


def changed(diff: str) -> tuple[list[tuple[str, tuple[int, ...], bool]], list[str]]:
    functions, notes = changed_functions(diff, {"pkg/mod.py": SOURCE})
    return [(f.qualname, f.lines, f.method) for f in functions], notes


def test_changed_functions_of_module_functions_methods_and_nested_code() -> None:
    assert changed(edit("return a + b", "return a - b")) == ([("top", (6,), False)], [])
    assert changed(edit("return x * 2", "return x * 3")) == ([("Box.grow", (13,), True)], [])
    assert changed(edit("return Box()", "return Box(); pass")) == (
        [("Box.make", (18, 20), False)], [])  # a staticmethod: no `self`
    assert changed(edit("@functools.lru_cache\n", "@functools.cache\n")) == (
        [("Box.make", (18, 20), False)], [])  # a decorator line belongs to its function
    assert changed(edit("return 1\n", "return 2\n")) == ([("Box.Inner.deep", (24,), True)], [])


def test_changes_no_probe_reaches_are_noted() -> None:
    assert changed(edit("LIMIT = 3", "LIMIT = 4")) == ([], ["pkg/mod.py: module-level change"])
    added = edit("class Box:", "def fresh():\n    return 0\n\n\nclass Box:")
    assert changed(added) == ([], ["pkg/mod.py: module-level change",
                                   "pkg/mod.py::fresh: not in the base tree"])
    new_file = "diff --git a/pkg/new.py b/pkg/new.py\n--- /dev/null\n+++ b/pkg/new.py\n" \
               "@@ -0,0 +1 @@\n+X = 1\n"
    assert changed(new_file) == ([], ["pkg/new.py: new file"])
    assert changed_functions(edit("return a + b", "return b"), {}) == (
        [], ["pkg/mod.py: source not known"])


def test_parse_diff_and_patched_reproduce_the_new_file() -> None:
    after = SOURCE.replace("return a + b", "x = a\n    return x + b").replace("LIMIT = 3\n", "")
    diff = diff_of("pkg/mod.py", SOURCE, after)
    (change,) = parse_diff(diff)
    assert (change.old_path, change.new_path) == ("pkg/mod.py", "pkg/mod.py")
    assert patched(SOURCE, change.hunks) == after


def test_gold_patch_of_a_bundled_task_changes_a_function_and_a_property() -> None:
    gold = (PAGINATE / "gold.patch").read_text()
    source = (PAGINATE / "repo" / "pager" / "paginator.py").read_text()
    functions, notes = changed_functions(gold, {"pager/paginator.py": source})
    assert [(f.id, f.method) for f in functions] == [
        ("pager/paginator.py::page_count", False),
        ("pager/paginator.py::Paginator.num_pages", True)]
    assert notes == []


def test_clusters_ignore_unusable_inputs_and_need_two_candidates() -> None:
    outputs = {"a": ["=1", "=2", "~unstable"], "b": ["=1", "=2", "=9"],
               "c": ["=1", "!ValueError", "=9"], "d": ["=1", "=2", "=8"]}
    assert cluster(outputs) == {"a": "b0", "b": "b0", "d": "b0", "c": "b1"}
    assert cluster({"a": ["=1"]}) == {}
    assert cluster({"a": ["~budget"], "b": ["=1"]}) == {}
    data = Behaviour(inputs=[], outputs=outputs, clusters=cluster(outputs))
    assert data.agreement(["a", "c"]) == {"a": 1, "c": 1}
    assert data.agreement(["a", "b", "c", "z"]) == {"a": 2, "b": 2, "c": 1, "z": 0}


def test_answers_are_read_from_the_marked_line() -> None:
    output = "noise\n" + MARKER + json.dumps({"outputs": ["=1"]}) + "\n"
    assert read_answer(CommandResult(0, output)) == ({"outputs": ["=1"]}, "")
    crashed = MARKER + json.dumps({"error": "Traceback: boom"})
    assert read_answer(CommandResult(0, crashed)) == (None, "Traceback: boom")
    answer, why = read_answer(CommandResult(-9, "Segmentation fault"))
    assert answer is None
    assert "exit -9" in why
    assert "Segmentation fault" in why
    assert read_answer(CommandResult(None, "", timed_out=True, reason="past 240s"))[1] == (
        "timed out past 240s")


def test_the_probe_command_runs_under_the_tasks_python_and_pytest_options() -> None:
    spec = RunSpec(test_cmd=("pytest", "-rA", "--tb=no"))
    assert python_of(spec) == "python"
    assert pytest_args_of(spec) == ["-rA", "--tb=no", "-p", "no:cacheprovider", "-q"]
    assert python_of(RunSpec(test_cmd=("/opt/venv/bin/python3", "-m", "pytest"))) == (
        "/opt/venv/bin/python3")
    assert pytest_args_of(RunSpec(test_cmd=("make", "test"))) is None
    request = {"data": "x" * 250_000}
    argv = probe_argv(spec, "probe", request)
    assert argv[:3] == ["env", "PYTHONHASHSEED=0", "python"]
    assert argv[6] == "probe"
    assert all(len(a) <= 100_000 for a in argv[7:])
    assert json.loads("".join(argv[7:])) == request


def load_probe_script() -> ModuleType:
    """The probe script as the container runs it (its parts joined), as a module."""
    module = ModuleType("behaviour_probe")
    source = b"".join(p.read_bytes() for p in PROBE_PARTS)
    exec(compile(source, "behaviour_probe", "exec"), module.__dict__)
    return module


class Plain:
    def __init__(self) -> None:
        self.items = {3, 1, 2}


def test_canonical_outputs_and_variations_of_the_probe_script() -> None:
    probe = load_probe_script()
    assert probe.MARKER == MARKER
    assert probe.canon({"b", "a"}) == "{'a', 'b'}"
    assert probe.canon([1, (2, None)]) == "[1, (2, None)]"
    assert probe.canon(Plain()) == "Plain{'items': {1, 2, 3}}"
    assert probe.canon(object()) == "<object object at 0x?>"
    assert probe.variants(5) == [6, 4, 0, -5, None]
    assert probe.variants(True) == [False, None]
    assert probe.variants("ab") == ["", "abab", None]
    assert probe.variants([1, 2]) == [[], [1], [2, 1], None]
    assert probe.variants(None) == []
    long = probe.clipped("x" * 1000)
    assert len(long) <= probe.OUTPUT_CHARS
    assert long != probe.clipped("x" * 999 + "y")


# ---------------------------------------------------------------- in Docker


def paginate_candidates() -> list[Candidate]:
    """Three fixes of paginate-page-count that pass every visible test: A (gold) and B behave
    alike; C returns at least one page for a negative count (no visible test asks)."""
    gold = (PAGINATE / "gold.patch").read_text()
    fixed = "+    return (total + per_page - 1) // per_page"
    assert fixed in gold
    b = gold.replace(fixed, "+    return -(-total // per_page)").replace(
        "+        return max(1, (hits + self.per_page - 1) // self.per_page)",
        "+        return max(1, -(-hits // self.per_page))")
    c = gold.replace(fixed, "+    return max(1, -(-total // per_page))")
    return [Candidate(id="C", diff=c), Candidate(id="A", diff=gold), Candidate(id="B", diff=b)]


@pytest.mark.docker
def test_behaviour_judge_prefers_the_candidates_that_agree(
    docker_client: docker.DockerClient,
) -> None:
    import anyio

    from sandbox import SandboxConfig, SandboxPool
    from sandbox.environment import prepare
    from solver.selection.prober import behaviour_for
    from solver.selection.tournament import pick, select
    from tasks.load import load_task

    task = load_task(PAGINATE)
    env = prepare(docker_client, task)
    candidates = paginate_candidates()
    config = SandboxConfig(capacity=2)

    async def run() -> tuple[Behaviour, list[Any]]:
        async with SandboxPool(env.image, env.spec, config, client=docker_client) as pool:
            verdicts = await pool.verify(candidates, [*task.fail_to_pass, *task.pass_to_pass])
            files = {p: t for p, t in read_source_files(task).items() if p.startswith("pager/")}
            data = await behaviour_for(pool, task, candidates, files=files)
        return data, verdicts

    data, verdicts = anyio.run(run)
    tests = [*task.fail_to_pass, *task.pass_to_pass]
    assert all(v.passed(tests) for v in verdicts), [v.failing() for v in verdicts]
    assert data.errors == {}, data.errors
    assert len(data.base) == len(data.inputs)  # the base tree is probed beside the candidates
    assert data.drift("A") == data.drift("B") > 0  # both fix the bug: they change the base there
    assert data.functions == ["pager/paginator.py::page_count",
                              "pager/paginator.py::Paginator.num_pages"]
    assert {i.origin for i in data.inputs} == {"test", "variation"}
    assert any(i.call == "page_count(30, 10, True)" for i in data.inputs)
    assert data.clusters["A"] == data.clusters["B"] != data.clusters["C"]
    assert data.distinguishing() >= 1
    differing = [i for n, i in enumerate(data.inputs)
                 if data.outputs["A"][n] != data.outputs["C"][n]]
    assert all(i.origin == "variation" for i in differing)  # no test input tells them apart
    entries = list(zip(candidates, verdicts, strict=True))
    assert pick(entries)[0] == entries[2]  # without behaviour: the simplest text (B) wins
    stored = Behaviour.model_validate_json(data.model_dump_json())
    winner, (match,) = anyio.run(lambda: select(task, entries, [], behaviour=stored))
    assert winner is not None
    assert winner[0].id in ("A", "B")
    assert match.reason.startswith("largest behaviour cluster (2 of 3)")


ROBUST = {
    "pkg/__init__.py": "",
    "pkg/core.py": '''import threading

LIMIT = 3


def clamp(x, lo, hi):
    return max(lo, min(x, hi))


class Counter:
    def __init__(self):
        self.lock = threading.Lock()  # `self` does not pickle
        self.n = 0

    def bump(self, k):
        self.n += k
        return self.n


def outer(values):
    def inner(v):
        return v * 2
    return [inner(v) for v in values]
''',
    "tests/test_core.py": '''from pkg.core import Counter, clamp, outer


def test_clamp():
    assert clamp(5, 0, 3) == 3


def test_bump():
    assert Counter().bump(2) == 2


def test_outer():
    assert outer([1, 2]) == [2, 4]
''',
    "pyproject.toml": '[tool.pytest.ini_options]\npythonpath = ["."]\n',
}


def robust_candidates() -> list[Candidate]:
    core = ROBUST["pkg/core.py"]

    def change(*edits: tuple[str, str]) -> str:
        after = core
        for old, new in edits:
            assert old in after
            after = after.replace(old, new, 1)
        return diff_of("pkg/core.py", core, after)

    return [
        Candidate(id="same", diff=change(("max(lo, min(x, hi))", "max(min(x, hi), lo)"),
                                         ("self.n += k", "self.n = self.n + k"),
                                         ("return v * 2", "return v + v"))),
        Candidate(id="constant", diff=change(("LIMIT = 3", "LIMIT = 4"))),
        Candidate(id="hangs", diff=change(
            ("    return max(lo, min(x, hi))", "    while x < 0:\n        pass\n"
             "    return max(lo, min(x, hi))"))),
        Candidate(id="exits", diff=change(
            ("    return max(lo, min(x, hi))", "    if x == 6:\n        import os\n"
             "        os._exit(3)\n    return max(lo, min(x, hi))"))),
    ]


@pytest.mark.docker
def test_probe_survives_hangs_exits_unpicklable_self_and_module_level_changes(
    docker_client: docker.DockerClient, tmp_path: Path,
) -> None:
    import anyio

    from sandbox import SandboxConfig, SandboxPool
    from sandbox.environment import prepare
    from solver.selection.prober import behaviour_for
    from tasks.model import Task

    for name, content in ROBUST.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(content)
    task = Task(instance_id="robust", path=tmp_path,
                FAIL_TO_PASS=["tests/test_core.py::test_clamp"],
                PASS_TO_PASS=["tests/test_core.py::test_bump", "tests/test_core.py::test_outer"])
    env = prepare(docker_client, task)

    async def run() -> Behaviour:
        async with SandboxPool(env.image, env.spec, SandboxConfig(capacity=2),
                               client=docker_client) as pool:
            return await behaviour_for(pool, task, robust_candidates())

    data = anyio.run(run)
    assert data.functions == ["pkg/core.py::clamp", "pkg/core.py::Counter.bump",
                              "pkg/core.py::outer"]  # a nested change probes its outer function
    assert data.skipped["constant"] == "changes no function of the base tree"
    assert data.skipped["pkg/core.py"] == "module-level change"
    assert "no call recorded" in data.skipped["pkg/core.py::Counter.bump"]
    assert {i.function for i in data.inputs} == {"pkg/core.py::clamp", "pkg/core.py::outer"}
    assert set(data.errors) == {"exits"}
    assert data.clusters["same"] == data.clusters["constant"] == "b0"
    assert data.clusters["hangs"] == "b1"
    hung = [data.outputs["hangs"][n] for n, i in enumerate(data.inputs) if i.call.startswith(
        "clamp(-5,")]
    assert hung == ["!timeout"]
