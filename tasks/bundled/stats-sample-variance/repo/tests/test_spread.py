import statistics

import pytest

from statkit import describe, iqr, percentile, pstdev, pvariance, stdev, variance
from statkit.central import StatisticsError

DATA = [2, 4, 4, 4, 5, 5, 7, 9]


def test_population():
    assert pvariance(DATA) == 4.0
    assert pstdev(DATA) == 2.0


def test_sample_variance():
    assert variance(DATA) == pytest.approx(statistics.variance(DATA))


def test_variance_needs_two_points():
    with pytest.raises(StatisticsError):
        variance([1])


@pytest.mark.parametrize(("p", "expected"), [(0, 1), (50, 3), (25, 2), (90, 4.6), (100, 5)])
def test_percentile(p, expected):
    assert percentile([5, 1, 4, 2, 3], p) == pytest.approx(expected)


def test_iqr():
    assert iqr([1, 2, 3, 4, 5]) == 2


def test_describe_single_value():
    assert describe([3])["stdev"] == 0.0
