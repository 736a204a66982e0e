"""The offline generator: repair operators at ranked locations, no model needed.

Every round is one ranking cut at the width (rounds.py), so a narrower round is
the head of a wider one given the same feedback. Round 0 tries the best first-order edit of
every line tied (or nearly) for most suspicious before a second edit of any line, then spreads
over the others by a per-line decay, and favours what the failures'
messages point at (a None check of the receiver None lacked an attribute of, a handler that
catches the exception that escaped: hints.py). Every verdict is also a probe
(mutation-based localization): lines where an edit changed how a failing test fails rise, lines
where edits changed nothing sink. A partial fix (some FAIL_TO_PASS passes, no PASS_TO_PASS
breaks) becomes a parent (parents.py): later rounds give half their slots to the
parent plus one more edit, at lines ranked for what the parent still fails and favouring the
same edit again elsewhere (a mistake made twice), and to joins of two partial fixes of
different tests; a child that fixes more becomes a parent in turn. Failing any
partial fix, edits that changed a failure serve as parents for a smaller share. The rest of each
round goes on down the first-order list, re-ranked by the evidence and the learned priors.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from fractions import Fraction

import anyio

from sandbox import Outcome, Verdict
from solver.analysis import Location, Spectrum, failures
from solver.feedback import Feedback
from solver.generators.search import OperatorPriors, ScoredEdit, generate_edits
from solver.generators.search.edits import Edit
from solver.generators.search.evidence import LocationEvidence, refine_locations
from solver.generators.search.hints import hints_from, widened_handlers
from solver.generators.search.parents import (
    PARENT_DECAY,
    Parent,
    children,
    frames_of,
    improves,
    merges,
    relocate,
    second_edits,
)
from solver.generators.search.rounds import Schedule, Stream, interleave, take
from solver.generators.search.validate import Validator
from solver.types import Candidate
from tasks.model import Task

FIRST_ORDER_LIMIT = 500
"""First-order candidates generated once per task; rounds walk down this list."""
FIRST_ORDER_DECAY = 1.0
"""No per-site decay down the first-order list (see `Stream.decay`). Measured by the gold
edit's position in a 400-wide round 0: on the synthesized sample, within the first 48 picks for
14 of 18 tasks (10 with a decay of 0.7), within 200 for 18 (13); on the bundled suite, 13 of 15
within 48 either way."""
NEAR_TIE = 0.05
"""Lines scored within this share of the top line count as tied with it."""
FAILURE_WEIGHT = 0.05
"""One failed edit is weak evidence against its whole operator family."""
CHANGERS = 4
"""Edits that changed the failure without fixing a test, kept as parents when no partial fix
exists."""
MAX_PARENTS = 4
STRONG_PARTIAL = 0.2
"""A partial fix passing at least this share of the failing tests earns half of each round."""
REPO_ROOT = "/testbed"
"""Where the sandbox runs the tests: failing tests' tracebacks name files under it."""


def site_of(edit: ScoredEdit) -> tuple[str, int] | None:
    location = edit.location
    return (location.file, location.line) if location else None


def failures_of(task: Task, verdict: Verdict) -> dict[str, str]:
    """FAIL_TO_PASS test id → how it ended (see `failure_key`), for the tests that ran."""
    return failures.failures_of(verdict, task.fail_to_pass)


def is_partial_fix(task: Task, verdict: Verdict) -> bool:
    """Some FAIL_TO_PASS test passes and no PASS_TO_PASS test that ran broke."""
    fixed = any(verdict.outcome(t) == Outcome.PASSED for t in task.fail_to_pass)
    broken = any(
        verdict.outcome(t) not in (Outcome.PASSED, Outcome.SKIPPED, Outcome.MISSING)
        for t in task.pass_to_pass
    )
    return verdict.applied and fixed and not broken


def failing_messages(task: Task, verdict: Verdict) -> list[str]:
    return [verdict.tests[t].message for t in task.fail_to_pass
            if t in verdict.tests and verdict.outcome(t) != Outcome.PASSED]


