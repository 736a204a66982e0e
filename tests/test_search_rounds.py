"""Rounds that do not depend on the width (what `solver scale` assumes), and partial fixes as
parents for a second edit (no Docker: locations and verdicts are made by hand)."""

from __future__ import annotations

import asyncio
from collections import Counter
from fractions import Fraction
from pathlib import Path

import pytest

from sandbox import Outcome, Verdict
from sandbox import TestResult as Result
from solver.analysis import Location
from solver.analysis.spectrum import Spectrum
from solver.feedback import Feedback
from solver.generators.search import ScoredEdit
from solver.generators.search.edits import Edit
from solver.generators.search.generator import SearchGenerator
from solver.generators.search.parents import Parent, base_line, relocate
from solver.generators.search.rounds import Schedule, Stream, interleave, take
from solver.types import Candidate
from tasks.load import load_task
from tasks.model import Task
from tasks.paths import is_test_file

BUNDLED = Path(__file__).resolve().parent.parent / "tasks" / "bundled"
WIDTHS = (1, 2, 4, 8, 16)


def bundled(name: str) -> tuple[Task, dict[str, str], list[Location]]:
    """A bundled task, its source files, and every line of its modules as a location (score
    falling with the line number, so that one function does not hold every top score)."""
    task = load_task(BUNDLED / name)
    repo = BUNDLED / name / "repo"
    files = {p.relative_to(repo).as_posix(): p.read_text(encoding="utf-8")
             for p in sorted(repo.rglob("*.py"))
             if not is_test_file(p.relative_to(repo).as_posix())}
    locations = [Location(file, n, 1.0 / (1 + 0.02 * n), "hand")
                 for file, text in files.items() for n in range(1, text.count("\n") + 1)]
    return task, files, locations


def verdict(task: Task, candidate: Candidate, passed: set[str], message: str) -> Verdict:
    tests = {t: Result(test_id=t, outcome=Outcome.PASSED if t in passed else Outcome.FAILED,
                       message="" if t in passed else message) for t in task.fail_to_pass}
    if passed:
        tests.update({t: Result(test_id=t, outcome=Outcome.PASSED) for t in task.pass_to_pass})
    return Verdict(candidate_id=candidate.id, applied=True, tests=tests)


def feedback_for(task: Task, candidates: list[Candidate]) -> list[tuple[Candidate, Verdict]]:
    """Candidate 2 fixes the first failing test, 5 changes how the tests fail, the rest do
    nothing."""
    out = []
    for n, candidate in enumerate(candidates):
        passed = {task.fail_to_pass[0]} if n == 2 else set()
        message = "AssertionError: assert 2 == 3" if n == 5 else "AssertionError: assert 1 == 3"
        out.append((candidate, verdict(task, candidate, passed, message)))
    return out


@pytest.mark.parametrize("name", ["query-string-slash", "money-allocate"])
def test_round_zero_is_a_prefix_of_every_wider_round(name: str) -> None:
    task, files, locations = bundled(name)
    rounds = {w: asyncio.run(SearchGenerator(files, locations).propose(task, 0, w, Feedback()))
              for w in WIDTHS}
    widest = [c.diff for c in rounds[max(WIDTHS)]]
    assert len(set(widest)) == len(widest) == max(WIDTHS)
    for width in WIDTHS:
        assert [c.diff for c in rounds[width]] == widest[:width]
        assert [c.id for c in rounds[width]] == [f"r0-{n}" for n in range(width)]
    sites = Counter((c.diff.split("\n@@")[1].split("@@")[0]) for c in rounds[16])
    assert len(sites) > 2  # the per-line decay spreads a round over several places


@pytest.mark.parametrize("name", ["query-string-slash", "money-allocate"])
def test_a_later_round_is_a_prefix_given_the_same_feedback(name: str) -> None:
    task, files, locations = bundled(name)
    baseline = {t: "failed|AssertionError: assert 1 == 3" for t in task.fail_to_pass}
    first = asyncio.run(SearchGenerator(files, locations, baseline=baseline)
                        .propose(task, 0, 16, Feedback()))
    feedback = Feedback.of(task, 0, feedback_for(task, first))
    later = {}
    for width in WIDTHS:
        generator = SearchGenerator(files, locations, baseline=baseline)
        asyncio.run(generator.propose(task, 0, 16, Feedback()))
        later[width] = asyncio.run(generator.propose(task, 1, width, feedback))
    widest = [(c.diff, c.parent_ids) for c in later[max(WIDTHS)]]
    for width in WIDTHS:
        assert [(c.diff, c.parent_ids) for c in later[width]] == widest[:width]
    if len(task.fail_to_pass) > 1:  # a partial fix: its children lead every pair of slots
        assert later[16][0].parent_ids == (first[2].id,)
        assert sum(bool(c.parent_ids) for c in later[16]) == 8


MOD = "pkg/m.py"
SOURCE = """\
def f(a):
    x = a + 1
    return x


def g(b):
    y = b - 1
    return y
"""


