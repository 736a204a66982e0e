"""The classic token bucket."""

from __future__ import annotations

import time
from collections.abc import Callable


class TokenBucket:
    """Holds up to ``capacity`` tokens, refilled continuously at ``rate`` per second.

    The bucket starts full.  :meth:`try_acquire` takes tokens if enough are
    available; :meth:`wait_time` says how long until they would be.
    """

    def __init__(self, rate: float, capacity: float,
                 clock: Callable[[], float] = time.monotonic):
        if rate <= 0 or capacity <= 0:
            raise ValueError("rate and capacity must be positive")
        self.rate = float(rate)
        self.capacity = float(capacity)
        self._clock = clock
        self._tokens = self.capacity
        self._updated = clock()

    def _refill(self) -> None:
        now = self._clock()
        elapsed = max(0.0, now - self._updated)
        self._tokens = max(self.capacity, self._tokens + elapsed * self.rate)
        self._updated = now

    def available(self) -> float:
        """Tokens currently in the bucket."""
        self._refill()
        return self._tokens

    def try_acquire(self, tokens: float = 1) -> bool:
        """Take ``tokens`` if available; return whether they were taken."""
        if tokens > self.capacity:
            raise ValueError("cannot acquire more tokens than the capacity")
        self._refill()
        if self._tokens >= tokens:
            self._tokens -= tokens
            return True
        return False

    def wait_time(self, tokens: float = 1) -> float:
        """Seconds until ``tokens`` can be acquired (0 if they can be now)."""
        self._refill()
        missing = tokens - self._tokens
        return max(0.0, missing / self.rate)
