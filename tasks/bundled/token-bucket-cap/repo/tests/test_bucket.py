import pytest

from throttle import ManualClock, TokenBucket


def make(rate=1.0, capacity=5):
    clock = ManualClock()
    return clock, TokenBucket(rate, capacity, clock=clock)


def test_starts_full():
    _, bucket = make()
    assert bucket.available() == 5


def test_drain():
    _, bucket = make()
    assert all(bucket.try_acquire() for _ in range(5))
    assert not bucket.try_acquire()


def test_refill_caps_at_capacity():
    clock, bucket = make()
    bucket.try_acquire(2)
    clock.advance(60)
    assert bucket.available() == 5


def test_wait_time_when_full():
    _, bucket = make()
    assert bucket.wait_time(3) == 0.0


def test_rejects_oversized_request():
    _, bucket = make()
    with pytest.raises(ValueError):
        bucket.try_acquire(6)


def test_invalid_parameters():
    with pytest.raises(ValueError):
        TokenBucket(0, 1)


def test_clock_never_goes_back():
    clock = ManualClock()
    with pytest.raises(ValueError):
        clock.advance(-1)
