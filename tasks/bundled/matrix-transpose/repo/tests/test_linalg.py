from fractions import Fraction

import pytest

from matrixlib import Matrix, ShapeError, determinant, inverse, trace


def test_trace():
    assert trace(Matrix([[1, 2], [3, 4]])) == 5


def test_determinant():
    assert determinant(Matrix([[2, 0, 1], [1, 3, 2], [1, 1, 2]])) == 6
    assert determinant(Matrix([[1, 2], [2, 4]])) == 0


def test_inverse():
    a = Matrix([[4, 7], [2, 6]])
    assert inverse(a) == Matrix([[Fraction(3, 5), Fraction(-7, 10)], [Fraction(-1, 5), Fraction(2, 5)]])
    assert a @ inverse(a) == Matrix.identity(2)


def test_non_square_rejected():
    with pytest.raises(ShapeError):
        determinant(Matrix([[1, 2, 3]]))
