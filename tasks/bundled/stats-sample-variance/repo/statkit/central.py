"""Measures of central tendency."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence


class StatisticsError(ValueError):
    pass


def _data(values: Iterable[float], minimum: int = 1) -> list[float]:
    data = list(values)
    if len(data) < minimum:
        raise StatisticsError(f"need at least {minimum} data point(s), got {len(data)}")
    return data


def mean(values: Iterable[float]) -> float:
    data = _data(values)
    return sum(data) / len(data)


def median(values: Iterable[float]) -> float:
    """Middle value; the mean of the two middle values for even-length data."""
    data = sorted(_data(values))
    n = len(data)
    mid = n // 2
    if n % 2:
        return data[mid]
    return (data[mid - 1] + data[mid]) / 2


def mode(values: Sequence) -> object:
    """Most common value; the first one encountered wins ties."""
    counts = Counter(_data(values))
    best = max(counts.values())
    for value in values:
        if counts[value] == best:
            return value
    raise AssertionError("unreachable")
