"""A round's candidates: one ranking that does not depend on the width, cut at the width.

Each pick takes the best remaining candidate of a stream, its score decayed for every candidate
already picked at its site this round (one suspicious line cannot fill a round); sites marked
`spread` (lines localization cannot tell apart) each get their best candidate before any site
gets a second; a fixed
schedule says which stream each slot draws from (children of partial fixes, first-order edits).
Pick k depends only on picks 0..k-1, so the list at width w is the first w entries of the list
at any larger width: what `solver scale` assumes when it reads small cells off a large run.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from solver.generators.search.generate import ScoredEdit

SITE_DECAY = 0.7
"""The k-th pick of a round at one site weighs SITE_DECAY ** k: a round spreads over the top
lines, yet a line well ahead of the rest still gets several tries. For streams whose scores do
not already spread (children of one parent at one line)."""


@dataclass
class Stream:
    """Candidates best first; `site` names what a pick is charged to, `accept` is asked once
    for the candidate about to be picked (valid, not tried before) and may refuse it."""

    items: Sequence[ScoredEdit]
    site: Callable[[ScoredEdit], Hashable]
    accept: Callable[[ScoredEdit], bool]
    decay: float = SITE_DECAY
    """1.0 where the scores already spread over sites (the first-order list is diversified
    per line when generated, and a second decay buries the top lines' later alternatives
    under hundreds of weaker lines)."""
    spread: frozenset[Hashable] = frozenset()
    """Sites that each get one pick before any site gets a second (lines localization ties)."""
    taken: Counter[Hashable] = field(default_factory=Counter)
    skipped: set[int] = field(default_factory=set)

    def pick(self) -> ScoredEdit | None:
        """The best candidate after the site decay, accepted, or None when none is left."""
        while True:
            index = self._best()
            if index is None:
                return None
            self.skipped.add(index)
            item = self.items[index]
            if self.accept(item):
                self.taken[self.site(item)] += 1
                return item

    def _best(self) -> int | None:
        if any(self.taken[site] == 0 for site in self.spread):
            first = self._best_of(lambda site: site in self.spread and self.taken[site] == 0)
            if first is not None:
                return first
            self.spread = frozenset()  # the untaken ones have nothing left to offer
        return self._best_of(lambda _: True)

    def _best_of(self, eligible: Callable[[Hashable], bool]) -> int | None:
        best, best_score = None, 0.0
        for index, item in enumerate(self.items):
            if item.score <= best_score:
                break  # sorted, and a decay never raises a score: nothing further can win
            if index in self.skipped or not eligible(self.site(item)):
                continue
            score = item.score * self.decay ** self.taken[self.site(item)]
            if score > best_score:
                best, best_score = index, score
        return best


@dataclass(frozen=True)
class Schedule:
    """Which slots of a round go to the second stream: a `share` of them, at the head of every
    block of 1/share slots (`lead`) or at its end."""

    share: Fraction = Fraction(0)
    lead: bool = False

    def second(self, slot: int) -> bool:
        if self.share <= 0:
            return False
        if self.lead:
            return -(-(slot + 1) * self.share // 1) > -(-slot * self.share // 1)
        return (slot + 1) * self.share // 1 > slot * self.share // 1


def interleave(first: Stream, second: Stream, schedule: Schedule) -> Iterator[ScoredEdit]:
    """Picks slot by slot, each from the stream the schedule names, else from the other one,
    until both are exhausted. Consume as many as a round holds."""
    slot = 0
    while True:
        order = (second, first) if schedule.second(slot) else (first, second)
        for stream in order:
            item = stream.pick()
            if item is not None:
                yield item
                break
        else:
            return
        slot += 1


def take(picks: Iterator[ScoredEdit], count: int) -> list[ScoredEdit]:
    """The first `count` picks; none beyond is made (a pick marks its candidate tried)."""
    out: list[ScoredEdit] = []
    while len(out) < count:
        item = next(picks, None)
        if item is None:
            break
        out.append(item)
    return out
