"""Value conversion."""

from __future__ import annotations

from .registry import get_unit


class IncompatibleUnits(ValueError):
    pass


def convert(value: float, from_unit: str, to_unit: str) -> float:
    """Convert ``value`` expressed in ``from_unit`` into ``to_unit``.

    >>> convert(1, "ft", "in")
    12.0
    """
    src = get_unit(from_unit)
    dst = get_unit(to_unit)
    if src.dimension != dst.dimension:
        raise IncompatibleUnits(f"cannot convert {src.dimension} ({from_unit}) to "
                                f"{dst.dimension} ({to_unit})")
    if src == dst:
        return float(value)
    return round(dst.from_base(src.to_base(value)), 12)
