"""Binary search over a sorted sequence."""


def lower_bound(seq, target):
    """Index of the first element not less than `target` (len(seq) if none)."""
    lo, hi = 0, len(seq)
    while lo < hi:
        mid = (lo + hi) // 2
        if seq[mid] < target:
            lo = mid
        else:
            hi = mid
    return lo


def contains(seq, target):
    i = lower_bound(seq, target)
    return i < len(seq) and seq[i] == target
