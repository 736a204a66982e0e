import pytest

from parsing import evaluate


def test_number():
    assert evaluate("4") == 4


def test_addition():
    assert evaluate("2 3 +") == 5


def test_subtraction():
    assert evaluate("10 4 -") == 6


def test_malformed():
    with pytest.raises(ValueError):
        evaluate("1 2")
