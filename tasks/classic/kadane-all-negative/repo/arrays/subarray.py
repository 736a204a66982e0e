"""Maximum sum of a non-empty contiguous subarray (Kadane)."""


def max_subarray_sum(values):
    if not values:
        raise ValueError("empty input")
    best = current = values[0]
    for x in values[1:]:
        current = max(0, current + x)
        best = max(best, current)
    return best
