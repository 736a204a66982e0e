"""The offline generator: repair operators at ranked locations, no model needed.

Round 0 tries the best first-order edits, a few per location so that a round spans several
suspicious lines. Every verdict is also a probe (mutation-based localization): lines where an
edit changed how a failing test fails rise, lines where edits changed nothing sink. Later rounds
go on down the first-order list re-ranked by that evidence and the learned operator priors, and
spend part of the width on second-order candidates: a partial fix (some FAIL_TO_PASS passes, no
PASS_TO_PASS breaks), or failing that an edit that changed the failure, plus one more edit at
another line.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from sandbox import Outcome, Verdict
from solver.search import Location, OperatorPriors, ScoredEdit, combine_edits, generate_edits
from solver.search.edits import Edit
from solver.search.evidence import LocationEvidence, failure_key, refine_locations
from solver.search.paths import is_test_file
from solver.types import Candidate
from tasks.model import Task
from tasks.source import export_tree, resolve_source

FIRST_ORDER_LIMIT = 500
"""First-order candidates generated once per task; rounds walk down this list."""
SECOND_ORDER_LIMIT = 100
FAILURE_WEIGHT = 0.05
"""One failed edit is weak evidence against its whole operator family."""
SITE_SHARE = 3
"""A round gives at most width / SITE_SHARE (at least one) first-order candidates to one line
on its first pass."""
CHANGERS = 4
"""Edits that changed the failure without fixing a test, kept as bases for second order."""


def read_source_files(task: Task, repos_dir: Path | None = None) -> dict[str, str]:
    """The task's non-test Python files at its base commit, by repo-relative posix path."""
    with tempfile.TemporaryDirectory(prefix="solver-src-") as tmp:
        tree = export_tree(resolve_source(task, repos_dir), task.base_commit, Path(tmp) / "tree")
        return {
            path.relative_to(tree).as_posix(): path.read_text(encoding="utf-8")
            for path in sorted(tree.rglob("*.py"))
            if not is_test_file(path.relative_to(tree).as_posix())
        }


def site_of(edit: ScoredEdit) -> tuple[str, int] | None:
    location = edit.location
    return (location.file, location.line) if location else None


def failures_of(task: Task, verdict: Verdict) -> dict[str, str]:
    """FAIL_TO_PASS test id → how it ended (see `failure_key`), for the tests that ran."""
    return {
        t: failure_key(verdict.tests[t].outcome.value, verdict.tests[t].message)
        for t in task.fail_to_pass if t in verdict.tests
    }


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
        priors: OperatorPriors | None = None, baseline: Mapping[str, str] | None = None,
    ) -> None:
        """`baseline`: failing test id → `failure_key` of its failure on the unedited code
        (without it, the commonest failure among the candidates stands in)."""
        self.files = files
        self.locations = refine_locations(files, locations)
        self.priors = priors or OperatorPriors()
        self.evidence = LocationEvidence(dict(baseline or {}))
        self.observations: list[tuple[ScoredEdit, tuple[str, int], dict[str, str]]] = []
        self.changers: list[ScoredEdit] = []
        self.first_order = generate_edits(files, self.locations, self.priors, FIRST_ORDER_LIMIT)
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
        second = self.second_order(self.second_order_share(width, round)) if round > 0 else []
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
            site = site_of(edit)
            if verdict.applied and len(edit.edits) == 1 and site is not None:
                self.observations.append((edit, site, failures_of(task, verdict)))
        self.evidence.learn((site, failures) for _, site, failures in self.observations)
        self.changers = self.find_changers()

    def find_changers(self) -> list[ScoredEdit]:
        """The best few edits that changed the failure of a failing test in the same kind
        (partial progress short of passing it)."""
        found = [edit for edit, _, failures in self.observations
                 if self.evidence.progressed(failures) and edit not in self.partials]
        return sorted(found, key=lambda e: -e.score)[:CHANGERS]

    def second_order_share(self, width: int, round: int) -> int:
        """Half the round once a partial fix exists; otherwise a share growing with the rounds
        (single edits are likelier, so combinations of mere progress come later)."""
        if self.partials:
            return width // 2
        return width * min(round, 2) // 8 if self.changers else 0

    def ranked_first_order(self) -> list[ScoredEdit]:
        """First-order candidates re-ranked by the current priors (generation used fresh ones)
        and by what edits at their line did to the failing tests."""
        def current(edit: ScoredEdit) -> float:
            site = site_of(edit)
            evidence = self.evidence.factor(site) if site is not None else 1.0
            return edit.score * self.priors.weight(edit.edits[0].operator) * evidence

        return sorted(self.first_order, key=lambda e: -current(e))

    def second_order(self, count: int) -> list[ScoredEdit]:
        """Partial fixes (else edits that changed the failure) plus one edit at another line,
        best first."""
        bases = self.partials or self.changers
        if not bases or count <= 0:
            return []
        others = self.ranked_first_order()[:SECOND_ORDER_LIMIT]
        combined = combine_edits(self.files, bases, others, SECOND_ORDER_LIMIT * 4)
        apart = [c for c in combined if len({self.line_of(e) for e in c.edits}) > 1]
        return self.untried(apart, count)

    def line_of(self, edit: Edit) -> tuple[str, int]:
        """(file, 0-based line) where an edit starts."""
        return edit.file, self.files[edit.file].encode("utf-8")[: edit.start_byte].count(b"\n")

    def untried(self, edits: Sequence[ScoredEdit], count: int) -> list[ScoredEdit]:
        """The best `count` edits not proposed before, at most `per_site` per location on a
        first pass so that one suspicious line cannot fill a round, then the best of the rest."""
        per_site = max(1, -(-count // SITE_SHARE))
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

