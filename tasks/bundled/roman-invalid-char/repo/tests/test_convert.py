import pytest

from romans import InvalidRomanNumeral, from_roman, to_roman


@pytest.mark.parametrize(
    ("number", "numeral"),
    [(1, "I"), (4, "IV"), (9, "IX"), (40, "XL"), (1994, "MCMXCIV"), (3999, "MMMCMXCIX")],
)
def test_roundtrip(number, numeral):
    assert to_roman(number) == numeral
    assert from_roman(numeral) == number


def test_lowercase_and_spaces():
    assert from_roman("  mmxxiv ") == 2024


@pytest.mark.parametrize("bad", [0, 4000, -3])
def test_to_roman_range(bad):
    with pytest.raises(ValueError):
        to_roman(bad)


@pytest.mark.parametrize("bad", ["", "IIII", "IC", "VX", "MMMM"])
def test_non_canonical(bad):
    with pytest.raises(InvalidRomanNumeral):
        from_roman(bad)


def test_invalid_characters_raise():
    with pytest.raises(InvalidRomanNumeral):
        from_roman("XIIZ")
