"""Conversion between integers and Roman numerals, plus a numeral value type."""

from .convert import from_roman, to_roman
from .errors import InvalidRomanNumeral
from .numeral import RomanNumeral

__all__ = ["to_roman", "from_roman", "InvalidRomanNumeral", "RomanNumeral"]
