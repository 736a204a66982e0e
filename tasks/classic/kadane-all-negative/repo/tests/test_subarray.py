import pytest

from arrays import max_subarray_sum


def test_mixed():
    assert max_subarray_sum([-2, 1, -3, 4, -1, 2, 1, -5, 4]) == 6


def test_empty_rejected():
    with pytest.raises(ValueError):
        max_subarray_sum([])


def test_all_negative():
    assert max_subarray_sum([-3, -1, -2]) == -1
