"""Import-time and collection faults (issue 16): a test module that cannot be imported is named
by the project line its traceback ends on, a one-token SyntaxError has an edit that fixes it,
a module selected as a whole passes once its tests do, and module-level lines are attributed to
the tests that import them. Real pytest runs on small programs under tests/data/import_faults."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import git
import pytest

from sandbox.junit import parse_junit
from sandbox.verdict import Outcome, Verdict
from solver.analysis import (
    Location,
    blend_locations,
    spectrum_from_coverage,
    traceback_locations,
)
from solver.analysis.collection import collection_errors
from solver.generators.search import generate_edits
from solver.generators.search.edits import apply_edits
from solver.generators.search.ops_syntax import compile_error, repair_syntax

DATA = Path(__file__).parent / "data" / "import_faults"
SYNTAX_REPO, MODULE_LEVEL_REPO = DATA / "syntax_repo", DATA / "module_level_repo"


def copy_of(repo: Path, tmp_path: Path) -> Path:
    target = tmp_path / repo.name
    shutil.copytree(repo, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def run_pytest(root: Path, *args: str) -> Verdict:
    """A real pytest run in `root`, read back through the sandbox's JUnit parser."""
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    report = root / "report.xml"
    subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q",
                    f"--junitxml={report}", "-o", "junit_family=xunit1", *args],
                   cwd=root, capture_output=True, text=True, timeout=120, env=env)
    return Verdict(applied=True, tests=parse_junit(report.read_text()))


def test_a_syntax_error_is_named_by_its_own_line_not_the_package_init(tmp_path: Path) -> None:
    root = copy_of(SYNTAX_REPO, tmp_path)
    verdict = run_pytest(root, "tests")
    [error] = collection_errors(verdict, str(root))
    assert (error.file, error.line) == ("pkg/calc.py", 1)
    assert error.error == "SyntaxError: expected ':'"
    assert str(error) == "pkg/calc.py:1: SyntaxError: expected ':' (collecting tests/test_calc.py)"
    message = verdict.tests[error.test_id].message
    assert traceback_locations(message, str(root))[:2] == [("pkg/calc.py", 1),
                                                            ("pkg/__init__.py", 1)]


def test_a_name_error_at_import_is_named_by_its_line(tmp_path: Path) -> None:
    root = copy_of(MODULE_LEVEL_REPO, tmp_path)
    limits = root / "pkg" / "limits.py"
    limits.write_text(limits.read_text().replace("for s in SIZES", "for s in SIZE"))
    [error] = collection_errors(run_pytest(root, "tests"), str(root))
    assert (error.file, error.line) == ("pkg/limits.py", 2)
    assert error.error.startswith("NameError: name 'SIZE' is not defined")


def test_passing_tests_make_no_collection_error(tmp_path: Path) -> None:
    root = copy_of(MODULE_LEVEL_REPO, tmp_path)
    verdict = run_pytest(root, "tests")
    assert verdict.failing()
    assert collection_errors(verdict, str(root)) == []


def test_the_missing_colon_is_one_edit_and_the_module_then_passes(tmp_path: Path) -> None:
    root = copy_of(SYNTAX_REPO, tmp_path)
    source = (root / "pkg" / "calc.py").read_text()
    assert compile_error(source) == (1, "expected ':'")
    [edit] = repair_syntax("pkg/calc.py", source)
    assert (edit.operator, edit.replacement) == ("syntax", ":")
    assert run_pytest(root, "tests").outcome("tests/test_calc.py") == Outcome.ERROR

    (root / "pkg" / "calc.py").write_text(apply_edits(source, [edit]))
    fixed = run_pytest(root, "tests/test_calc.py")
    assert compile_error(apply_edits(source, [edit])) is None
    assert sorted(fixed.tests) == [f"tests/test_calc.py::test_{n}" for n in ("high", "low", "mid")]
    assert fixed.outcome("tests/test_calc.py") == Outcome.PASSED
    assert fixed.outcome("tests/test_other.py") == Outcome.MISSING


@pytest.mark.parametrize(("source", "fixed"), [
    ("total = sum((1, 2)\nprint(total)\n", "total = sum((1, 2))\nprint(total)\n"),
    ("def f(x):\n    if x = 1:\n        return 2\n",
     "def f(x):\n    if x == 1:\n        return 2\n"),
    ("for i in range(3)  # count\n    print(i)\n", "for i in range(3):  # count\n    print(i)\n"),
])
def test_one_token_syntax_repairs(source: str, fixed: str) -> None:
    assert compile_error(source) is not None
    assert [apply_edits(source, [e]) for e in repair_syntax("m.py", source)] == [fixed]


