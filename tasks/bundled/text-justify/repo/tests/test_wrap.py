import pytest

from wraptext import wrap


def test_basic_wrap():
    assert wrap("the quick brown fox", 10) == ["the quick", "brown fox"]


def test_exact_fit():
    assert wrap("aaaa bbbb", 9) == ["aaaa bbbb"]


def test_collapses_whitespace():
    assert wrap("a   b\n\tc", 80) == ["a b c"]


def test_indents_count_towards_width():
    assert wrap("one two three four", 10, indent="* ", subsequent_indent="  ") == [
        "* one two", "  three", "  four"]


def test_breaks_long_words():
    assert wrap("abcdefghij xy", 4) == ["abcd", "efgh", "ij", "xy"]


def test_keeps_long_words_when_asked():
    assert wrap("abcdefghij xy", 4, break_long_words=False) == ["abcdefghij", "xy"]


def test_width_must_exceed_indent():
    with pytest.raises(ValueError):
        wrap("x", 2, indent="  ")
