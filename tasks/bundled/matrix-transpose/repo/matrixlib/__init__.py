"""Dense matrices of Python numbers (ints, floats, Fractions)."""

from .linalg import determinant, inverse, trace
from .matrix import Matrix, ShapeError

__all__ = ["Matrix", "ShapeError", "determinant", "inverse", "trace"]
