from throttle import ManualClock, RateLimiter


def test_keys_are_independent():
    limiter = RateLimiter(limit=2, period=1, clock=ManualClock())
    assert limiter.allow("a") and limiter.allow("a")
    assert not limiter.allow("a")
    assert limiter.allow("b")


def test_max_keys_forgets_oldest():
    limiter = RateLimiter(limit=1, period=60, clock=ManualClock(), max_keys=2)
    assert limiter.allow("a")
    assert limiter.allow("b")
    assert limiter.allow("c")
    assert limiter.allow("a")
