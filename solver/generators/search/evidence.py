"""What the code and the verdicts say about locations, beyond the spectrum.

refine_locations   statically: the condition guarding a raising frame is as suspicious as the
                   frame; display methods (`__repr__`, ...) run when pytest formats a failure, so
                   only failing tests cover them and the spectrum overrates them.
LocationEvidence   dynamically (mutation-based localization, after Metallaxis/MUSE): an edit
                   that changes how a failing test fails shows its line reaches the failure; a
                   line where edits change nothing is likely not the fault.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from tree_sitter import Node

from solver.analysis.failures import PASSED
from solver.analysis.localize import Location
from solver.analysis.syntax import enclosing, innermost_statement, text
from solver.generators.search.site import Module

DISPLAY_METHODS = frozenset({"__repr__", "__str__", "__format__"})
DISPLAY_FACTOR = 0.3
GUARD_FACTOR = 0.95
"""The score of a raise's guarding condition, relative to the raising frame."""
CHANGED_FACTOR = 1.6
"""Weight of a line where some edit changed how a failing test fails (or made it pass)."""
DISTURBED_FACTOR = 1.2
"""Weight of a line where an edit made a failing test fail differently in kind (another
exception): the line runs before the failure, but may only break things upstream of it."""
INERT_FACTOR = 0.9
"""Weight per edit at a line that left every failing test failing exactly as before."""
INERT_FLOOR = 0.6
_GUARD_HOLDERS = frozenset({"if_statement", "elif_clause", "function_definition"})

Site = tuple[str, int]


def refine_locations(files: Mapping[str, str], locations: Sequence[Location]) -> list[Location]:
    """Locations with raise guards added after raising lines and display methods demoted,
    re-sorted by score (stable)."""
    modules: dict[str, Module] = {}
    out: list[Location] = []
    for location in locations:
        if location.file not in files or not location.file.endswith(".py"):
            out.append(location)
            continue
        if location.file not in modules:
            modules[location.file] = Module(location.file, files[location.file].encode("utf-8"))
        module = modules[location.file]
        statement = innermost_statement(module.root, location.line - 1)
        if statement is not None and _in_display_method(statement):
            location = replace(location, score=location.score * DISPLAY_FACTOR)
        out.append(location)
        guard = _raise_guard(statement)
        if guard is not None:
            out.append(Location(location.file, guard, location.score * GUARD_FACTOR, "guard"))
    seen: set[Site] = set()
    unique = []
    for location in sorted(out, key=lambda loc: -loc.score):
        if (location.file, location.line) not in seen:
            seen.add((location.file, location.line))
            unique.append(location)
    return unique


def _in_display_method(statement: Node) -> bool:
    function = enclosing(statement, frozenset({"function_definition"}))
    name = function.child_by_field_name("name") if function is not None else None
    return name is not None and text(name) in DISPLAY_METHODS


def _raise_guard(statement: Node | None) -> int | None:
    """The 1-based line of the `if`/`elif` whose body raises at `statement`."""
    if statement is None or statement.type != "raise_statement":
        return None
    holder = enclosing(statement, _GUARD_HOLDERS)
    if holder is None or holder.type == "function_definition":
        return None
    return int(holder.start_point.row) + 1




def kind(failure: str) -> str:
    """The outcome and exception type of a failure key."""
    outcome, _, message = failure.partition("|")
    return f"{outcome}|{message.split(':', 1)[0].splitlines()[0] if message else ''}"


_ASSERT_EQUAL = re.compile(r"assert (?P<left>.+?) == (?P<right>.+)$", re.MULTILINE)
_INDEX_DIFF = re.compile(r"At index (?P<index>\d+) diff: (?P<left>.+?) != (?P<right>.+)$",
                         re.MULTILINE)


