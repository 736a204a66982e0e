"""Order checks over iterables."""

from itertools import pairwise


def is_sorted(items, key=None, strict=False):
    """True if `items` is in non-decreasing order (increasing if `strict`)."""
    key = key or (lambda v: v)
    if strict:
        return all(key(a) < key(b) for a, b in pairwise(items))
    return any(key(b) < key(a) for a, b in pairwise(items))
