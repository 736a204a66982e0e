"""How much compute a task gets, round by round, and why: every decision is recorded.

    Planner.width(round) ─► how many candidates this round (task budget ∩ shared budget)
    Planner.feedback(round) ─► whether a next round will read this one's partial fixes
    Planner.verified(...)  ─► a round the deadline cut: what was not run goes back
    Planner.enough(found) ─► stop: enough independent plausible candidates
    Planner.decisions      ─► the trajectory's record of each choice and its reason

The task's seconds are a deadline (issue 16): rounds start no verification later than
`selection_reserve` seconds before it, those under way are cut half-way through that reserve, and
the selection (behaviour probe, tournament) ends by it.

A `SharedBudget` spreads one candidate budget over many tasks (eval): every task is guaranteed
its first round, and deeper rounds draw only on what is left beyond that reserve, so compute
flows to tasks that are still open (solved tasks stop early and leave their share).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from pydantic import BaseModel

from solver.types import Budget

Log = Callable[[str], None]
SELECTION_SHARE = 0.1
SELECTION_MIN_S = 3.0
SELECTION_MAX_S = 30.0
LAST_ROUND_FACTOR = 1.5
"""A round is taken for the last when less than this many times the previous round's seconds
is left for rounds: its partial fixes would feed nothing."""


class Decision(BaseModel):
    """One choice of the planner, as the trajectory keeps it."""

    round: int
    action: str
    """`round` (its width), `stop`, `cut` (width reduced), `localize`, ..."""
    reason: str
    at_s: float = 0.0
    """Seconds since the task started."""


class SharedBudget:
    """A candidate budget over many tasks: first rounds are reserved for tasks not yet begun.

    Used from one event loop (the local executor), so no locking is needed."""

    def __init__(self, candidates: int, tasks: int, first_width: int) -> None:
        self.total = candidates
        self.spent = 0
        self.waiting = tasks
        """Tasks that have not drawn their first round yet."""
        self.first_width = first_width

    @property
    def left(self) -> int:
        return self.total - self.spent

    def reserve(self) -> int:
        return self.waiting * self.first_width

    def grant(self, wanted: int, first: bool) -> tuple[int, str]:
        """How many of `wanted` candidates may be spent now, and why fewer where so."""
        if first:
            self.waiting = max(0, self.waiting - 1)
            granted = min(wanted, max(self.left, 0))
            why = f"{self.left} left of the shared {self.total}"
        else:
            granted = min(wanted, max(self.left - self.reserve(), 0))
            why = (f"{self.left} left of the shared {self.total}, {self.reserve()} reserved for "
                   f"the first rounds of {self.waiting} task(s) not begun")
        self.spent += granted
        return granted, why

    def refund(self, count: int) -> None:
        self.spent -= max(count, 0)


class Planner:
    """The task's budget and, in an eval, its share of the shared one."""

    def __init__(
        self, budget: Budget, shared: SharedBudget | None = None, log: Log = lambda _: None
    ) -> None:
        self.budget, self.shared, self.log = budget, shared, log
        self.start = time.monotonic()
        self.rounds_s = budget.max_seconds - selection_reserve(budget.max_seconds)
        """Seconds after `start` by which every round ends (the rest is the selection's)."""
        self.spent = 0
        self.decisions: list[Decision] = []
        self.round_began = self.start
        self.last_round_s: float | None = None

    def elapsed(self) -> float:
        return time.monotonic() - self.start

    def left(self) -> float:
        """Seconds to the task's deadline."""
        return self.budget.max_seconds - self.elapsed()

    def rounds_left(self) -> float:
        """Seconds until the rounds stop starting verifications."""
        return self.rounds_s - self.elapsed()

    def grace(self) -> float:
        """Seconds past `rounds_left` a verification under way may take to finish: half the
        selection's reserve (the probe and the tournament keep the other half)."""
        return (self.budget.max_seconds - self.rounds_s) / 2

    def note(self, round: int, action: str, reason: str) -> None:
        self.decisions.append(Decision(round=round, action=action, reason=reason,
                                       at_s=round_s(time.monotonic() - self.start)))
        if action != "round":
            self.log(f"planner: {action} at round {round}: {reason}")

    def width(self, round: int) -> int:
        """Candidates for `round`; 0 means stop (the reason is recorded)."""
        budget = self.budget
        if self.rounds_left() <= 0:
            self.note(round, "stop", f"the task's {budget.max_seconds:.0f} s are spent (the "
                      f"last {budget.max_seconds - self.rounds_s:.0f} s are the selection's)")
            return 0
        width = min(budget.width, budget.max_candidates - self.spent)
        if width <= 0:
            self.note(round, "stop", f"the task's {budget.max_candidates} candidates are spent")
            return 0
        if self.shared is not None:
            granted, why = self.shared.grant(width, first=round == 0)
            if granted < width:
                self.note(round, "cut" if granted else "stop",
                          f"shared budget grants {granted} of {width}: {why}")
            width = granted
        if width:
            self.spent += width
            self.note(round, "round", f"width {width}")
            self.round_began = time.monotonic()
        return width

    def feedback(self, round: int) -> bool:
        """Whether a next round will read this round's partial fixes: not in the last round
        by depth, nor where the time left for rounds is under LAST_ROUND_FACTOR times the
        previous round's (then failing tests stop at their first failure; recorded)."""
        if round >= self.budget.depth - 1:
            return False
        last, left = self.last_round_s, self.rounds_left()
        if last is not None and left < LAST_ROUND_FACTOR * last:
            self.note(round, "last", f"{left:.1f} s left for rounds, the last took {last:.1f} s: "
                      "no partial-fix feedback, failing tests stop at the first failure")
            return False
        return True

    def verified(self, round: int, proposed: int, verified: int) -> None:
        """The round's verifications ended (`verified` of `proposed`; fewer: the deadline cut
        the round, and what was not run goes back)."""
        self.last_round_s = time.monotonic() - self.round_began
        if verified >= proposed:
            return
        self.note(round, "cut", f"the deadline came with {proposed - verified} of {proposed} "
                  "candidate(s) not verified: not run")
        self.spent -= proposed - verified
        if self.shared is not None:
            self.shared.refund(proposed - verified)

    def unused(self, round: int, granted: int, proposed: int) -> None:
        """The generator proposed fewer than granted: the rest goes back."""
        if proposed >= granted:
            return
        self.spent -= granted - proposed
        if self.shared is not None:
            self.shared.refund(granted - proposed)
        if proposed == 0:
            self.note(round, "stop", "the generator has nothing new to propose")

    def would_stop(self, plausible: int) -> bool:
        """Whether `plausible` candidates may be enough (then their agreement is worth probing)."""
        wanted = self.budget.enough_plausible
        return bool(wanted) and plausible >= wanted

    def enough(self, round: int, plausible: int, agreeing: int | None = None) -> bool:
        """Stop once `enough_plausible` plausible candidates exist that behave alike.

        `agreeing`: the largest group of plausible candidates with the same behaviour on the
        probe's inputs (None: not measured; then the count of plausible ones decides)."""
        wanted = self.budget.enough_plausible
        if not self.would_stop(plausible):
            return False
        if agreeing is None:
            self.note(round, "stop", f"{plausible} plausible candidate(s): enough ({wanted})")
            return True
        if agreeing >= wanted:
            self.note(round, "stop", f"{agreeing} of {plausible} plausible candidates behave "
                      f"alike: enough ({wanted})")
            return True
        self.note(round, "continue", f"{plausible} plausible candidates, but at most {agreeing} "
                  "behave alike: searching on for agreement")
        return False


def selection_reserve(seconds: float) -> float:
    """Seconds of a `seconds` budget kept for the selection after the rounds: a tenth, within
    SELECTION_MIN_S..SELECTION_MAX_S (never more than half)."""
    return min(max(seconds * SELECTION_SHARE, SELECTION_MIN_S), SELECTION_MAX_S, seconds / 2)


def round_s(seconds: float) -> float:
    return round(seconds, 3)
