import random

import pytest

from retrykit import Backoff


def test_exponential_and_cap():
    b = Backoff(base=1, factor=2, cap=5)
    assert list(b.delays(5)) == [1, 2, 4, 5, 5]


def test_jitter_bounds():
    b = Backoff(base=1, factor=1, jitter=0.5)
    rng = random.Random(7)
    for d in b.delays(20, rng):
        assert 0.5 <= d <= 1.0


def test_invalid():
    with pytest.raises(ValueError):
        Backoff(factor=0.5)
    with pytest.raises(ValueError):
        Backoff(jitter=2)
