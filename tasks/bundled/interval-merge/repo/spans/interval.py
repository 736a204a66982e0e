"""The :class:`Interval` value type."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, order=True)
class Interval:
    """A half-open interval ``[start, end)``.

    ``start`` must not be greater than ``end``; an interval with ``start == end``
    is empty.  Any totally ordered type works as long as ``end - start`` is
    defined (ints, floats, dates, datetimes).
    """

    start: Any
    end: Any

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise ValueError(f"interval start {self.start!r} is after end {self.end!r}")

    @property
    def length(self) -> Any:
        """``end - start`` (a number, or a ``timedelta`` for dates)."""
        return self.end - self.start

    def is_empty(self) -> bool:
        return self.start == self.end

    def contains(self, point: Any) -> bool:
        """True if ``point`` lies inside the interval (the end is excluded)."""
        return self.start <= point < self.end

    def overlaps(self, other: Interval) -> bool:
        """True if the two intervals share at least one point."""
        return self.start < other.end and other.start < self.end

    def adjacent(self, other: Interval) -> bool:
        """True if one interval ends exactly where the other begins."""
        return self.end == other.start or other.end == self.start

    def intersection(self, other: Interval) -> Interval | None:
        """The common part of both intervals, or ``None`` if they do not overlap."""
        if not self.overlaps(other):
            return None
        return Interval(max(self.start, other.start), min(self.end, other.end))

    def hull(self, other: Interval) -> Interval:
        """The smallest interval covering both."""
        return Interval(min(self.start, other.start), max(self.end, other.end))
