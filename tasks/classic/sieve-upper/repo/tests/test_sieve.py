from numbers_ import primes_up_to


def test_small():
    assert primes_up_to(1) == []
    assert primes_up_to(2) == [2]


def test_up_to_ten():
    assert primes_up_to(10) == [2, 3, 5, 7]


def test_limit_is_square():
    assert primes_up_to(25) == [2, 3, 5, 7, 11, 13, 17, 19, 23]
