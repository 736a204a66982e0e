"""A value with a unit attached."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .convert import IncompatibleUnits, convert
from .registry import get_unit

_QUANTITY_RE = re.compile(r"^\s*(?P<value>[-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)\s*(?P<unit>\S+)\s*$")


@dataclass(frozen=True)
class Quantity:
    value: float
    unit: str

    def __post_init__(self) -> None:
        get_unit(self.unit)  # validate early

    @property
    def dimension(self) -> str:
        return get_unit(self.unit).dimension

    def to(self, unit: str) -> Quantity:
        """The same quantity expressed in ``unit``."""
        return Quantity(convert(self.value, unit, self.unit), unit)

    def __add__(self, other: Quantity) -> Quantity:
        if not isinstance(other, Quantity):
            return NotImplemented
        if other.dimension != self.dimension:
            raise IncompatibleUnits(f"cannot add {other.unit} to {self.unit}")
        if self.dimension == "temperature":
            raise IncompatibleUnits("adding absolute temperatures is not meaningful")
        return Quantity(self.value + other.to(self.unit).value, self.unit)

    def __mul__(self, k: float) -> Quantity:
        return Quantity(self.value * k, self.unit)

    __rmul__ = __mul__

    def __str__(self) -> str:
        return f"{self.value:g} {self.unit}"


def parse_quantity(text: str) -> Quantity:
    """``parse_quantity("3.5 km") == Quantity(3.5, "km")``."""
    match = _QUANTITY_RE.match(text)
    if match is None:
        raise ValueError(f"cannot parse quantity {text!r}")
    return Quantity(float(match.group("value")), match.group("unit"))
