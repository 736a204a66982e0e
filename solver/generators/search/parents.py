"""Partial fixes as parents: where a bug needs edits in two places, one edit alone can make some
failing tests pass (or change how one fails) without breaking a passing test. Such a candidate
becomes a parent, and later rounds try one more edit on top of it, at lines ranked for what
still fails: the spectrum with the tests the parent fixed counted as passing, plus the frames of
the tracebacks the parent's still-failing tests show (mapped back through its edits).

    verdict ─► Parent (passed tests, failures, frames) ─► relocate ─► children: parent + 1 edit
    two parents that fix different tests ─► merge: both parents' edits
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace

from solver.analysis.localize import Location, blend_locations
from solver.analysis.spectrum import Line, Spectrum
from solver.analysis.tracebacks import traceback_locations
from solver.generators.search.edits import Edit, overlaps
from solver.generators.search.generate import ScoredEdit, propose
from solver.generators.search.priors import OperatorPriors

PARENT_DECAY = 0.8
"""The n-th best parent's children weigh PARENT_DECAY ** n."""
MERGE_SCORE = 10.0
"""Two partial fixes of different tests, joined, come before any child with one new edit."""
RELOCATE_LIMIT = 50
SAME_EDIT = 4.0
SAME_FAMILY = 2.0
FALLBACK_FACTOR = 0.9
"""Without a spectrum: the first localization, below the parent's own traceback frames."""


@dataclass(frozen=True)
class Parent:
    """A candidate worth building on, and what its verdict says still fails."""

    candidate_id: str
    edit: ScoredEdit
    passed: frozenset[str]
    """FAIL_TO_PASS tests it makes pass."""
    frames: tuple[Line, ...]
    """Project frames of its still-failing tests' tracebacks, as lines of the unedited files."""
    partial: bool
    """Some FAIL_TO_PASS test passes (else it only changed how one fails)."""


def base_line(files: Mapping[str, str], edits: Iterable[Edit], file: str, line: int) -> int:
    """A 1-based line of `file` as `edits` leave it, as a line of the unedited file (a line the
    edits wrote maps to where the edit starts)."""
    if file not in files:
        return line
    source = files[file].encode("utf-8")
    shift = 0
    for edit in sorted((e for e in edits if e.file == file), key=lambda e: e.start_byte):
        first = source[: edit.start_byte].count(b"\n") + 1
        if line < first + shift:
            break
        written = edit.replacement.count("\n")
        if line <= first + shift + written:
            return first
        shift += written - source[edit.start_byte : edit.end_byte].count(b"\n")
    return line - shift


def frames_of(
    files: Mapping[str, str], edit: ScoredEdit, messages: Sequence[str], repo_root: str
) -> tuple[Line, ...]:
    """The project frames of failing tests' messages (innermost first), in unedited lines."""
    frames = traceback_locations("\n".join(messages), repo_root)
    mapped = (
        (file, base_line(files, edit.edits, file, line)) for file, line in frames
        if file in files
    )
    return tuple(dict.fromkeys(mapped))


def relocate(
    parent: Parent, spectrum: Spectrum | None, fallback: Sequence[Location],
    limit: int = RELOCATE_LIMIT,
) -> list[Location]:
    """Lines ranked for the parent's remaining failures: the spectrum with the tests it fixed
    counted as passing, blended with its frames; without a spectrum, its frames before the
    first localization."""
    if spectrum is not None:
        outcomes = {t: ok or t in parent.passed for t, ok in spectrum.outcomes.items()}
        return blend_locations(Spectrum(outcomes, spectrum.covered), "ochiai", parent.frames,
                               limit=limit)
    ranked = [Location(file, line, 1.0, "traceback") for file, line in parent.frames]
    ranked += [replace(loc, score=loc.score * FALLBACK_FACTOR) for loc in fallback]
    seen: set[Line] = set()
    unique = []
    for location in ranked:
        if (location.file, location.line) not in seen:
            seen.add((location.file, location.line))
            unique.append(location)
    return unique[:limit]


def joined(first: Sequence[Edit], second: Sequence[Edit]) -> tuple[Edit, ...] | None:
    """Both edit sets as one candidate's edits, or None where they touch the same bytes."""
    if any(overlaps(a, b) for a in first for b in second):
        return None
    return tuple(sorted({*first, *second}, key=lambda e: (e.file, e.start_byte, e.end_byte)))


def second_edits(
    files: Mapping[str, str], locations: Sequence[Location]
) -> list[ScoredEdit]:
    """Every first-order edit at `locations`, scored with neutral priors, not yet validated."""
    return propose(files, locations, OperatorPriors())


def kinship(files: Mapping[str, str], parent: Sequence[Edit], edit: Edit) -> float:
    """How much an edit resembles one of the parent's: a bug made in two places is often the
    same mistake twice (Hercules' sibling edits), so the same change of the same code weighs
    most, an edit of the same family more than a stranger."""
    def changed(e: Edit) -> tuple[str, str]:
        old = files[e.file].encode("utf-8")[e.start_byte : e.end_byte] if e.file in files else b""
        return old.decode("utf-8", errors="replace").strip(), e.replacement.strip()

    best = 1.0
    for mine in parent:
        if mine.operator == edit.operator:
            best = max(best, SAME_EDIT if changed(mine) == changed(edit) else SAME_FAMILY)
    return best


def children(
    files: Mapping[str, str], parent: Parent, others: Iterable[ScoredEdit], weight: float,
    priors: OperatorPriors,
) -> Iterator[ScoredEdit]:
    """The parent plus one more edit, scored by the parent's weight × the edit's score × the
    current prior of its family × its kinship with the parent's edits; located at the new
    edit."""
    for other in others:
        edits = joined(parent.edit.edits, other.edits)
        if edits is not None:
            edit = other.edits[0]
            score = (weight * other.score * priors.weight(edit.operator)
                     * kinship(files, parent.edit.edits, edit))
            yield ScoredEdit(edits, score, other.location)


def merges(parents: Sequence[Parent], weights: Sequence[float]) -> Iterator[
        tuple[ScoredEdit, tuple[Parent, Parent]]]:
    """Pairs of partial fixes that each fix a test the other does not, joined."""
    for i, first in enumerate(parents):
        for j in range(i + 1, len(parents)):
            second = parents[j]
            if not (first.partial and second.partial):
                continue
            if first.passed <= second.passed or second.passed <= first.passed:
                continue
            edits = joined(first.edit.edits, second.edit.edits)
            if edits is not None:
                score = MERGE_SCORE * weights[i] * weights[j]
                yield ScoredEdit(edits, score, second.edit.location), (first, second)


def improves(passed: frozenset[str], origins: Sequence[Parent]) -> bool:
    """A candidate built on parents is a parent itself only where it fixes more than each."""
    return all(passed > parent.passed for parent in origins)
