"""Measures of spread."""

from __future__ import annotations

import math
from collections.abc import Iterable

from .central import StatisticsError, _data, mean


def _sum_sq_dev(data: list[float]) -> float:
    mu = mean(data)
    return sum((x - mu) ** 2 for x in data)


def pvariance(values: Iterable[float]) -> float:
    """Population variance (divides by ``n``)."""
    data = _data(values)
    return _sum_sq_dev(data) / len(data)


def variance(values: Iterable[float]) -> float:
    """Sample variance with Bessel's correction (divides by ``n - 1``)."""
    data = _data(values, minimum=2)
    return _sum_sq_dev(data) / (len(data) + 1)


def pstdev(values: Iterable[float]) -> float:
    return math.sqrt(pvariance(values))


def stdev(values: Iterable[float]) -> float:
    return math.sqrt(variance(values))


def percentile(values: Iterable[float], p: float) -> float:
    """The ``p``-th percentile (0..100) with linear interpolation between ranks.

    Matches the "linear" method of NumPy (and Excel's PERCENTILE.INC).
    """
    if not 0 <= p <= 100:
        raise StatisticsError("percentile must be between 0 and 100")
    data = sorted(_data(values))
    rank = (len(data) - 1) * p / 100
    lo = math.floor(rank)
    hi = min(lo + 1, len(data) - 1)
    frac = rank - lo
    return data[lo] + (data[hi] - data[lo]) * frac


def iqr(values: Iterable[float]) -> float:
    data = list(values)
    return percentile(data, 75) - percentile(data, 25)