def distance(failure: str) -> float | None:
    """How far an equality assertion's actual value is from the expected one, in [0, 1]
    (None: the failure compares no values): numbers by relative difference, text by
    difflib's ratio; for sequences, pytest's first differing index counts (a later one is
    closer)."""
    message = failure.partition("|")[2]
    index = _INDEX_DIFF.search(message)
    if index is not None:
        rest = _unlikeness(index["left"], index["right"])
        return rest / (1 + int(index["index"]))
    equal = _ASSERT_EQUAL.search(message.strip().split("\n", 1)[0])  # not the test's source
    return None if equal is None else _unlikeness(equal["left"], equal["right"])


def _unlikeness(left: str, right: str) -> float:
    try:
        a, b = float(left.strip()), float(right.strip())
    except ValueError:
        return 1.0 - difflib.SequenceMatcher(None, left.strip(), right.strip()).ratio()
    return abs(a - b) / (abs(a) + abs(b)) if a != b else 0.0


@dataclass
class LocationEvidence:
    """Per site: did edits there change how the failing tests fail?"""

    baseline: dict[str, str] = field(default_factory=dict)
    """Failing test id → its normalized failure (outcome and message) before any edit."""
    changed: set[Site] = field(default_factory=set)
    disturbed: set[Site] = field(default_factory=set)
    inert: Counter[Site] = field(default_factory=Counter)
    reference: dict[str, str] = field(default_factory=dict)
    """The baseline in use: given, or inferred from the candidates."""

    def learn(self, observations: Iterable[tuple[Site, dict[str, str]]]) -> None:
        """Recompute from every (site edited, failing test → normalized failure) seen so far;
        without a baseline, a test's commonest failure stands for it."""
        observations = list(observations)
        baseline = dict(self.baseline) or majority([failures for _, failures in observations])
        self.reference = baseline
        self.changed, self.disturbed, self.inert = set(), set(), Counter()
        for site, failures in observations:
            known = [t for t in failures if t in baseline]
            moved = [t for t in known if failures[t] != baseline[t]]
            if self.progressed(failures):
                self.changed.add(site)
            elif moved:
                self.disturbed.add(site)
            elif known:
                self.inert[site] += 1

    def progressed(self, failures: Mapping[str, str]) -> bool:
        """Whether some failing test passed, or failed in the same kind but differently (and,
        where its assertion compares values, with the actual value closer to the expected)."""
        return any(self.moved_closer(t, f) for t, f in failures.items())

    def moved_closer(self, test: str, failure: str) -> bool:
        base = self.reference.get(test)
        if base is None or failure == base:
            return False
        if failure == PASSED:
            return True
        if kind(failure) != kind(base):
            return False
        before, after = distance(base), distance(failure)
        return before is None or after is None or after < before

    def gain(self, failures: Mapping[str, str]) -> float:
        """How far the failing tests moved toward passing: one per test that passes, plus the
        drop in distance (see `distance`) of those that still fail."""
        total = 0.0
        for test, failure in failures.items():
            if not self.moved_closer(test, failure):
                continue
            before, after = distance(self.reference[test]), distance(failure)
            total += 1.0 if failure == PASSED else (before - after
                                                   if before is not None and after is not None
                                                   else 0.0)
        return total

    def factor(self, site: Site) -> float:
        if site in self.changed:
            return CHANGED_FACTOR
        if site in self.disturbed:
            return DISTURBED_FACTOR
        return max(INERT_FACTOR ** self.inert[site], INERT_FLOOR)


def majority(observed: Sequence[Mapping[str, str]]) -> dict[str, str]:
    """Per test, the failure most candidates showed, where at least two agree on it and no
    other is as common."""
    tallies: dict[str, Counter[str]] = {}
    for failures in observed:
        for test, failure in failures.items():
            tallies.setdefault(test, Counter())[failure] += 1
    baseline = {}
    for test, counts in tallies.items():
        ranked = counts.most_common(2)
        if ranked[0][1] >= 2 and (len(ranked) == 1 or ranked[1][1] < ranked[0][1]):
            baseline[test] = ranked[0][0]
    return baseline
