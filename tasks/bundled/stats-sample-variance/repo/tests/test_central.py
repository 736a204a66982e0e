import pytest

from statkit import mean, median, mode
from statkit.central import StatisticsError


def test_mean():
    assert mean([1, 2, 3, 4]) == 2.5


@pytest.mark.parametrize(("data", "expected"), [([3, 1, 2], 2), ([4, 1, 3, 2], 2.5), ([7], 7)])
def test_median(data, expected):
    assert median(data) == expected


def test_mode_first_wins_ties():
    assert mode(["b", "a", "a", "b"]) == "b"


def test_empty_raises():
    with pytest.raises(StatisticsError):
        mean([])
