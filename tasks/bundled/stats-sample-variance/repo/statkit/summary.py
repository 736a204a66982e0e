"""One-call summaries."""

from __future__ import annotations

from collections.abc import Iterable

from .central import mean, median
from .spread import percentile, stdev


def describe(values: Iterable[float]) -> dict[str, float]:
    """count, mean, stdev (sample; 0.0 for a single value), min, quartiles, max."""
    data = sorted(values)
    return {
        "count": len(data),
        "mean": mean(data),
        "stdev": stdev(data) if len(data) > 1 else 0.0,
        "min": data[0],
        "25%": percentile(data, 25),
        "50%": median(data),
        "75%": percentile(data, 75),
        "max": data[-1],
    }
