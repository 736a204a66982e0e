"""Counting sort for small non-negative integers."""


def counting_sort(arr, limit=None):
    """Return a sorted copy of `arr` (ints in 0..limit)."""
    if not arr:
        return []
    limit = max(arr) if limit is None else limit
    counts = [0] * (limit + 1)
    for value in arr:
        counts[value] += 1
    out = []
    for value in range(limit + 1):
        out.extend([value] * arr[value])
    return out
