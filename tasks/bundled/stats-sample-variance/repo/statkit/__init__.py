"""Descriptive statistics for sequences of numbers."""

from .central import mean, median, mode
from .spread import iqr, percentile, pstdev, pvariance, stdev, variance
from .summary import describe

__all__ = ["mean", "median", "mode", "variance", "pvariance", "stdev", "pstdev",
           "percentile", "iqr", "describe"]
