"""An integer-like value that prints as a Roman numeral."""

from __future__ import annotations

import functools

from .convert import from_roman, to_roman


@functools.total_ordering
class RomanNumeral:
    __slots__ = ("value",)

    def __init__(self, value: int | str):
        if isinstance(value, str):
            value = from_roman(value)
        else:
            to_roman(value)  # validates type and range
        self.value = value

    def __int__(self) -> int:
        return self.value

    def __str__(self) -> str:
        return to_roman(self.value)

    def __repr__(self) -> str:
        return f"RomanNumeral({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, RomanNumeral):
            return self.value == other.value
        if isinstance(other, int):
            return self.value == other
        return NotImplemented

    def __lt__(self, other: RomanNumeral | int) -> bool:
        return self.value < int(other)

    def __hash__(self) -> int:
        return hash(self.value)

    def __add__(self, other: RomanNumeral | int) -> RomanNumeral:
        return RomanNumeral(self.value + int(other))

    def __sub__(self, other: RomanNumeral | int) -> RomanNumeral:
        return RomanNumeral(self.value - int(other))
