"""ISO-8601 style ``start/end`` interval strings."""

from __future__ import annotations

from datetime import date, datetime

from .interval import Interval


def _parse_point(text: str):
    text = text.strip()
    if not text:
        raise ValueError("empty interval endpoint")
    if "T" in text:
        return datetime.fromisoformat(text)
    return date.fromisoformat(text)


def parse_interval(text: str) -> Interval:
    """Parse ``"2024-01-01/2024-01-05"`` into an :class:`Interval` of dates.

    Datetimes (``"2024-01-01T09:00/2024-01-01T17:00"``) are accepted too.
    """
    start, sep, end = text.partition("/")
    if not sep:
        raise ValueError(f"not an interval: {text!r} (expected 'start/end')")
    return Interval(_parse_point(start), _parse_point(end))


def format_interval(interval: Interval) -> str:
    """Inverse of :func:`parse_interval`."""
    return f"{interval.start.isoformat()}/{interval.end.isoformat()}"
