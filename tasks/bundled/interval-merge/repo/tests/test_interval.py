import pytest

from spans import Interval


def test_rejects_reversed():
    with pytest.raises(ValueError):
        Interval(5, 1)


@pytest.mark.parametrize(("point", "expected"), [(1, True), (2, True), (3, False), (0, False)])
def test_contains_half_open(point, expected):
    assert Interval(1, 3).contains(point) is expected


def test_overlaps_excludes_touching():
    assert Interval(1, 3).overlaps(Interval(2, 4))
    assert not Interval(1, 3).overlaps(Interval(3, 4))


def test_intersection():
    assert Interval(1, 5).intersection(Interval(3, 8)) == Interval(3, 5)
    assert Interval(1, 2).intersection(Interval(4, 8)) is None
