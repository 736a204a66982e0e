"""Splitting money without losing minor units."""

from __future__ import annotations

from collections.abc import Sequence

from .money import Money


def allocate(money: Money, ratios: Sequence[int]) -> list[Money]:
    """Split ``money`` in proportion to ``ratios``.

    Each share is first rounded down to whole minor units; the leftover minor
    units are then handed out one at a time, starting with the first share.
    The shares always add up to exactly ``money``.
    """
    if not ratios or any(r < 0 for r in ratios) or sum(ratios) == 0:
        raise ValueError("ratios must be non-negative and not all zero")
    total = money.minor_units
    sign = -1 if total < 0 else 1
    total = abs(total)
    ratio_sum = sum(ratios)
    shares = [total * r // ratio_sum for r in ratios]
    remainder = total - sum(shares)
    for i in range(remainder):
        shares[i % len(shares)] -= 1
    return [Money.from_minor(sign * s, money.currency) for s in shares]


def split_evenly(money: Money, parts: int) -> list[Money]:
    """Split ``money`` into ``parts`` shares differing by at most one minor unit."""
    if parts < 1:
        raise ValueError("parts must be at least 1")
    return allocate(money, [1] * parts)
