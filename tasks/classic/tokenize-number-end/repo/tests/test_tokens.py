import pytest

from parsing import tokenize


def test_expression():
    assert tokenize("x + 12 ") == [("name", "x"), ("op", "+"), ("num", 12)]


def test_bad_character():
    with pytest.raises(SyntaxError):
        tokenize("a $ b")


def test_number_at_end():
    assert tokenize("a*42") == [("name", "a"), ("op", "*"), ("num", 42)]
