"""The :class:`Matrix` type and elementwise / matrix products."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from numbers import Number


class ShapeError(ValueError):
    """Operand shapes are incompatible."""


class Matrix:
    """An immutable ``nrows x ncols`` matrix stored as a tuple of row tuples."""

    __slots__ = ("_rows", "nrows", "ncols")

    def __init__(self, rows: Iterable[Sequence[Number]]):
        data = tuple(tuple(row) for row in rows)
        if not data or not data[0]:
            raise ShapeError("a matrix needs at least one row and one column")
        width = len(data[0])
        if any(len(row) != width for row in data):
            raise ShapeError("all rows must have the same length")
        self._rows = data
        self.nrows = len(data)
        self.ncols = width

    @classmethod
    def identity(cls, n: int) -> Matrix:
        return cls([[1 if r == c else 0 for c in range(n)] for r in range(n)])

    @classmethod
    def zeros(cls, nrows: int, ncols: int) -> Matrix:
        return cls([[0] * ncols for _ in range(nrows)])

    @property
    def shape(self) -> tuple[int, int]:
        return (self.nrows, self.ncols)

    def __getitem__(self, pos: tuple[int, int]) -> Number:
        r, c = pos
        return self._rows[r][c]

    def row(self, r: int) -> tuple:
        return self._rows[r]

    def column(self, c: int) -> tuple:
        return tuple(row[c] for row in self._rows)

    def rows(self) -> list[list[Number]]:
        return [list(row) for row in self._rows]

    def transpose(self) -> Matrix:
        """Rows become columns: the result has shape ``(ncols, nrows)``."""
        return Matrix([[self._rows[r][c] for r in range(self.nrows)] for c in range(self.nrows)])

    @property
    def T(self) -> Matrix:
        return self.transpose()

    def _check_same_shape(self, other: Matrix) -> None:
        if self.shape != other.shape:
            raise ShapeError(f"shapes {self.shape} and {other.shape} differ")

    def __add__(self, other: Matrix) -> Matrix:
        self._check_same_shape(other)
        return Matrix([[a + b for a, b in zip(r1, r2)] for r1, r2 in zip(self._rows, other._rows)])

    def __sub__(self, other: Matrix) -> Matrix:
        self._check_same_shape(other)
        return Matrix([[a - b for a, b in zip(r1, r2)] for r1, r2 in zip(self._rows, other._rows)])

    def scale(self, k: Number) -> Matrix:
        return Matrix([[k * x for x in row] for row in self._rows])

    def __matmul__(self, other: Matrix) -> Matrix:
        if self.ncols != other.nrows:
            raise ShapeError(f"cannot multiply {self.shape} by {other.shape}")
        cols = [other.column(c) for c in range(other.ncols)]
        return Matrix([[sum(a * b for a, b in zip(row, col)) for col in cols] for row in self._rows])

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Matrix):
            return NotImplemented
        return self._rows == other._rows

    def __hash__(self) -> int:
        return hash(self._rows)

    def __repr__(self) -> str:
        return f"Matrix({self.rows()!r})"
