"""Offline search-based program repair: fault localization, repair operators, candidates.

localize   (spectrum, sbfl, tracebacks)  →  ranked Locations (blend_locations: spectrum + frames)
evidence   →  locations refined from the code (raise guards, display methods) and re-weighted by
              what edits there did to the failing tests (mutation-based localization)
operators  (ops_*, over site / scope / syntax)  →  Edits at a Location
generate   →  scored, validated, distinct candidates (ScoredEdit); edits.render_diff → diff
priors     →  base rates of the fix patterns, and what the search learns about which succeed
hints      →  what failure messages point at (None receivers, escaped exceptions)
rounds     →  a round as one width-independent ranking cut at the width (per-line decay)
parents    →  partial fixes as parents: relocated by what still fails, one more edit, joins
"""

from solver.search.edits import Edit, apply_edits, render_diff
from solver.search.generate import ScoredEdit, combine_edits, generate_edits
from solver.search.localize import Location, blend_locations, rank_locations
from solver.search.operators import OPERATORS
from solver.search.priors import OperatorPriors
from solver.search.sbfl import FORMULAS, Counts, dstar, ochiai, tarantula
from solver.search.spectrum import Spectrum, spectrum_from_coverage
from solver.search.tracebacks import traceback_locations

__all__ = [
    "FORMULAS",
    "OPERATORS",
    "Counts",
    "Edit",
    "Location",
    "OperatorPriors",
    "ScoredEdit",
    "Spectrum",
    "apply_edits",
    "blend_locations",
    "combine_edits",
    "dstar",
    "generate_edits",
    "ochiai",
    "rank_locations",
    "render_diff",
    "spectrum_from_coverage",
    "tarantula",
    "traceback_locations",
]
