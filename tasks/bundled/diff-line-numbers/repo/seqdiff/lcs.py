"""Longest common subsequence by dynamic programming (O(n*m))."""

from __future__ import annotations

from collections.abc import Sequence


def lcs_table(a: Sequence, b: Sequence) -> list[list[int]]:
    """``table[i][j]`` is the LCS length of ``a[i:]`` and ``b[j:]``."""
    n, m = len(a), len(b)
    table = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            if a[i] == b[j]:
                table[i][j] = table[i + 1][j + 1] + 1
            else:
                table[i][j] = max(table[i + 1][j], table[i][j + 1])
    return table


def lcs_length(a: Sequence, b: Sequence) -> int:
    return lcs_table(a, b)[0][0]


def lcs(a: Sequence, b: Sequence) -> list:
    """One longest common subsequence (the leftmost in ``a`` on ties)."""
    table = lcs_table(a, b)
    i = j = 0
    out = []
    while i < len(a) and j < len(b):
        if a[i] == b[j]:
            out.append(a[i])
            i += 1
            j += 1
        elif table[i + 1][j] >= table[i][j + 1]:
            i += 1
        else:
            j += 1
    return out
