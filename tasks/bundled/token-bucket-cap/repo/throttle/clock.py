"""Clocks usable by the limiter (any zero-argument callable returning seconds)."""

from __future__ import annotations


class ManualClock:
    """A clock that only moves when told to; handy for tests and simulations."""

    def __init__(self, start: float = 0.0):
        self.now = float(start)

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("time only moves forward")
        self.now += seconds
