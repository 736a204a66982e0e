"""Program analysis shared by generators, selection, synthesis and the harness.

syntax        tree-sitter parse of Python source, node helpers, normalized AST
spectrum      coverage.py data with one context per test → which tests ran which lines
sbfl          suspiciousness formulas (Ochiai, Tarantula, DStar)
tracebacks    the innermost project frames of failing tests
localize      ranked `Location`s (spectrum blended with traceback frames)
localization  one coverage run in the sandbox → ranked locations and the baseline failures
failures      how a test failed, as a key comparable across runs
sources       the task's source files at its base commit
"""

from solver.analysis.localize import Location, blend_locations, rank_locations
from solver.analysis.sbfl import FORMULAS, Counts, dstar, ochiai, tarantula
from solver.analysis.spectrum import Spectrum, spectrum_from_coverage
from solver.analysis.tracebacks import traceback_locations

__all__ = [
    "FORMULAS",
    "Counts",
    "Location",
    "Spectrum",
    "blend_locations",
    "dstar",
    "ochiai",
    "rank_locations",
    "spectrum_from_coverage",
    "tarantula",
    "traceback_locations",
]
