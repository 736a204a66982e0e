"""ISO-4217 currencies the library knows about."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Currency:
    code: str
    exponent: int
    symbol: str = ""

    @property
    def minor_per_major(self) -> int:
        return 10 ** self.exponent


_CURRENCIES = {
    c.code: c
    for c in (
        Currency("USD", 2, "$"),
        Currency("EUR", 2, "\u20ac"),
        Currency("GBP", 2, "\u00a3"),
        Currency("JPY", 0, "\u00a5"),
        Currency("BHD", 3),
    )
}


def get_currency(code: str) -> Currency:
    try:
        return _CURRENCIES[code.upper()]
    except KeyError:
        raise ValueError(f"unknown currency {code!r}") from None
