"""Task synthesis: mutation operators (pure), task records (pure), and one run in Docker."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import anyio
import pytest

from solver.synthesis.mutate import FAMILIES, compiles, mutants_of
from solver.synthesis.write import build_task, choose_pass_to_pass
from tasks.diffs import render_file_diff
from tasks.load import load_tasks
from tasks.paths import is_test_file

SNIPPET = '''\
LIMIT = 2 * 5


def clamp(values, low, high):
    """Keep each value within [low, high]."""
    if not values:
        return low > high
    out = []
    for value in values:
        if value < low and low is not None:
            value = low
        elif not value <= high:
            value = high
        out.append(max(value, 0))
    while len(out) > LIMIT:
        out = out[:-1]
    for _ in range(len(out)):
        if low < 0 or low > high:
            break
    return out[:LIMIT] + [len(out) - 1] + [low > high]
'''

TEST = '''\
from clamp.core import clamp


def test_clamp_low():
    assert clamp([-5, 2], 0, 3)[:2] == [0, 2]
    assert clamp([-5, 2], 0, 3)[-1] is False


def test_clamp_high():
    assert clamp([9], 0, 3)[0] == 3


def test_count():
    assert clamp([1, 2, 3], 0, 9)[-2] == 2
'''


def write_package(root: Path) -> Path:
    (root / "clamp").mkdir(parents=True)
    (root / "clamp" / "__init__.py").write_text("")
    (root / "clamp" / "core.py").write_text(SNIPPET)
    (root / "tests").mkdir()
    (root / "tests" / "test_core.py").write_text(TEST)
    return root


@pytest.mark.parametrize("family", FAMILIES)
def test_each_family_produces_a_compiling_mutant(tmp_path: Path, family: str) -> None:
    root = write_package(tmp_path)
    mutants = mutants_of(root, ["clamp"], seed=1, families=(family,))
    assert mutants, family
    for mutant in mutants:
        assert mutant.family == family
        assert mutant.source != mutant.original
        assert compiles(mutant.source, mutant.file)
        assert mutant.function == ("<module>" if family == "module-level" else "clamp")


def test_mutants_are_deterministic_and_seeded(tmp_path: Path) -> None:
    root = write_package(tmp_path)
    first = mutants_of(root, ["clamp"], seed=7, limit=len(FAMILIES))
    assert first == mutants_of(root, ["clamp"], seed=7, limit=len(FAMILIES))
    assert [m.source for m in first] != [m.source for m in mutants_of(
        root, ["clamp"], seed=8, limit=len(FAMILIES))]
    assert len({m.family for m in first}) == len(FAMILIES)


def test_tests_and_docstrings_are_never_mutated(tmp_path: Path) -> None:
    root = write_package(tmp_path)
    mutants = mutants_of(root, ["clamp", "tests"], seed=0)
    assert {m.file for m in mutants} == {"clamp/core.py"}
    assert all('"""Keep each value within [low, high]."""' in m.source for m in mutants)
    assert is_test_file("pkg/tests/helpers.py")
    assert is_test_file("test_x.py")
    assert not is_test_file("pkg/core.py")


def test_gold_patch_is_the_reverse_diff(tmp_path: Path) -> None:
    root = write_package(tmp_path)
    mutant = mutants_of(root, ["clamp"], seed=0, limit=1)[0]
    task = build_task(
        package="clamp", version="1.0", number=3, file=mutant.file, original=mutant.original,
        buggy=mutant.source, failing=["tests/test_core.py::test_count"],
        passing=["tests/test_core.py::test_clamp_low", "tests/test_core.py::test_count"],
        messages={"tests/test_core.py::test_count": "assert 3 == 2 at 0xdeadbeef"},
        test_cmd="python -m pytest", requirements=[], bug_class=mutant.family,
    )
    assert task.instance_id == "clamp-1.0-3"
    assert task.repo == "pypi:clamp==1.0"
    assert task.patch.startswith("diff --git a/clamp/core.py b/clamp/core.py\n--- a/clamp/core.py")
    assert task.patch == render_file_diff(mutant.file, mutant.source, mutant.original)
    assert task.pass_to_pass == ["tests/test_core.py::test_clamp_low"]
    assert "test_count" in task.problem_statement
    assert "assert 3 == 2" in task.problem_statement
    assert "0xdeadbeef" not in task.problem_statement


def test_pass_to_pass_is_capped_and_keeps_the_failing_tests_out() -> None:
    passing = [f"t/test_a.py::test_{i}" for i in range(80)] + [f"t/test_b.py::test_{i}"
                                                                 for i in range(80)]
    chosen = choose_pass_to_pass(["t/test_a.py::test_0"], passing, seed=0)
    assert "t/test_a.py::test_0" not in chosen
    assert sum(t.startswith("t/test_a.py") for t in chosen) == 50
    assert sum(t.startswith("t/test_b.py") for t in chosen) == 20
    assert chosen == choose_pass_to_pass(["t/test_a.py::test_0"], passing, seed=0)


def test_diff_marks_a_missing_final_newline() -> None:
    diff = render_file_diff("m.py", "a = 1\nb = 2", "a = 1\nb = 3")
    assert diff.endswith("+b = 3\n\\ No newline at end of file\n")


def fake_sdist(cache: Path, root: Path) -> None:
    """A local sdist in the cache, so no network is needed for the package itself."""
    folder = cache / "sdists"
    folder.mkdir(parents=True)
    with tarfile.open(folder / "clamp-1.0.tar.gz", "w:gz") as tar:
        tar.add(root, arcname="clamp-1.0")
        data = b"* text=auto\n"
        info = tarfile.TarInfo("clamp-1.0/.gitattributes")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))


@pytest.mark.docker
def test_synthesize_a_local_package_end_to_end(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from solver.harness.validate import validate_all
    from solver.synthesis.build import synthesize_spec
    from solver.synthesis.sample import export_sample, load_sample

    cache = tmp_path / "cache"
    monkeypatch.setenv("SOLVER_CACHE", str(cache))
    fake_sdist(cache, write_package(tmp_path / "src"))
    out = tmp_path / "out"
    report = anyio.run(lambda: synthesize_spec("clamp==1.0", out, 3, 0, {}))
    assert report.status == "done", report.reason
    assert report.baseline_passed == 3
    assert 1 <= report.kept <= 3
    result = load_tasks(out / "clamp.jsonl")
    assert not result.errors
    assert len(result.tasks) == report.kept
    checks = anyio.run(lambda: validate_all(result.tasks))
    assert all(check.ok for check in checks), [c.problems for c in checks]

    sample = tmp_path / "sample"
    assert export_sample([out / "clamp.jsonl"], 1, dest=sample) == 1
    record = json.loads((sample / "clamp.jsonl").read_text())
    assert "path" not in record
    assert record["repo"] == "pypi:clamp==1.0"
    tasks = load_sample(sample)
    assert tasks[0].path is not None
    assert tasks[0].base_commit == result.tasks[0].base_commit
