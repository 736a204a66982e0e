"""Candidate generation: operators at ranked locations, scored, validated and deduplicated."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace

from solver.analysis.localize import Location
from solver.generators.search.edits import Edit, overlaps, render_diff
from solver.generators.search.operators import edits_at
from solver.generators.search.ops_syntax import repair_syntax
from solver.generators.search.priors import BASE_RATES, OperatorPriors
from solver.generators.search.site import Module, build_site
from solver.generators.search.validate import Validator

LOCATION_FLOOR = 0.01
"""Suspiciousness given to filler locations (score 0) so their edits still rank, last."""
SIZE_SCALE = 400.0
"""An edit `SIZE_SCALE` characters big weighs half as much as a one-character edit."""
FAMILY_DECAY = 0.6
"""The j-th best edit of one family at one site weighs 1 / (1 + FAMILY_DECAY * j): a site's
best edit of every family comes before the runners-up of a family that proposes many."""
SPOT_DECAY = 0.15
"""The same, gentler, for the k-th distinct piece of code one family edits at a site."""


@dataclass(frozen=True)
class ScoredEdit:
    """One candidate: its edits (two or more for higher-order candidates) and its score."""

    edits: tuple[Edit, ...]
    score: float
    location: Location | None = None

    @property
    def operators(self) -> tuple[str, ...]:
        return tuple(edit.operator for edit in self.edits)

    @property
    def description(self) -> str:
        return "; ".join(edit.description for edit in self.edits)

    def diff(self, files: Mapping[str, str]) -> str:
        """The candidate as a git-style unified diff against `files`."""
        return render_diff(files, self.edits)


def score_edit(location_score: float, prior: float, edit: Edit) -> float:
    """Suspiciousness × operator prior (learned × base rate of the fix pattern) × the operator's
    own weight × a preference for small."""
    base = BASE_RATES.get(edit.operator, 1.0)
    return (
        max(location_score, LOCATION_FLOOR) * prior * base * edit.weight
        / (1 + edit.size / SIZE_SCALE)
    )


def diversify(edits: Sequence[ScoredEdit]) -> list[ScoredEdit]:
    """Scores of one site's edits decayed by rank: steeply among one family's alternatives for
    the same code, gently among the code spots one family edits."""
    ranked = sorted(edits, key=lambda c: -c.score)
    alternatives: dict[tuple[str, int, int], int] = {}
    spots: dict[str, list[tuple[int, int]]] = {}
    out = []
    for candidate in ranked:
        edit = candidate.edits[0]
        key = (edit.operator, edit.start_byte, edit.end_byte)
        rank = alternatives.get(key, 0)
        alternatives[key] = rank + 1
        seen = spots.setdefault(edit.operator, [])
        if key[1:] not in seen:
            seen.append(key[1:])
        spot = seen.index(key[1:])
        factor = (1 + FAMILY_DECAY * rank) * (1 + SPOT_DECAY * spot)
        out.append(replace(candidate, score=candidate.score / factor))
    return out


Weigh = Callable[[Edit], float]
"""What else favours an edit (the failures' hints), applied before a site's alternatives are
decayed by rank: a favoured runner-up becomes the site's first choice."""


def propose(
    files: Mapping[str, str], locations: Sequence[Location], priors: OperatorPriors,
    weigh: Weigh | None = None,
) -> list[ScoredEdit]:
    """Every operator's edits at every location, best first (ties keep generation order),
    identical edits kept once; not yet validated."""
    modules: dict[str, Module] = {}
    raw: list[ScoredEdit] = []
    visited: set[tuple[str, int]] = set()
    for location in locations:
        if location.file not in files or not location.file.endswith(".py"):
            continue
        if location.file not in modules:
            modules[location.file] = Module(location.file, files[location.file].encode("utf-8"))
            raw += [ScoredEdit((e,), score_edit(location.score, priors.weight(e.operator), e),
                               location)
                    for e in repair_syntax(location.file, files[location.file])]
        site = build_site(modules[location.file], location.line)
        if site is None or (location.file, site.statement.start_byte) in visited:
            continue
        visited.add((location.file, site.statement.start_byte))
        raw += diversify([
            ScoredEdit((e,), score_edit(location.score, priors.weight(e.operator), e)
                       * (weigh(e) if weigh else 1.0), location)
            for e in edits_at(site)
        ])
    raw.sort(key=lambda c: -c.score)
    unique: dict[tuple[Edit, ...], ScoredEdit] = {}
    for candidate in raw:
        unique.setdefault(_identity(candidate.edits), candidate)
    return list(unique.values())


def _identity(edits: Iterable[Edit]) -> tuple[Edit, ...]:
    return tuple(
        sorted(Edit(e.file, e.start_byte, e.end_byte, e.replacement, "", "") for e in edits)
    )


def take_valid(
    files: Mapping[str, str], candidates: Iterable[ScoredEdit], limit: int
) -> list[ScoredEdit]:
    """The first `limit` candidates that validate, in order."""
    validator = Validator(files)
    accepted: list[ScoredEdit] = []
    for candidate in candidates:
        if len(accepted) >= limit:
            break
        if validator.accept(candidate.edits):
            accepted.append(candidate)
    return accepted


def generate_edits(
    files: dict[str, str],
    locations: list[Location],
    priors: OperatorPriors | None = None,
    limit: int = 100,
    weigh: Weigh | None = None,
) -> list[ScoredEdit]:
    """Up to `limit` valid, distinct first-order candidates at the ranked locations, best first."""
    return take_valid(files, propose(files, locations, priors or OperatorPriors(), weigh), limit)


def _pairs(bases: Sequence[ScoredEdit], others: Sequence[ScoredEdit]) -> Iterator[ScoredEdit]:
    for base in bases:
        for other in others:
            if any(overlaps(a, b) for a in base.edits for b in other.edits):
                continue
            edits = tuple(sorted((*base.edits, *other.edits), key=lambda e: (e.file, e.start_byte)))
            yield ScoredEdit(edits, base.score * other.score, base.location)


def combine_edits(
    files: dict[str, str],
    bases: Sequence[ScoredEdit],
    others: Sequence[ScoredEdit],
    limit: int = 100,
) -> list[ScoredEdit]:
    """Higher-order candidates: each base (e.g. a partial fix) plus one non-overlapping other
    edit, possibly in another file; scored by the product, valid and distinct, best first."""
    combined = sorted(_pairs(bases, others), key=lambda c: -c.score)
    unique: dict[tuple[Edit, ...], ScoredEdit] = {}
    for candidate in combined:
        unique.setdefault(_identity(candidate.edits), candidate)
    return take_valid(files, unique.values(), limit)
