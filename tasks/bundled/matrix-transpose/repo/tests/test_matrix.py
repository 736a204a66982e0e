import pytest

from matrixlib import Matrix, ShapeError


def test_shape_validation():
    with pytest.raises(ShapeError):
        Matrix([[1, 2], [3]])
    with pytest.raises(ShapeError):
        Matrix([])


def test_add_and_scale():
    a = Matrix([[1, 2], [3, 4]])
    assert a + a == a.scale(2)
    assert a - a == Matrix.zeros(2, 2)


def test_matmul():
    a = Matrix([[1, 2, 3], [4, 5, 6]])
    b = Matrix([[7, 8], [9, 10], [11, 12]])
    assert a @ b == Matrix([[58, 64], [139, 154]])


def test_matmul_shape_error():
    with pytest.raises(ShapeError):
        Matrix([[1, 2]]) @ Matrix([[1, 2]])


def test_transpose_square():
    assert Matrix([[1, 2], [3, 4]]).T == Matrix([[1, 3], [2, 4]])


def test_transpose_rectangular():
    t = Matrix([[1, 2, 3], [4, 5, 6]]).transpose()
    assert t.shape == (3, 2)
    assert t == Matrix([[1, 4], [2, 5], [3, 6]])


def test_identity_is_neutral():
    a = Matrix([[2, 0, 1], [1, 3, 2], [1, 1, 1]])
    assert a @ Matrix.identity(3) == a
