"""Length of the longest strictly increasing subsequence (patience sorting)."""

from bisect import bisect_left, bisect_right


def longest_increasing(values):
    tails = []
    for v in values:
        i = bisect_right(tails, v)
        if i == len(tails):
            tails.append(v)
        else:
            tails[i] = v
    return len(tails)
