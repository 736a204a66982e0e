"""Run only what can decide (issue 20): fewer tests per candidate, the same verdict on winners.

The engine's path, one candidate at a time (`verify_one`):

    FAIL_TO_PASS: every one, in the task's order, where partial fixes feed a next round
      (today's run); in the last round, fastest-failing on the base tree first, stopping at the
      first failure ─► fixed every one: today's whole PASS_TO_PASS run (first failure stops),
      what a plausible verdict rests on ─► fixed some (a partial fix, fed to the next round
      only): the PASS_TO_PASS tests that reach its change, enough to know it broke nothing near

`solver bench verify`'s path, a batch at once (`verify_deciding`):

    FAIL_TO_PASS, fastest-failing on the base tree first, stopping at the first failure (unless
      the planner wants partial-fix feedback) ─► where every one passed:
    the PASS_TO_PASS tests that reach the changed lines (the localization run's per-test
      coverage), where that leaves out test files; first failure stops ─► where those passed:
    the whole PASS_TO_PASS run, as `verdicts.verify_candidates` makes it

A candidate is plausible only through the FAIL_TO_PASS run without a failure and today's whole
PASS_TO_PASS run, so a plausible verdict holds the outcomes today's path gives; the earlier
stops only reject sooner. Tests the coverage map does not know (no per-test context) are kept.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sandbox.concurrency import gather_limited
from sandbox.verdict import Outcome, Verdict
from solver.analysis.spectrum import Line, Spectrum
from solver.protocols import Verifier
from solver.types import Candidate, Ledger
from solver.verdicts import count, fixed_any, merge
from tasks.model import Task
from tasks.paths import test_file_of

HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@")


def changed_lines(diff: str) -> set[Line]:
    """Old-side lines a diff removes or inserts beside (both neighbours of an insertion)."""
    lines: set[Line] = set()
    path, old, replacing = "", 0, False
    for text in diff.splitlines():
        if text.startswith("--- "):
            name = text[4:].split("\t")[0]
            path = name[2:] if name.startswith("a/") else name
        elif text.startswith("+++ "):
            continue
        elif (hunk := HUNK.match(text)) is not None:
            # an empty old range names the line the insertion follows
            old = int(hunk.group(1)) + (1 if hunk.group(2) == "0" else 0)
        elif text.startswith("-"):
            lines.add((path, old))
            old, replacing = old + 1, True
        elif text.startswith("+") and not replacing:
            lines.update({(path, old - 1), (path, old)})
        elif text.startswith(" "):
            old, replacing = old + 1, False
    return lines


@dataclass(frozen=True)
class DecisionPlan:
    """Per task, from its localization run: the order of the failing tests and what each test
    reaches."""

    fail_order: tuple[str, ...]
    reach: Mapping[str, frozenset[Line]]
    imported: frozenset[Line] = frozenset()

    @classmethod
    def of(cls, task: Task, baseline: Verdict | None, spectrum: Spectrum | None) -> DecisionPlan:
        tests = baseline.tests if baseline is not None else {}

        def key(test_id: str) -> tuple[int, float]:
            result = tests.get(test_id)
            failed = result is not None and result.outcome not in (Outcome.PASSED,
                                                                   Outcome.SKIPPED)
            return (0 if failed else 1, result.duration_s if result else float("inf"))

        order = tuple(sorted(task.fail_to_pass, key=key))
        if spectrum is None:
            return cls(order, {})
        return cls(order, dict(spectrum.covered), frozenset(spectrum.imported))

    def reaching(self, diff: str, tests: Sequence[str]) -> list[str]:
        """The tests whose coverage meets the diff's lines (all of them where the diff touches
        module-level code, and every test the map does not know)."""
        changed = changed_lines(diff)
        if not self.reach or changed & self.imported:
            return list(tests)
        return [t for t in tests if t not in self.reach or self.reach[t] & changed]


def fewer_files(narrow: Sequence[str], full: Sequence[str]) -> bool:
    return len({test_file_of(t) for t in narrow}) < len({test_file_of(t) for t in full})


async def verify_deciding(
    verifier: Verifier, task: Task, candidates: Sequence[Candidate], plan: DecisionPlan,
    ledger: Ledger, *, feedback: bool = False,
) -> list[Verdict]:
    """One verdict per candidate; plausible ones carry the full selection's outcomes.
    `feedback`: run every failing test (partial fixes feed the next round)."""
    tests = list(plan.fail_order) or list(task.pass_to_pass)
    fail_fast = not feedback or len(tests) == 1
    verdicts = await verifier.verify(candidates, tests, fail_fast=fail_fast)
    count(ledger, verdicts)
    live = [i for i, v in enumerate(verdicts) if v.passed(tests)]
    narrowed = {i: plan.reaching(candidates[i].diff, task.pass_to_pass) for i in live}
    worth = [i for i in live if narrowed[i] and fewer_files(narrowed[i], task.pass_to_pass)]
    for i, near in zip(worth, await each(verifier, candidates, worth, narrowed),
                       strict=True):  # one run each: the narrowed selections differ
        count(ledger, [near])
        verdicts[i] = merge(verdicts[i], near)
    live = [i for i in live if verdicts[i].passed([*tests, *narrowed[i]])]
    if task.fail_to_pass and task.pass_to_pass and live:
        # today's PASS_TO_PASS run, as the engine makes it: what a plausible verdict rests on
        full = await verifier.verify([candidates[i] for i in live], task.pass_to_pass,
                                     fail_fast=True)
        count(ledger, full)
        for i, verdict in zip(live, full, strict=True):
            verdicts[i] = merge(verdicts[i].model_copy(update={"tests": {
                t: r for t, r in verdicts[i].tests.items() if t in set(tests)}}), verdict)
    return verdicts


async def each(
    verifier: Verifier, candidates: Sequence[Candidate], chosen: Sequence[int],
    selection: Mapping[int, list[str]],
) -> list[Verdict]:
    """A run per chosen candidate with its own selection, first failure stopping it; at once."""
    async def one(i: int) -> Verdict:
        return (await verifier.verify([candidates[i]], selection[i], fail_fast=True))[0]

    return await gather_limited(one, chosen, max(len(chosen), 1))


async def verify_one(
    verifier: Verifier, task: Task, candidate: Candidate, plan: DecisionPlan, ledger: Ledger,
    *, feedback: bool,
) -> Verdict:
    """`candidate`'s verdict through the engine's path (the module's docstring). A plausible
    verdict is today's: every FAIL_TO_PASS test and the whole PASS_TO_PASS run passed.
    `feedback`: another round will read partial fixes (all failing tests run)."""
    if not task.fail_to_pass and task.pass_to_pass:
        return await run(verifier, candidate, task.pass_to_pass, True, ledger)
    failing = list(task.fail_to_pass) if feedback else list(plan.fail_order)
    first = await run(verifier, candidate, failing, not feedback or len(failing) == 1, ledger)
    if not task.pass_to_pass or not fixed_any(task, first):
        return first
    if first.passed(failing):
        selection = list(task.pass_to_pass)
    elif not feedback:
        return first  # a partial fix nobody reads
    else:
        near = plan.reaching(candidate.diff, task.pass_to_pass)
        selection = near if fewer_files(near, task.pass_to_pass) else list(task.pass_to_pass)
        if not selection:
            return first  # no test it must keep passing reaches its change
    return merge(first, await run(verifier, candidate, selection, True, ledger))


async def run(
    verifier: Verifier, candidate: Candidate, tests: Sequence[str], fail_fast: bool,
    ledger: Ledger,
) -> Verdict:
    verdict = (await verifier.verify([candidate], tests, fail_fast=fail_fast))[0]
    count(ledger, [verdict])
    return verdict
