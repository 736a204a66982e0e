"""Delay schedules."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff: ``base * factor ** n`` seconds, capped at ``cap``.

    With ``jitter`` in (0, 1], each delay is multiplied by a random factor in
    ``[1 - jitter, 1]`` drawn from ``rng`` (pass a seeded ``random.Random``
    for reproducible schedules).
    """

    base: float = 0.1
    factor: float = 2.0
    cap: float = 30.0
    jitter: float = 0.0

    def __post_init__(self) -> None:
        if self.base < 0 or self.factor < 1 or self.cap < 0:
            raise ValueError("base and cap must be >= 0 and factor >= 1")
        if not 0 <= self.jitter <= 1:
            raise ValueError("jitter must be between 0 and 1")

    def delay(self, retry_number: int, rng: random.Random | None = None) -> float:
        """Delay before retry number ``retry_number`` (0-based)."""
        raw = min(self.cap, self.base * self.factor ** retry_number)
        if self.jitter:
            rng = rng or random
            raw *= 1 - self.jitter * rng.random()
        return raw

    def delays(self, retries: int, rng: random.Random | None = None) -> Iterator[float]:
        for n in range(retries):
            yield self.delay(n, rng)
