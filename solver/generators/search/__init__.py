"""Offline search-based program repair: repair operators over localized lines, candidates.

(localization lives in solver.analysis: ranked Locations from spectra and tracebacks)
generator  →  SearchGenerator, the `Generator` over the pieces below
evidence   →  locations refined from the code (raise guards, display methods) and re-weighted by
              what edits there did to the failing tests (mutation-based localization)
operators  (ops_*, over site / scope / syntax)  →  Edits at a Location
generate   →  scored, validated, distinct candidates (ScoredEdit); edits.render_diff → diff
priors     →  base rates of the fix patterns, and what the search learns about which succeed
hints      →  what failure messages point at (None receivers, escaped exceptions)
rounds     →  a round as one width-independent ranking cut at the width (per-line decay)
parents    →  partial fixes as parents: relocated by what still fails, one more edit, joins
"""

from solver.generators.search.edits import Edit, apply_edits, render_diff
from solver.generators.search.generate import ScoredEdit, combine_edits, generate_edits
from solver.generators.search.operators import OPERATORS
from solver.generators.search.priors import OperatorPriors

__all__ = [
    "OPERATORS",
    "Edit",
    "OperatorPriors",
    "ScoredEdit",
    "apply_edits",
    "combine_edits",
    "generate_edits",
    "render_diff",
]