class SearchGenerator:
    """Satisfies `solver.protocols.Generator` with search-based repair."""

    name = "search"

    def __init__(
        self, files: dict[str, str], locations: list[Location],
        priors: OperatorPriors | None = None, baseline: Mapping[str, str] | None = None,
        spectrum: Spectrum | None = None,
    ) -> None:
        """`baseline`: failing test id → `failure_key` of its failure on the unedited code
        (without it, the commonest failure among the candidates stands in). `spectrum`: the
        per-test coverage the locations came from; partial fixes are relocated with it
        (without it, by their tracebacks and the given locations)."""
        self.files = files
        self.locations = refine_locations(files, locations)
        self.priors = priors or OperatorPriors()
        self.spectrum = spectrum
        self.evidence = LocationEvidence(dict(baseline or {}))
        self.hints = hints_from((f.partition("|")[2] for f in (baseline or {}).values()), files,
                                baseline or {})
        self.observations: list[tuple[str, ScoredEdit, tuple[str, int], dict[str, str]]] = []
        self.messages: dict[str, list[str]] = {}
        """Candidate id → its still-failing FAIL_TO_PASS tests' messages (a parent's frames)."""
        self.first_order = generate_edits(files, self.locations, self.priors, FIRST_ORDER_LIMIT,
                                          weigh=lambda edit: self.hints.factor(files, edit))
        self.first_order += widened_handlers(files, self.first_order, self.hints)
        self.by_id: dict[str, ScoredEdit] = {}
        self.origins: dict[tuple[Edit, ...], tuple[Parent, ...]] = {}
        """A built candidate's edits → the parents it was built on."""
        self.tried: set[str] = set()
        """Diffs already proposed, so no candidate is verified twice."""
        self.seen: set[str] = set()
        """Candidate ids whose verdicts were already learned from."""
        self.partials: list[Parent] = []
        self.changers: list[Parent] = []
        self.relocated: dict[str, list[ScoredEdit]] = {}
        """Parent candidate id → the second edits at the lines ranked for what it still fails."""
        self.validator = Validator(files)
        """For built candidates (the first-order list is validated as it is generated)."""

    async def propose(
        self, task: Task, round: int, width: int, feedback: Feedback
    ) -> list[Candidate]:
        return await anyio.to_thread.run_sync(
            lambda: self.propose_now(task, round, width, feedback.pairs), abandon_on_cancel=True)

    def propose_now(
        self, task: Task, round: int, width: int, feedback: Sequence[tuple[Candidate, Verdict]]
    ) -> list[Candidate]:
        """The first `width` entries of this round's ranking (which `width` does not change)."""
        self.learn(task, feedback)
        parents = self.parents() if round > 0 else []
        first = Stream(self.ranked_first_order(), site_of, self.fresh, decay=FIRST_ORDER_DECAY,
                       spread=self.tied_sites() if round == 0 else frozenset())
        second = Stream(self.built(parents), site_of, self.fresh_built)
        schedule = self.schedule(round, parents, len(task.fail_to_pass))
        picks = take(interleave(first, second, schedule), width)
        return [self.candidate(edit, round, n) for n, edit in enumerate(picks)]

    def tied_sites(self) -> frozenset[tuple[str, int]]:
        """Lines whose suspiciousness is within `NEAR_TIE` of the top line's: round 0 spreads
        over them before digging into any (small functions tie every line their tests run)."""
        scored = [(e.location.score, site) for e in self.first_order
                  if e.location is not None and (site := site_of(e)) is not None]
        top = max((score for score, _ in scored), default=0.0)
        return frozenset(site for score, site in scored if top > 0
                         and score >= top * (1 - NEAR_TIE))

    def learn(self, task: Task, feedback: Sequence[tuple[Candidate, Verdict]]) -> None:
        """Update the priors, the evidence and the parents from verdicts not seen before."""
        for candidate, verdict in feedback:
            edit = self.by_id.get(candidate.id)
            if candidate.id in self.seen or edit is None:
                continue
            self.seen.add(candidate.id)
            success = is_partial_fix(task, verdict)
            for operator in edit.operators:
                self.priors.update(operator, success, 1.0 if success else FAILURE_WEIGHT)
            self.messages[candidate.id] = failing_messages(task, verdict)
            if success and not verdict.passed([*task.fail_to_pass, *task.pass_to_pass]):
                self.add_partial(task, candidate.id, edit, verdict)
            site = site_of(edit)
            if verdict.applied and len(edit.edits) == 1 and site is not None:
                self.observations.append((candidate.id, edit, site, failures_of(task, verdict)))
        self.evidence.learn((site, failures) for _, _, site, failures in self.observations)
        self.changers = self.find_changers()

    def add_partial(self, task: Task, candidate_id: str, edit: ScoredEdit,
                    verdict: Verdict) -> None:
        passed = frozenset(t for t in task.fail_to_pass if verdict.outcome(t) == Outcome.PASSED)
        if improves(passed, self.origins.get(edit.edits, ())):
            self.partials.append(self.parent(candidate_id, edit, passed, partial=True))

    def parent(self, candidate_id: str, edit: ScoredEdit, passed: frozenset[str],
               partial: bool) -> Parent:
        frames = frames_of(self.files, edit, self.messages.get(candidate_id, []), REPO_ROOT)
        return Parent(candidate_id, edit, passed, frames, partial)

    def find_changers(self) -> list[Parent]:
        """The few edits that moved a failing test furthest toward passing without passing it
        (changed its failure in the same kind, closer to the expected value where it compares
        values), best scored first among equals."""
        partial = {p.candidate_id for p in self.partials}
        found = [(self.evidence.gain(failures), cid, edit)
                 for cid, edit, _, failures in self.observations
                 if self.evidence.progressed(failures) and cid not in partial]
        found.sort(key=lambda item: (-item[0], -item[2].score))
        return [self.parent(cid, edit, frozenset(), partial=False)
                for _, cid, edit in found[:CHANGERS]]

    def parents(self) -> list[Parent]:
        """Partial fixes, those fixing the most tests first; failing any, the changers."""
        if not self.partials:
            return self.changers
        return sorted(self.partials, key=lambda p: (-len(p.passed), -p.edit.score))[:MAX_PARENTS]

    def schedule(self, round: int, parents: Sequence[Parent], failing: int) -> Schedule:
        """Half of the slots, from the first, once a partial fix of a good share of the
        failing tests exists (a quarter when it fixed only a few of many: a lucky side effect
        as often as half a fix); otherwise a share growing with the rounds at the end of each
        block (single edits are likelier, so combinations of mere progress come later)."""
        fixed = max((len(p.passed) for p in parents if p.partial), default=0)
        if fixed:
            strong = fixed >= STRONG_PARTIAL * max(failing, 1)
            return Schedule(Fraction(1, 2) if strong else Fraction(1, 4), lead=True)
        if parents:
            return Schedule(Fraction(min(round, 2), 8))
        return Schedule()

    def ranked_first_order(self) -> list[ScoredEdit]:
        """First-order candidates (scored with what the failures point at, `hints`, when
        generated) re-ranked by the current priors (generation used fresh ones) and by what
        edits at their line did to the failing tests, each carrying its current score (a
        round's stream decays and compares these, so they must be the ones it is sorted by)."""
        def current(edit: ScoredEdit) -> float:
            site = site_of(edit)
            evidence = self.evidence.factor(site) if site is not None else 1.0
            return edit.score * self.priors.weight(edit.edits[0].operator) * evidence

        rescored = [replace(edit, score=current(edit)) for edit in self.first_order]
        return sorted(rescored, key=lambda e: -e.score)

    def built(self, parents: Sequence[Parent]) -> list[ScoredEdit]:
        """Joins of partial fixes, then every parent plus one edit, best first."""
        weights = [PARENT_DECAY ** n for n in range(len(parents))]
        out: list[ScoredEdit] = []
        for edit, pair in merges(parents, weights):
            self.origins.setdefault(edit.edits, pair)
            out.append(edit)
        for parent, weight in zip(parents, weights, strict=True):
            for edit in children(self.files, parent, self.second_edits(parent), weight,
                                 self.priors):
                self.origins.setdefault(edit.edits, (parent,))
                out.append(edit)
        return sorted(out, key=lambda e: -e.score)

    def second_edits(self, parent: Parent) -> list[ScoredEdit]:
        if parent.candidate_id not in self.relocated:
            located = refine_locations(
                self.files, relocate(parent, self.spectrum, self.locations))
            self.relocated[parent.candidate_id] = second_edits(self.files, located)
        return self.relocated[parent.candidate_id]

    def fresh(self, edit: ScoredEdit) -> bool:
        """Not proposed before (and now marked proposed)."""
        diff = edit.diff(self.files)
        if not diff or diff in self.tried:
            return False
        self.tried.add(diff)
        return True

    def fresh_built(self, edit: ScoredEdit) -> bool:
        """A built candidate: not proposed before, and valid (one that is not stays marked,
        so it is not validated again)."""
        try:
            return self.fresh(edit) and self.validator.accept(edit.edits)
        except (KeyError, ValueError):
            return False

    def candidate(self, edit: ScoredEdit, round: int, n: int) -> Candidate:
        candidate_id = f"r{round}-{n}"
        self.by_id[candidate_id] = edit
        parents = tuple(p.candidate_id for p in self.origins.get(edit.edits, ()))
        return Candidate(
            id=candidate_id, diff=edit.diff(self.files), round=round, generator=self.name,
            note=f"{'+'.join(edit.operators)}: {edit.description}", parent_ids=parents,
        )
