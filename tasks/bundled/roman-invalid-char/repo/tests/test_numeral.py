import pytest

from romans import RomanNumeral


def test_arithmetic_and_str():
    assert str(RomanNumeral("XIV") + 6) == "XX"
    assert RomanNumeral(10) - RomanNumeral("IX") == 1


def test_ordering():
    assert sorted([RomanNumeral("X"), RomanNumeral(2)]) == [2, 10]


def test_out_of_range_result():
    with pytest.raises(ValueError):
        RomanNumeral("I") - 1
