"""The offline generator: repair operators at ranked locations, no model needed.

Round 0 tries the best first-order edits. Later rounds go on down that list, re-ranked by what
the operator priors learned, and spend part of the width on second-order candidates: a partial
fix (some FAIL_TO_PASS passes, no PASS_TO_PASS breaks) plus one more edit elsewhere.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

from sandbox import Outcome, Verdict
from solver.search import Location, OperatorPriors, ScoredEdit, combine_edits, generate_edits
from solver.search.paths import is_test_file
from solver.types import Candidate
from tasks.model import Task
from tasks.source import export_tree, resolve_source

FIRST_ORDER_LIMIT = 300
"""First-order candidates generated once per task; rounds walk down this list."""
SECOND_ORDER_LIMIT = 100
FAILURE_WEIGHT = 0.25
"""One failed edit is weak evidence against its whole operator family."""


def read_source_files(task: Task, repos_dir: Path | None = None) -> dict[str, str]:
    """The task's non-test Python files at its base commit, by repo-relative posix path."""
    with tempfile.TemporaryDirectory(prefix="solver-src-") as tmp:
        tree = export_tree(resolve_source(task, repos_dir), task.base_commit, Path(tmp) / "tree")
        return {
            path.relative_to(tree).as_posix(): path.read_text(encoding="utf-8")
            for path in sorted(tree.rglob("*.py"))
            if not is_test_file(path.relative_to(tree).as_posix())
        }


def site_of(edit: ScoredEdit) -> object:
    location = edit.location
    return (location.file, location.line) if location else None


def is_partial_fix(task: Task, verdict: Verdict) -> bool:
    """Some FAIL_TO_PASS test passes and no PASS_TO_PASS test that ran broke."""
    fixed = any(verdict.outcome(t) == Outcome.PASSED for t in task.fail_to_pass)
    broken = any(
        verdict.outcome(t) not in (Outcome.PASSED, Outcome.SKIPPED, Outcome.MISSING)
        for t in task.pass_to_pass
    )
    return verdict.applied and fixed and not broken


class SearchGenerator:
    """Satisfies `solver.protocols.Generator` with search-based repair."""

    name = "search"

    def __init__(
        self, files: dict[str, str], locations: list[Location],
        priors: OperatorPriors | None = None,
    ) -> None:
        self.files = files
        self.locations = locations
        self.priors = priors or OperatorPriors()
        self.first_order = generate_edits(files, locations, self.priors, FIRST_ORDER_LIMIT)
        self.by_id: dict[str, ScoredEdit] = {}
        self.tried: set[str] = set()
        """Diffs already proposed, so no candidate is verified twice."""
        self.seen: set[str] = set()
        """Candidate ids whose verdicts were already learned from."""
        self.partials: list[ScoredEdit] = []

    async def propose(
        self, task: Task, round: int, width: int, feedback: Sequence[tuple[Candidate, Verdict]]
    ) -> list[Candidate]:
        self.learn(task, feedback)
        second = self.second_order(width // 2) if round > 0 else []
        first = self.untried(self.ranked_first_order(), width - len(second))
        return [self.candidate(edit, round, n) for n, edit in enumerate([*second, *first])]

    def learn(self, task: Task, feedback: Sequence[tuple[Candidate, Verdict]]) -> None:
        """Update the priors and the partial fixes from verdicts not seen before."""
        for candidate, verdict in feedback:
            edit = self.by_id.get(candidate.id)
            if candidate.id in self.seen or edit is None:
                continue
            self.seen.add(candidate.id)
            success = is_partial_fix(task, verdict)
            for operator in edit.operators:
                self.priors.update(operator, success, 1.0 if success else FAILURE_WEIGHT)
            if success and not verdict.passed([*task.fail_to_pass, *task.pass_to_pass]):
                self.partials.append(edit)

    def ranked_first_order(self) -> list[ScoredEdit]:
        """First-order candidates re-ranked by the current priors (generation used fresh ones)."""
        def current(edit: ScoredEdit) -> float:
            return edit.score * self.priors.weight(edit.edits[0].operator)

        return sorted(self.first_order, key=lambda e: -current(e))

    def second_order(self, count: int) -> list[ScoredEdit]:
        if not self.partials or count <= 0:
            return []
        combined = combine_edits(self.files, self.partials, self.first_order, SECOND_ORDER_LIMIT)
        return self.untried(combined, count)

    def untried(self, edits: Sequence[ScoredEdit], count: int) -> list[ScoredEdit]:
        """The best `count` edits not proposed before, at most `per_site` per location on a
        first pass so that one suspicious line cannot fill a round, then the best of the rest."""
        per_site = max(1, count // 2)
        chosen: list[ScoredEdit] = []
        for cap in (per_site, count):
            taken: dict[object, int] = {}
            for edit in chosen:
                taken[site_of(edit)] = taken.get(site_of(edit), 0) + 1
            for edit in edits:
                if len(chosen) >= count:
                    return chosen
                site = site_of(edit)
                if taken.get(site, 0) >= cap or edit in chosen:
                    continue
                diff = edit.diff(self.files)
                if diff and diff not in self.tried:
                    self.tried.add(diff)
                    chosen.append(edit)
                    taken[site] = taken.get(site, 0) + 1
        return chosen

    def candidate(self, edit: ScoredEdit, round: int, n: int) -> Candidate:
        candidate_id = f"r{round}-{n}"
        self.by_id[candidate_id] = edit
        parents = tuple(
            i for i, e in self.by_id.items()
            if e in self.partials and set(e.edits) < set(edit.edits)
        )
        return Candidate(
            id=candidate_id, diff=edit.diff(self.files), round=round, generator=self.name,
            note=f"{'+'.join(edit.operators)}: {edit.description}", parent_ids=parents,
        )
