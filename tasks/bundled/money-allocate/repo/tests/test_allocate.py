import pytest

from moneyx import Money, allocate, split_evenly


def test_split_exact():
    assert split_evenly(Money("9.00", "USD"), 3) == [Money("3.00", "USD")] * 3


def test_split_uneven():
    parts = split_evenly(Money("10.00", "USD"), 3)
    assert parts == [Money("3.34", "USD"), Money("3.33", "USD"), Money("3.33", "USD")]


def test_allocate_ratios_exact():
    assert allocate(Money("100", "JPY"), [1, 3]) == [Money("25", "JPY"), Money("75", "JPY")]


def test_allocate_rejects_bad_ratios():
    with pytest.raises(ValueError):
        allocate(Money("1", "USD"), [0, 0])
    with pytest.raises(ValueError):
        split_evenly(Money("1", "USD"), 0)
