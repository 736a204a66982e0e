import multiprocessing

from calc import add, mul


def test_add():
    assert add(2, 3) == 5


def test_mul():
    assert mul(2, 3) == 6


def test_lock():
    with multiprocessing.Lock():
        pass
