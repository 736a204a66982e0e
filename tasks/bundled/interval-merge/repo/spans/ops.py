"""Operations on collections of intervals."""

from __future__ import annotations

from collections.abc import Iterable

from .interval import Interval


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Combine overlapping or adjacent intervals.

    The result is sorted by start and contains no two intervals that overlap
    or touch.  Empty intervals are dropped.
    """
    ordered = sorted(i for i in intervals if not i.is_empty())
    merged: list[Interval] = []
    for current in ordered:
        if merged and current.start < merged[-1].end:
            merged[-1] = merged[-1].hull(current)
        else:
            merged.append(current)
    return merged


def gaps(intervals: Iterable[Interval], within: Interval) -> list[Interval]:
    """The parts of ``within`` not covered by any of ``intervals``."""
    result: list[Interval] = []
    cursor = within.start
    for interval in merge(intervals):
        clipped = interval.intersection(within)
        if clipped is None:
            continue
        if cursor < clipped.start:
            result.append(Interval(cursor, clipped.start))
        cursor = max(cursor, clipped.end)
    if cursor < within.end:
        result.append(Interval(cursor, within.end))
    return result


def total_length(intervals: Iterable[Interval], zero=0):
    """Total covered length, counting overlapping stretches once.

    ``zero`` is the additive identity of the length type; pass
    ``datetime.timedelta(0)`` for date intervals.
    """
    total = zero
    for interval in merge(intervals):
        total = total + interval.length
    return total
