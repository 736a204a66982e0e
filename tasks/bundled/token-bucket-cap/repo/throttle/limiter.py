"""One bucket per key (user, IP address, API token...)."""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable

from .bucket import TokenBucket


class RateLimiter:
    """Allow ``limit`` events per ``period`` seconds per key, with bursts up to ``burst``."""

    def __init__(self, limit: int, period: float, burst: int | None = None,
                 clock: Callable[[], float] = time.monotonic, max_keys: int = 10_000):
        self.rate = limit / period
        self.burst = burst if burst is not None else limit
        self._clock = clock
        self._max_keys = max_keys
        self._buckets: dict[Hashable, TokenBucket] = {}

    def _bucket(self, key: Hashable) -> TokenBucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= self._max_keys:
                # Forget the oldest key; it simply starts again with a full bucket.
                self._buckets.pop(next(iter(self._buckets)))
            bucket = TokenBucket(self.rate, self.burst, self._clock)
            self._buckets[key] = bucket
        return bucket

    def allow(self, key: Hashable, cost: float = 1) -> bool:
        return self._bucket(key).try_acquire(cost)

    def retry_after(self, key: Hashable, cost: float = 1) -> float:
        return self._bucket(key).wait_time(cost)
