"""Exact linear algebra helpers (Gaussian elimination over Fractions)."""

from __future__ import annotations

from fractions import Fraction

from .matrix import Matrix, ShapeError


def _require_square(m: Matrix) -> None:
    if m.nrows != m.ncols:
        raise ShapeError(f"expected a square matrix, got {m.shape}")


def trace(m: Matrix):
    _require_square(m)
    return sum(m[i, i] for i in range(m.nrows))


def determinant(m: Matrix):
    """Determinant by elimination; exact for int and Fraction entries."""
    _require_square(m)
    a = [[Fraction(x) for x in row] for row in m.rows()]
    n = len(a)
    det = Fraction(1)
    for col in range(n):
        pivot = next((r for r in range(col, n) if a[r][col] != 0), None)
        if pivot is None:
            return 0
        if pivot != col:
            a[col], a[pivot] = a[pivot], a[col]
            det = -det
        det *= a[col][col]
        for r in range(col + 1, n):
            factor = a[r][col] / a[col][col]
            for c in range(col, n):
                a[r][c] -= factor * a[col][c]
    return det.numerator if det.denominator == 1 else det


def inverse(m: Matrix) -> Matrix:
    """Gauss-Jordan inverse with Fraction entries; raises ValueError if singular."""
    _require_square(m)
    n = m.nrows
    a = [[Fraction(x) for x in row] + [Fraction(int(r == c)) for c in range(n)]
         for r, row in enumerate(m.rows())]
    for col in range(n):
        pivot = next((r for r in range(col, n) if a[r][col] != 0), None)
        if pivot is None:
            raise ValueError("matrix is singular")
        a[col], a[pivot] = a[pivot], a[col]
        p = a[col][col]
        a[col] = [x / p for x in a[col]]
        for r in range(n):
            if r != col and a[r][col] != 0:
                f = a[r][col]
                a[r] = [x - f * y for x, y in zip(a[r], a[col])]
    return Matrix([row[n:] for row in a])
