import pytest

from numbers_ import to_base


def test_zero():
    assert to_base(0, 2) == "0"


def test_bad_base():
    with pytest.raises(ValueError):
        to_base(5, 1)


def test_binary():
    assert to_base(10, 2) == "1010"