def test_children_of_a_partial_fix_go_where_the_rest_still_fails() -> None:
    tests = ["t_f", "t_g"]
    task = Task(instance_id="t", repo="r", base_commit="HEAD", problem_statement="",
                fail_to_pass=tests)
    spectrum = Spectrum(outcomes={"t_f": False, "t_g": False},
                        covered={"t_f": frozenset({(MOD, 2), (MOD, 3)}),
                                 "t_g": frozenset({(MOD, 7), (MOD, 8)})})
    locations = [Location(MOD, 2, 1.0, "ochiai"), Location(MOD, 3, 0.9, "ochiai"),
                 Location(MOD, 7, 0.5, "ochiai"), Location(MOD, 8, 0.4, "ochiai")]
    generator = SearchGenerator({MOD: SOURCE}, locations, spectrum=spectrum)
    first = generator.propose_now(task, 0, 4, [])
    fixing = next(c for c in first if "x = a - 1" in c.diff)
    feedback = [(c, verdict(task, c, {"t_f"} if c is fixing else set(), "AssertionError"))
                for c in first]
    second = generator.propose_now(task, 1, 6, feedback)
    built = [c for c in second if c.parent_ids]
    assert [c.parent_ids for c in built] == [(fixing.id,)] * 3
    assert all("x = a - 1" in c.diff for c in built)
    assert all(line_of(generator.by_id[c.id]) in (7, 8) for c in built)
    assert second[0] is built[0]  # the schedule leads with the children


def test_two_partial_fixes_of_different_tests_are_joined_first() -> None:
    task = Task(instance_id="t", repo="r", base_commit="HEAD", problem_statement="",
                fail_to_pass=["t_f", "t_g"])
    locations = [Location(MOD, n, 1.0 - n / 100, "ochiai") for n in (2, 3, 7, 8)]
    generator = SearchGenerator({MOD: SOURCE}, locations)
    first = generator.propose_now(task, 0, 16, [])
    assert sum("+    y = b + 1" in c.diff for c in first) == 1
    fixes = {"x = a - 1": "t_f", "y = b + 1": "t_g"}
    feedback = []
    for candidate in first:
        passed = {t for text, t in fixes.items() if f"+    {text}" in candidate.diff}
        feedback.append((candidate, verdict(task, candidate, passed, "AssertionError")))
    assert sum(bool(v.tests["t_f"].outcome == Outcome.PASSED) for _, v in feedback) == 1
    second = generator.propose_now(task, 1, 4, feedback)
    assert "x = a - 1" in second[0].diff
    assert "y = b + 1" in second[0].diff
    assert len(second[0].parent_ids) == 2


def test_frames_map_back_through_the_parent_edits() -> None:
    files = {MOD: SOURCE}
    inserted = Edit(MOD, 0, 0, "import os\nimport re\n", "insertion", "")
    assert base_line(files, [inserted], MOD, 1) == 1
    assert base_line(files, [inserted], MOD, 4) == 2
    assert base_line(files, [inserted], MOD, 9) == 7
    assert base_line(files, [inserted], "other.py", 9) == 9
    parent = Parent("r0-0", ScoredEdit((inserted,), 1.0), frozenset({"t_f"}), ((MOD, 7),), True)
    spectrum = Spectrum(outcomes={"t_f": False, "t_g": False, "p": True},
                        covered={"t_f": frozenset({(MOD, 2)}), "t_g": frozenset({(MOD, 7)}),
                                 "p": frozenset({(MOD, 8)})})
    assert relocate(parent, spectrum, [])[0].line == 7
    fallback = relocate(parent, None, [Location(MOD, 2, 1.0, "ochiai")])
    assert [(loc.line, loc.reason) for loc in fallback] == [(7, "traceback"), (2, "ochiai")]


def line_of(scored: ScoredEdit) -> int:
    """The line a scored edit was placed at (every one these tests make has a location)."""
    assert scored.location is not None
    return scored.location.line


def scored(site: int, score: float) -> ScoredEdit:
    return ScoredEdit((Edit(MOD, site, site, "x", "insertion", f"{site}/{score}"),), score,
                      Location(MOD, site, 1.0, "hand"))


def test_streams_decay_per_site_and_interleave_by_schedule() -> None:
    items = [scored(1, 1.0), scored(1, 0.8), scored(2, 0.6), scored(1, 0.5)]
    stream = Stream(items, line_of, lambda e: e.score != 0.5)
    assert [e.score for e in take(iter(stream.pick, None), 9)] == [1.0, 0.6, 0.8]
    lead = Schedule(Fraction(1, 2), lead=True)
    assert [lead.second(k) for k in range(4)] == [True, False, True, False]
    trailing = Schedule(Fraction(1, 4))
    assert [k for k in range(8) if trailing.second(k)] == [3, 7]
    first = Stream([scored(1, 1.0), scored(2, 0.9)], line_of, lambda e: True)
    second = Stream([scored(5, 0.1)], line_of, lambda e: True)
    picks = take(interleave(first, second, lead), 5)
    assert [line_of(e) for e in picks] == [5, 1, 2]


def test_tied_sites_each_get_their_best_edit_before_any_second() -> None:
    items = [scored(1, 1.0), scored(1, 0.99), scored(1, 0.98), scored(2, 0.3), scored(3, 0.2),
             scored(4, 0.1)]
    no_spread = Stream(items, line_of, lambda e: True)
    assert [line_of(e) for e in take(iter(no_spread.pick, None), 3)] == [1, 1, 1]
    spread = Stream(items, line_of, lambda e: True, spread=frozenset({1, 2, 3}))
    assert [line_of(e) for e in take(iter(spread.pick, None), 4)] == [1, 2, 3, 1]


def test_round_zero_spreads_over_lines_localization_ties() -> None:
    source = "def f(xs, k):\n    out = []\n    for x in xs:\n        out.append(x + k)\n" \
             "    return out[0:k]\n"
    files = {MOD: source}
    tied = [Location(MOD, n, 0.5, "ochiai") for n in (2, 3, 4, 5)]
    task = Task(instance_id="t", FAIL_TO_PASS=["tests/test_m.py::test_f"])
    generator = SearchGenerator(files, tied)
    picks = generator.propose_now(task, 0, 4, [])
    assert sorted(line_of(generator.by_id[c.id]) for c in picks) == [2, 3, 4, 5]
