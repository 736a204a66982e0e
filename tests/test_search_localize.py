"""Fault localization: SBFL formulas, traceback frames from real pytest output, and a real
per-test coverage run turned into a ranking that puts the buggy line on top."""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from coverage import CoverageData

from solver.analysis import (
    Counts,
    Location,
    Spectrum,
    dstar,
    ochiai,
    rank_locations,
    spectrum_from_coverage,
    tarantula,
    traceback_locations,
)
from solver.analysis.spectrum import context_test_id
from solver.generators.search import generate_edits

MOD = "pkg/calc.py"
A1, A2, A3, T1 = (MOD, 1), (MOD, 2), (MOD, 3), ("tests/test_calc.py", 5)


@pytest.fixture
def spectrum() -> Spectrum:
    return Spectrum(
        outcomes={"t1": False, "t2": True, "t3": True},
        covered={
            "t1": frozenset({A1, A2, T1}),
            "t2": frozenset({A1, T1}),
            "t3": frozenset({A1, A3}),
        },
    )


def test_formulas_on_counts() -> None:
    assert ochiai(Counts(ef=1, ep=2, nf=0, np=0)) == pytest.approx(1 / math.sqrt(3))
    assert tarantula(Counts(ef=1, ep=1, nf=1, np=1)) == pytest.approx(0.5)
    assert dstar(Counts(ef=2, ep=1, nf=1, np=0)) == pytest.approx(2.0)
    assert dstar(Counts(ef=1, ep=0, nf=0, np=3)) == pytest.approx(2.0)
    for formula in (ochiai, tarantula, dstar):
        assert formula(Counts(ef=0, ep=3, nf=1, np=0)) == 0.0


@pytest.mark.parametrize("formula", ["ochiai", "tarantula", "dstar"])
def test_rank_on_hand_made_spectrum(spectrum: Spectrum, formula: str) -> None:
    ranked = rank_locations(spectrum, formula, limit=10)
    assert [(loc.file, loc.line) for loc in ranked] == [A2, A1, A3]
    assert ranked[0].score == pytest.approx(1.0)
    assert ranked[0].reason == formula
    assert 0 < ranked[1].score < 1
    assert (ranked[2].score, ranked[2].reason) == (0.0, "covered")


def test_tracebacks_go_first_and_limit_cuts(spectrum: Spectrum) -> None:
    ranked = rank_locations(spectrum, "ochiai", tracebacks=[A3, A3], limit=2)
    assert ranked == [Location(MOD, 3, 1.0, "traceback"), Location(MOD, 2, 1.0, "ochiai")]


def test_filler_only_when_short(spectrum: Spectrum) -> None:
    assert [loc.line for loc in rank_locations(spectrum, limit=2)] == [2, 1]


def test_context_names_lose_their_phase() -> None:
    assert context_test_id("tests/test_x.py::test_a[1-2]|run") == "tests/test_x.py::test_a[1-2]"
    assert context_test_id("tests/test_x.py::T::test_b|setup") == "tests/test_x.py::T::test_b"


def test_traceback_frames_from_text() -> None:
    log = textwrap.dedent("""\
        ___________________________ test_one ___________________________
        tests/test_a.py:5: in test_one
            assert f(0)
        /testbed/pkg/outer.py:3: in f
            return g(x)
        /usr/lib/python3/site-packages/lib.py:9: in g
            return h(x)
        pkg/inner.py:7: in h
            return 1 / x
        E   ZeroDivisionError
        ___________________________ test_two ___________________________
        Traceback (most recent call last):
          File "/testbed/tests/test_a.py", line 9, in test_two
          File "/testbed/pkg/outer.py", line 12, in k
          File "<frozen importlib._bootstrap>", line 1, in x
        RecursionError: maximum recursion depth exceeded
        ====================== warnings summary ======================
        pkg/outer.py:40: DeprecationWarning: old
        """)
    assert traceback_locations(log, "/testbed") == [
        ("pkg/inner.py", 7),
        ("pkg/outer.py", 12),
        ("pkg/outer.py", 3),
    ]


PACKAGE = {
    "pkg/__init__.py": "",
    "pkg/calc.py": """\
        def clamp(x, lo, hi):
            if x < lo:
                return lo
            if x > hi:
                return lo
            return x


        def ratio(a, b):
            return a / b
        """,
    "tests/test_calc.py": """\
        from pkg.calc import clamp, ratio


        def test_below():
            assert clamp(-1, 0, 10) == 0


        def test_inside():
            assert clamp(5, 0, 10) == 5


        def test_above():
            assert clamp(11, 0, 10) == 10


        def test_ratio():
            assert ratio(6, 3) == 2


        def test_ratio_zero():
            assert ratio(1, 0) == 0
        """,
}


def run_pytest(root: Path, *args: str) -> str:
    """Run pytest in `root` with only the plugins named (autoloading them all is slow)."""
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rA", *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    return result.stdout


def outcomes_of(log: str) -> dict[str, bool]:
    found = re.findall(r"^(PASSED|FAILED) (\S+)", log, flags=re.MULTILINE)
    return {test: status == "PASSED" for status, test in found}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("project").resolve()
    for name, content in PACKAGE.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(content))
    return root


def test_real_coverage_run_ranks_the_bug_first(project: Path) -> None:
    log = run_pytest(
        project, "-p", "pytest_cov.plugin", "--cov=pkg", "--cov-context=test", "--cov-report="
    )
    outcomes = outcomes_of(log)
    assert outcomes["tests/test_calc.py::test_above"] is False
    assert outcomes["tests/test_calc.py::test_inside"] is True
    spectrum = spectrum_from_coverage(project / ".coverage", outcomes, str(project))
    assert (MOD, 5) in spectrum.covered["tests/test_calc.py::test_above"]
    assert all(not f.startswith("tests/") for lines in spectrum.covered.values() for f, _ in lines)

    tracebacks = traceback_locations(log, str(project))
    assert tracebacks == [(MOD, 10)]
    ranked = rank_locations(spectrum, "ochiai", tracebacks, limit=20)
    assert (ranked[0].file, ranked[0].line, ranked[0].reason) == (MOD, 10, "traceback")
    assert (ranked[1].file, ranked[1].line) == (MOD, 5)
    for formula in ("tarantula", "dstar"):
        assert (MOD, 5) in [(loc.file, loc.line) for loc in rank_locations(spectrum, formula)[:2]]

    files = {MOD: (project / MOD).read_text()}
    candidates = generate_edits(files, ranked, limit=60)
    descriptions = [c.description for c in candidates]
    assert f"`lo` → `hi` at {MOD}:5" in descriptions


def test_coverage_without_contexts_is_refused(project: Path, tmp_path: Path) -> None:
    data = CoverageData(basename=str(tmp_path / ".coverage"))
    data.add_lines({str(project / MOD): [1, 2]})
    data.write()
    with pytest.raises(ValueError, match="--cov-context=test"):
        spectrum_from_coverage(tmp_path / ".coverage", {}, str(project))


@pytest.mark.parametrize("style", ["short", "long", "native", "line"])
def test_tracebacks_of_real_pytest_output(project: Path, style: str) -> None:
    log = run_pytest(project, f"--tb={style}", "tests/test_calc.py::test_ratio_zero")
    assert traceback_locations(log, str(project)) == [(MOD, 10)]