def test_a_file_that_compiles_gets_no_syntax_edit() -> None:
    assert list(repair_syntax("m.py", (MODULE_LEVEL_REPO / "pkg" / "limits.py").read_text())) == []


def test_module_level_lines_count_for_the_tests_that_import_them(tmp_path: Path) -> None:
    root = copy_of(MODULE_LEVEL_REPO, tmp_path)
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rA", "-p",
         "pytest_cov.plugin", "--cov=pkg", "--cov-context=test", "--cov-report=", "tests"],
        cwd=root, capture_output=True, text=True, timeout=120, env=env)
    outcomes = {"tests/test_limits.py::test_big_sizes": False,
                "tests/test_limits.py::test_is_big": False}
    assert "2 failed" in done.stdout, done.stdout
    spectrum = spectrum_from_coverage(root / ".coverage", outcomes, str(root))
    assert ("pkg/limits.py", 2) in spectrum.imported
    assert spectrum.hits()[("pkg/limits.py", 2)] == (2, 0)
    assert ("pkg/limits.py", 6) not in spectrum.imported  # a function body runs in a test
    ranked = blend_locations(spectrum, "ochiai", traceback_locations(done.stdout, str(root)))
    top = [(loc.file, loc.line) for loc in ranked[:3]]
    assert ("pkg/limits.py", 2) in top
    files = {"pkg/limits.py": (root / "pkg" / "limits.py").read_text()}
    descriptions = [c.description for c in generate_edits(files, ranked, limit=40)]
    assert any("`<` → `>`" in d and "pkg/limits.py:2" in d for d in descriptions), descriptions


def test_an_unbound_name_is_offered_the_nearest_bound_one(tmp_path: Path) -> None:
    root = copy_of(MODULE_LEVEL_REPO, tmp_path)
    limits = root / "pkg" / "limits.py"
    limits.write_text(limits.read_text().replace("< 4", "> 4").replace("in SIZES", "in SIZE"))
    [error] = collection_errors(run_pytest(root, "tests"), str(root))
    location = Location(error.file, error.line, 1.0, "traceback")
    edits = generate_edits({error.file: limits.read_text()}, [location], limit=40)
    [fix] = [e for e in edits if "(unbound)" in e.description]
    assert fix.description == "`SIZE` (unbound) → `SIZES` at pkg/limits.py:2"
    limits.write_text(apply_edits(limits.read_text(), fix.edits))
    assert run_pytest(root, "tests").outcome("tests/test_limits.py") == Outcome.PASSED
    loop = "def f(items):\n    for item in itmes:\n        print(item)\n"
    named = [e.description for e in generate_edits({"m.py": loop}, [Location("m.py", 2, 1.0,
                                                   "traceback")], limit=60)]
    assert "`itmes` (unbound) → `items` at m.py:2" in named
    assert not any("`item` (unbound)" in d for d in named)  # the loop binds it


def committed(repo: Path, tmp_path: Path) -> Path:
    root = copy_of(repo, tmp_path)
    with git.Repo.init(root) as work:
        work.git.add(A=True)
        actor = git.Actor("dev", "dev@example.com")
        work.index.commit("initial", author=actor, committer=actor)
    return root


def solver_ci(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "solver.cli", "ci", str(path), "--width", "8", "--depth", "3",
         "--install-cmd", "none", "--test-cmd", "python -m pytest -q tests", "--json"],
        capture_output=True, text=True, timeout=300)


@pytest.mark.docker
def test_ci_names_the_syntax_error_and_fixes_it(docker_client, tmp_path: Path) -> None:
    root = committed(SYNTAX_REPO, tmp_path)
    done = solver_ci(root)
    assert done.returncode == 0, done.stdout + done.stderr
    assert ("collection error: pkg/calc.py:1: SyntaxError: expected ':' "
            "(collecting tests/test_calc.py)\n") in done.stderr
    data = json.loads(done.stdout)
    assert data["collection_errors"] == [
        "pkg/calc.py:1: SyntaxError: expected ':' (collecting tests/test_calc.py)"]
    assert data["failing"] == ["tests/test_calc.py"]
    assert "+def clamp(x, lo, hi):\n" in (root / "solver-fix.patch").read_text()


@pytest.mark.docker
def test_ci_fixes_a_flipped_comparison_in_module_level_code(docker_client, tmp_path: Path) -> None:
    root = committed(MODULE_LEVEL_REPO, tmp_path)
    done = solver_ci(root)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "+BIG = [s for s in SIZES if s > 4]\n" in (root / "solver-fix.patch").read_text()
