"""Compact page-number bars: ``1 … 4 5 [6] 7 8 … 20``."""

from __future__ import annotations

ELLIPSIS = "…"


def page_window(current: int, num_pages: int, radius: int = 2, edges: int = 1) -> list:
    """Page numbers to show around ``current``, with ``ELLIPSIS`` for gaps.

    ``edges`` pages are always shown at both ends, ``radius`` pages on each
    side of ``current``.  A gap of a single page is shown as that page rather
    than as an ellipsis.
    """
    if num_pages < 1:
        return []
    if not 1 <= current <= num_pages:
        raise ValueError(f"current page {current} not in 1..{num_pages}")
    shown = set(range(1, min(edges, num_pages) + 1))
    shown |= set(range(max(1, num_pages - edges + 1), num_pages + 1))
    shown |= set(range(max(1, current - radius), min(num_pages, current + radius) + 1))
    result: list = []
    previous = 0
    for number in sorted(shown):
        if number - previous == 2:
            result.append(number - 1)
        elif number - previous > 2:
            result.append(ELLIPSIS)
        result.append(number)
        previous = number
    return result
