"""Whether the project's tests catch a mutant, and what they say: a kept bug and its kind.

    fail-fast run of the covering tests ─► caught? ─► full run ─► validated: FAIL_TO_PASS known,
    every covering test ran (a module that no longer imports fails its tests at collection;
    a test that loops fails alone at its deadline and makes the bug `infinite-loop`)
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from sandbox import Outcome, SandboxPool, Verdict
from sandbox.pool import Diff
from solver.synthesis.mutate import TWO_LOCATIONS, Mutant, combine
from tasks.diffs import render_file_diff

BROKEN = (Outcome.FAILED, Outcome.ERROR, Outcome.TIMEOUT)
HANG_CAP = 5
"""Most covering tests rerun for a bug that makes one loop (each costs the test deadline)."""
ONE_RUN = 24
"""Covering sets up to this size run once, in full (no fail-fast filter first)."""
TEST_CAP = 120
"""Most covering tests run per mutant; the others stay out of the task's PASS_TO_PASS."""
LOOPS = "infinite-loop"
PAIRS_PER_MUTANT = 2


@dataclass(frozen=True)
class Kept:
    mutant: Mutant
    verdict: Verdict
    failing: list[str]
    kind: str
    unrun: frozenset[str] = frozenset()
    """Covering tests left out of the run (over TEST_CAP): unknown on the bug, so never
    PASS_TO_PASS."""


def broken_tests(verdict: Verdict, tests: Sequence[str], complete: bool = True
                 ) -> list[str] | None:
    """The tests the bug breaks; None when the run cannot be trusted to say so. In a
    `complete` run a requested test that never ran counts as broken where a collection error
    explains it, and makes the run untrusted where none does (a fail-fast run stops early)."""
    if not verdict.applied or verdict.timed_out or verdict.reason:
        return None
    outcomes = {t: verdict.outcome(t) for t in tests}
    if not complete:
        return [t for t, o in outcomes.items() if o in BROKEN]
    collection_failed = any(r.outcome == Outcome.ERROR and t not in outcomes
                            for t, r in verdict.tests.items())
    missing = [t for t, o in outcomes.items() if o == Outcome.MISSING]
    if missing and not collection_failed:
        return None
    return [t for t, o in outcomes.items() if o in BROKEN or o == Outcome.MISSING]


def kind_of(mutant: Mutant, verdict: Verdict, failing: Sequence[str]) -> str:
    if mutant.family == TWO_LOCATIONS:
        return TWO_LOCATIONS
    if any(verdict.outcome(t) == Outcome.TIMEOUT for t in failing):
        return LOOPS
    # a loop's advance removed, yet every test ends: a removed statement like any other
    return "remove-statement" if mutant.family == LOOPS else mutant.family


async def judge_mutant(
    pool: SandboxPool, mutant: Mutant, tests: list[str]
) -> tuple[int, Kept | None]:
    """(1 where a covering test fails on the mutant else 0, the kept bug or None). Small
    covering sets run once; larger ones fail-fast first (most mutants are caught at once,
    and a loop costs one test deadline there), then in full."""
    diff = render_file_diff(mutant.file, mutant.original, mutant.source)
    covering = tests
    tests = spread(tests, TEST_CAP)
    filtered = len(tests) > ONE_RUN
    if filtered:
        quick = await pool.verify_with(Diff(diff), tests, fail_fast=True)
        first = broken_tests(quick, tests, complete=False)
        if not first:
            return 0, None
        hung = [t for t in first if quick.outcome(t) == Outcome.TIMEOUT]
        if hung:
            tests = sorted({*tests[:HANG_CAP - len(hung)], *hung})
    full = await pool.verify_with(Diff(diff), tests)
    failing = broken_tests(full, tests)
    caught = int(filtered or bool(broken_tests(full, tests, complete=False)))
    if not failing:
        return caught, None
    return 1, Kept(mutant, full, sorted(failing), kind_of(mutant, full, failing),
                   frozenset(covering) - frozenset(tests))


def spread(tests: Sequence[str], cap: int) -> list[str]:
    """At most `cap` of `tests`, evenly spread over the sorted list (every file has its say)."""
    if len(tests) <= cap:
        return list(tests)
    step = len(tests) / cap
    return [tests[int(i * step)] for i in range(cap)]


def two_location_candidates(singles: Sequence[Mutant], seed: int) -> list[Mutant]:
    """Pairs of kept bugs of one file in two functions, each bug in at most two pairs."""
    rng = random.Random(seed)
    order = list(singles)
    rng.shuffle(order)
    used: dict[int, int] = {}
    pairs: list[Mutant] = []
    for i, first in enumerate(order):
        for j in range(i + 1, len(order)):
            if used.get(i, 0) >= PAIRS_PER_MUTANT:
                break
            if used.get(j, 0) >= PAIRS_PER_MUTANT:
                continue
            both = combine(first, order[j])
            if both is not None:
                pairs.append(both)
                used[i], used[j] = used.get(i, 0) + 1, used.get(j, 0) + 1
    return pairs
