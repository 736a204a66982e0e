from numbers_ import is_prime, primes_below


def test_small_primes():
    assert is_prime(2) and is_prime(3) and is_prime(13)


def test_non_primes():
    assert not is_prime(1) and not is_prime(12)


def test_squares_are_composite():
    assert not is_prime(25)
