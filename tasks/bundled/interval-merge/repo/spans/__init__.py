"""Half-open intervals over ordered values (numbers, dates, datetimes)."""

from .interval import Interval
from .ops import gaps, merge, total_length
from .parse import format_interval, parse_interval

__all__ = ["Interval", "merge", "gaps", "total_length", "parse_interval", "format_interval"]
