"""Location evidence: static refinement of locations, and mutation-based evidence from verdicts;
the generator's use of it (no Docker: verdicts are made by hand)."""

from __future__ import annotations

import asyncio

import pytest

from sandbox import Outcome, Verdict
from sandbox import TestResult as Result
from solver.analysis import Location, blend_locations
from solver.analysis.failures import failure_key
from solver.analysis.spectrum import Spectrum
from solver.feedback import Feedback
from solver.generators.search import ScoredEdit
from solver.generators.search.evidence import (
    CHANGED_FACTOR,
    LocationEvidence,
    distance,
    kind,
    majority,
    refine_locations,
)
from solver.generators.search.generate import diversify, generate_edits
from solver.generators.search.generator import SearchGenerator
from solver.generators.search.ops_names import name_affinity
from tasks.model import Task

MOD = "pkg/m.py"
SOURCE = """\
class Box:
    def __init__(self, items):
        self.items = items

    def __repr__(self):
        return f"Box({self.items!r})"

    def get(self, index):
        if index >= len(self.items) - 1:
            raise IndexError(index)
        return self.items[index]
"""


def test_blend_keeps_the_spectrum_order_among_frames() -> None:
    spectrum = Spectrum(
        outcomes={"f": False, "p": True},
        covered={"f": frozenset({(MOD, 1), (MOD, 2), (MOD, 3)}), "p": frozenset({(MOD, 3)})},
    )
    ranked = blend_locations(spectrum, "ochiai", tracebacks=[(MOD, 3)], limit=10)
    assert [(loc.line, loc.reason) for loc in ranked][:1] == [(3, "traceback")]
    assert ranked[0].score == pytest.approx(1.0)
    assert {loc.line for loc in ranked} == {1, 2, 3}
    weak = blend_locations(spectrum, "ochiai", tracebacks=[(MOD, 9), (MOD, 3)], limit=10)
    assert weak[0].line == 3  # an outer frame with spectrum support beats a bare inner one


def test_refine_adds_raise_guards_and_demotes_display_methods() -> None:
    locations = [Location(MOD, 6, 1.0, "ochiai"), Location(MOD, 10, 0.9, "traceback")]
    refined = refine_locations({MOD: SOURCE}, locations)
    assert [(loc.line, loc.reason) for loc in refined] == [
        (10, "traceback"), (9, "guard"), (6, "ochiai")]
    assert refined[-1].score == pytest.approx(0.3)


def test_failure_keys_and_kinds() -> None:
    assert failure_key("passed", "") == "passed"
    key = failure_key("failed", "AssertionError: assert 1 == 2 at 0xdeadbeef")
    assert key == "failed|AssertionError: assert 1 == 2 at 0x?"
    assert kind(key) == "failed|AssertionError"
    assert majority([{"t": "a"}, {"t": "a"}, {"t": "b"}]) == {"t": "a"}
    assert majority([{"t": "a"}, {"t": "b"}]) == {}


def test_evidence_raises_changed_lines_and_sinks_inert_ones() -> None:
    base = failure_key("failed", "AssertionError: assert 1 == 2")
    evidence = LocationEvidence({"t": base})
    evidence.learn([
        ((MOD, 1), {"t": failure_key("failed", "AssertionError: assert 3 == 2")}),
        ((MOD, 2), {"t": base}),
        ((MOD, 2), {"t": base}),
        ((MOD, 3), {"t": failure_key("failed", "TypeError: boom")}),
    ])
    assert evidence.factor((MOD, 1)) == CHANGED_FACTOR
    assert evidence.factor((MOD, 2)) < 1.0 < evidence.factor((MOD, 3)) < CHANGED_FACTOR
    assert evidence.factor((MOD, 4)) == 1.0


def test_progress_means_closer_to_the_expected_value() -> None:
    assert distance("failed|AssertionError: assert 4 == 3") == pytest.approx(1 / 7)
    assert distance("failed|TypeError: boom") is None
    assert distance("failed|assert [1] == [2]\n  At index 2 diff: 'ab' != 'ac'") == \
        pytest.approx(0.25 / 3)  # quotes count: 6 of 8 characters match
    assert distance("failed|boom\n>       assert f(x) == 3") is None  # the test's source
    base = failure_key("failed", "AssertionError: assert 4 == 3")
    evidence = LocationEvidence({"t": base})
    evidence.learn([])
    closer = {"t": failure_key("failed", "AssertionError: assert 5 == 6")}
    further = {"t": failure_key("failed", "AssertionError: assert 9 == 3")}
    assert evidence.progressed(closer)
    assert not evidence.progressed(further)
    assert evidence.progressed({"t": "passed"})
    assert evidence.gain({"t": "passed"}) == 1.0
    assert 0 < evidence.gain(closer) < 1.0
    assert evidence.gain(further) == 0.0


def test_diversify_decays_alternatives_of_one_family() -> None:
    files = {MOD: "def f(a, b, c):\n    return a < b\n"}
    edits = generate_edits(files, [Location(MOD, 2, 1.0, "t")], limit=100)
    comparisons = [e for e in edits if e.operators == ("comparison",)]
    assert comparisons[0].score > 1.5 * comparisons[1].score
    assert diversify([]) == []


def test_name_affinity_prefers_similar_names_not_in_the_statement() -> None:
    assert name_affinity("nrows", "ncols", set()) > name_affinity("nrows", "data", set())
    assert name_affinity("a", "b", {"b"}) < name_affinity("a", "b", set())


def line_of(scored: ScoredEdit) -> int:
    """The line a scored edit was placed at (every one these tests make has a location)."""
    assert scored.location is not None
    return scored.location.line


def verdict(cid: str, message: str, passed: bool = False) -> Verdict:
    outcome = Outcome.PASSED if passed else Outcome.FAILED
    tests = {"t": Result(test_id="t", outcome=outcome, message="" if passed else message)}
    return Verdict(candidate_id=cid, applied=True, tests=tests)


def test_generator_probes_lines_and_combines_after_progress() -> None:
    files = {MOD: "def f(a, b):\n    x = a + 1\n    y = b - 1\n    return x * y\n"}
    locations = [Location(MOD, n, 1.0, "ochiai") for n in (2, 3, 4)]
    task = Task(instance_id="t", repo="r", base_commit="HEAD", problem_statement="",
                fail_to_pass=["t"])
    base = "AssertionError: assert 2 == 6"
    generator = SearchGenerator(files, locations, baseline={"t": failure_key("failed", base)})
    first = asyncio.run(generator.propose(task, 0, 6, Feedback()))
    assert len({line_of(generator.by_id[c.id]) for c in first}) >= 2
    feedback = []
    for candidate in first:
        line = line_of(generator.by_id[candidate.id])
        feedback.append((candidate, verdict(candidate.id, base if line != 2 else
                                            "AssertionError: assert 3 == 6")))
    second = asyncio.run(generator.propose(task, 1, 8, Feedback.of(task, 0, feedback)))
    assert (MOD, 2) in generator.evidence.changed
    combined = [c for c in second if len(generator.by_id[c.id].edits) == 2]
    assert combined
    assert all(len(set(c.diff.splitlines()) & {c2.diff for c2 in first}) == 0 for c in second)
    lines = [line_of(generator.by_id[c.id]) for c in second if c not in combined]
    assert lines[0] == 2
