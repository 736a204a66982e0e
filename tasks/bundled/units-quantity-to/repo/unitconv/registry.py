"""Known units.  Each maps linearly to its dimension's base unit:

``base = value * factor + offset``

The offset is only non-zero for temperature scales.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Unit:
    symbol: str
    dimension: str
    factor: float
    offset: float = 0.0

    def to_base(self, value: float) -> float:
        return value * self.factor + self.offset

    def from_base(self, value: float) -> float:
        return (value - self.offset) / self.factor


_DEFINITIONS = [
    # length, base metre
    Unit("m", "length", 1.0), Unit("km", "length", 1000.0), Unit("cm", "length", 0.01),
    Unit("mm", "length", 0.001), Unit("in", "length", 0.0254), Unit("ft", "length", 0.3048),
    Unit("mi", "length", 1609.344),
    # mass, base kilogram
    Unit("kg", "mass", 1.0), Unit("g", "mass", 0.001), Unit("lb", "mass", 0.45359237),
    # time, base second
    Unit("s", "time", 1.0), Unit("min", "time", 60.0), Unit("h", "time", 3600.0),
    # temperature, base kelvin
    Unit("K", "temperature", 1.0), Unit("degC", "temperature", 1.0, 273.15),
    Unit("degF", "temperature", 5 / 9, 273.15 - 32 * 5 / 9),
]

UNITS: dict[str, Unit] = {u.symbol: u for u in _DEFINITIONS}


def get_unit(symbol: str) -> Unit:
    try:
        return UNITS[symbol]
    except KeyError:
        raise ValueError(f"unknown unit {symbol!r}") from None
