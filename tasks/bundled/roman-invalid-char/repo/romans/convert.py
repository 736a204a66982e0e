"""Integer <-> Roman numeral conversion (standard subtractive notation, 1..3999)."""

from __future__ import annotations

from .errors import InvalidRomanNumeral

_PAIRS = (
    (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"),
    (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
    (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
)
_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
MIN_VALUE, MAX_VALUE = 1, 3999


def to_roman(number: int) -> str:
    """``to_roman(1994) == "MCMXCIV"``."""
    if isinstance(number, bool) or not isinstance(number, int):
        raise TypeError(f"expected an int, got {type(number).__name__}")
    if not MIN_VALUE <= number <= MAX_VALUE:
        raise ValueError(f"{number} is out of range {MIN_VALUE}..{MAX_VALUE}")
    out = []
    for value, symbol in _PAIRS:
        count, number = divmod(number, value)
        out.append(symbol * count)
    return "".join(out)


def from_roman(text: str) -> int:
    """Parse a canonical Roman numeral (case-insensitive, surrounding spaces ignored).

    Raises :class:`InvalidRomanNumeral` for empty input, unknown characters
    and non-canonical forms such as ``"IIII"`` or ``"IC"``.
    """
    text = text.strip().upper()
    if not text:
        raise InvalidRomanNumeral("empty numeral")
    try:
        values = [_VALUES[ch] for ch in text]
    except IndexError as exc:
        raise InvalidRomanNumeral(f"invalid character {exc.args[0]!r} in {text!r}") from None
    total = 0
    for current, following in zip(values, values[1:] + [0]):
        total += -current if current < following else current
    if not MIN_VALUE <= total <= MAX_VALUE or to_roman(total) != text:
        raise InvalidRomanNumeral(f"{text!r} is not a canonical Roman numeral")
    return total
