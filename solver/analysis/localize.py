"""Fault localization: spectrum formulas and traceback frames, merged into one ranked list."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from solver.analysis.sbfl import FORMULAS, Counts, Formula
from solver.analysis.spectrum import Line, Spectrum, spectrum_from_coverage
from solver.analysis.tracebacks import traceback_locations
from tasks.paths import is_test_file

TRACEBACK_SCORE = 1.0
IMPORT_WEIGHT = 0.5
"""Scales the score of a line only import ran (module-level code, every test "covers" it):
the fault is there when a global is computed wrong, but a def or import line ties with it."""


@dataclass(frozen=True)
class Location:
    """A suspicious line and why: "traceback", a formula name, or "covered" (filler)."""

    file: str
    line: int
    score: float
    reason: str


def score_lines(spectrum: Spectrum, formula: Formula) -> dict[Line, float]:
    """The formula's score of every covered non-test line."""
    failed, passed = len(spectrum.failed), len(spectrum.passed)
    in_tests = set().union(*spectrum.covered.values()) if spectrum.covered else set()
    return {
        line: formula(Counts(ef, ep, failed - ef, passed - ep))
        * (IMPORT_WEIGHT if line in spectrum.imported and line not in in_tests else 1.0)
        for line, (ef, ep) in spectrum.hits().items()
        if not is_test_file(line[0])
    }


def rank_locations(
    spectrum: Spectrum,
    formula: str | Formula = "ochiai",
    tracebacks: Sequence[Line] = (),
    limit: int = 50,
) -> list[Location]:
    """Traceback frames first (top score), then lines by the formula (scores scaled to ≤ 1),
    then, if fewer than `limit` scored positive, every other covered non-test line (score 0)."""
    score = FORMULAS[formula] if isinstance(formula, str) else formula
    name = formula if isinstance(formula, str) else getattr(formula, "__name__", "formula")
    ranked = [Location(f, n, TRACEBACK_SCORE, "traceback") for f, n in dict.fromkeys(tracebacks)]
    seen = {(loc.file, loc.line) for loc in ranked}
    scores = score_lines(spectrum, score)
    top = max(scores.values(), default=0.0)
    by_score = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    positive = [(line, value) for line, value in by_score if value > 0 and line not in seen]
    ranked += [Location(f, n, value / top, name) for (f, n), value in positive]
    if len(positive) < limit:
        rest = sorted(line for line, value in scores.items() if value <= 0 and line not in seen)
        ranked += [Location(f, n, 0.0, "covered") for f, n in rest]
    return ranked[:limit]


TRACE_BONUS = 0.6
"""Added to the innermost traceback frame's normalized score; outer frames get less."""


def blend_locations(
    spectrum: Spectrum,
    formula: str | Formula = "ochiai",
    tracebacks: Sequence[Line] = (),
    limit: int = 50,
) -> list[Location]:
    """Lines by the formula (scaled to ≤ 1) plus a bonus for traceback frames, decaying from
    the innermost out, the sum scaled to ≤ 1: a frame is strong evidence but not proof (an
    exception re-raised elsewhere puts the frame far from the fault), and the spectrum still
    orders the frames among themselves and against the lines the failing tests alone ran."""
    score = FORMULAS[formula] if isinstance(formula, str) else formula
    name = formula if isinstance(formula, str) else getattr(formula, "__name__", "formula")
    scores = score_lines(spectrum, score)
    top = max(scores.values(), default=0.0) or 1.0
    blended = {line: value / top for line, value in scores.items()}
    reasons = {line: name for line in blended}
    for index, line in enumerate(dict.fromkeys(tracebacks)):
        blended[line] = blended.get(line, 0.0) + TRACE_BONUS / (1 + 0.5 * index)
        reasons[line] = "traceback"
    best = max(blended.values(), default=0.0) or 1.0
    ranked = sorted(blended.items(), key=lambda item: (-item[1], item[0]))
    located = [Location(f, n, value / best, reasons[(f, n)]) for (f, n), value in ranked
               if value > 0]
    located += [Location(f, n, 0.0, "covered") for (f, n), value in ranked if value <= 0]
    return located[:limit]


__all__ = [
    "blend_locations",
    "Location",
    "Spectrum",
    "rank_locations",
    "score_lines",
    "spectrum_from_coverage",
    "traceback_locations",
]
