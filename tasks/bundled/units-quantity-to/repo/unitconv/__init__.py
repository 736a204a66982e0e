"""Convert physical quantities between units of the same dimension."""

from .convert import IncompatibleUnits, convert
from .quantity import Quantity, parse_quantity
from .registry import UNITS, Unit

__all__ = ["convert", "IncompatibleUnits", "Quantity", "parse_quantity", "Unit", "UNITS"]
