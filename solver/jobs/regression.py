"""The regression stage: which of the repository's own tests guard the code a fix will change.

    suspect modules: the files the issue names, or that define names it mentions, then those
        localization ranks first
        ─► the repository's test files that import one of them (tests at the base commit)
        ─► one run on the base tree ─► the tests that pass there are PASS_TO_PASS

Under `--protocol issue` the solver has no PASS_TO_PASS of its own: these are the tests a fix
must not break, chosen by the solver from what it may see. At most `limit` test ids are kept so
that a candidate's verification stays short; the trajectory says how many and how long. Where
every candidate breaks one of them, `pick_despite_regressions` still hands over the best.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from sandbox.verdict import Outcome
from solver.analysis import Location
from solver.engine import Result
from solver.planner import Decision
from solver.protocols import Verifier
from solver.types import Candidate, StageSpend

MODULES = 3
"""Suspect modules whose importing tests are chosen."""
LIMIT = 200
"""Most regression test ids kept."""


@dataclass(frozen=True)
class Regression:
    test_ids: list[str]
    decision: Decision
    spend: StageSpend


def module_name(path: str) -> str:
    """`src/pkg/mod.py` → `pkg.mod`; `pkg/__init__.py` → `pkg`."""
    parts = list(PurePosixPath(path).with_suffix("").parts)
    if parts and parts[0] in ("src", "lib"):
        parts = parts[1:]
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def suspect_files(
    locations: Sequence[Location], sources: Mapping[str, str], issue: str, count: int = MODULES
) -> list[str]:
    """The source files the issue names (by path, a path without its `src/`, or module name),
    then those defining at top level a name the issue mentions (most names first), then those
    localization ranks first; `count` distinct ones at most."""
    named = [path for path in sources if names(issue, path)]
    mentioned = set(IDENTIFIER.findall(issue))
    defining = sorted(((len(mentioned & top_level_names(text)), path)
                       for path, text in sources.items()), key=lambda p: -p[0])
    ranked = [loc.file for loc in locations if loc.file in sources]
    return list(dict.fromkeys([*named, *(p for n, p in defining if n), *ranked]))[:count]


IDENTIFIER = re.compile(r"\b(?=\w*(?:_|[a-z][A-Z]))[A-Za-z_]\w{5,}\b")
"""Names worth looking up: six characters or more, with an underscore or a camel hump."""
TOP_LEVEL = re.compile(r"^(?:(?:async\s+)?def|class)\s+(\w+)|^(\w+)\s*[:=]", re.MULTILINE)


def top_level_names(text: str) -> set[str]:
    return {a or b for a, b in TOP_LEVEL.findall(text)}


def names(issue: str, path: str) -> bool:
    """Whether `issue` names the file at `path`."""
    module = module_name(path)
    parts = PurePosixPath(path).parts
    tail = "/".join(parts[1:]) if parts[0] in ("src", "lib") else path
    return bool(module) and "." in module and (
        re.search(rf"\b{re.escape(module)}\b", issue) is not None or path in issue
        or tail in issue)


def imports(text: str, module: str) -> bool:
    """Whether a test file's text imports `module` (or a name from it, or from its package)."""
    parent, _, leaf = module.rpartition(".")
    pattern = rf"^\s*(from\s+{re.escape(module)}(\.\w+)*\s+import|import\s+{re.escape(module)}\b)"
    if parent:
        pattern += rf"|^\s*from\s+{re.escape(parent)}\s+import\s+[^#\n]*\b{re.escape(leaf)}\b"
    return re.search(pattern, text, re.MULTILINE) is not None


def importing_tests(tests: Mapping[str, str], modules: Sequence[str]) -> list[str]:
    """The test files that import one of `modules`, in path order."""
    return sorted(path for path, text in tests.items()
                  if any(module and imports(text, module) for module in modules))


async def choose_regression_tests(
    verifier: Verifier, locations: Sequence[Location], sources: Mapping[str, str],
    tests: Mapping[str, str], issue: str, limit: int = LIMIT,
) -> Regression:
    """The repository's tests that import the suspect modules and pass on the base tree."""
    start = time.monotonic()
    files = suspect_files(locations, sources, issue)
    chosen = importing_tests(tests, [module_name(f) for f in files])
    if not chosen:
        reason = (f"no test file imports the suspect modules ({', '.join(files) or 'none'}); "
                  "PASS_TO_PASS stays empty")
        return Regression([], Decision(round=0, action="regression", reason=reason),
                          StageSpend(seconds=round(time.monotonic() - start, 3)))
    (verdict,) = await verifier.verify([Candidate(id="base", diff="")], chosen)
    passing = [t for t, r in verdict.tests.items() if r.outcome == Outcome.PASSED][:limit]
    spend = StageSpend(seconds=round(time.monotonic() - start, 3),
                       sandbox_s=round(verdict.duration_s, 3), test_runs=1)
    reason = (f"{len(chosen)} test file(s) import {', '.join(map(module_name, files))}; "
              f"{len(passing)} of {len(verdict.tests)} test(s) pass on the base tree "
              f"(kept, at most {limit}) in {verdict.duration_s:.1f}s")
    return Regression(passing, Decision(round=0, action="regression", reason=reason,
                                        at_s=spend.seconds), spend)


def pick_despite_regressions(result: Result) -> Result:
    """Where no candidate passed every test, the one that passes the most reproduction tests
    (at least one), then the most regression tests, then the smaller diff, is handed over all
    the same, `plausible` staying False: a reproduction may be wrong, and a regression test may
    pin the very behaviour the issue asks to change."""
    if result.winner is not None:
        return result
    fixing = [c for c in result.candidates
              if c.verdict.applied and c.verdict.f2p_passed and c.verdict.p2p_passed is not None]
    if not fixing:
        return result
    best = max(fixing, key=lambda c: (c.verdict.f2p_passed, c.verdict.p2p_passed or 0,
                                      -len(c.diff)))
    v = best.verdict
    reason = (f"no candidate passed every test; {best.id} passes {v.f2p_passed} of "
              f"{v.f2p_total} reproduction tests and {v.p2p_passed} of {v.p2p_total} regression "
              "tests (the most), handed over as not plausible")
    return result.model_copy(update={
        "winner": best.id, "patch": best.diff,
        "decisions": [*result.decisions, Decision(round=result.rounds, action="pick",
                                                  reason=reason)]})
