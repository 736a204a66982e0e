"""A pytest plugin for `bundled_check.py`: each test gets `DEADLINE_S` seconds (SIGALRM), so a
task whose bug makes a test loop fails that test instead of the whole run."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from types import FrameType

import pytest

DEADLINE_S = 5


def _expire(signum: int, frame: FrameType | None) -> None:
    raise TimeoutError(f"test ran past {DEADLINE_S} s")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    previous = signal.signal(signal.SIGALRM, _expire)
    signal.alarm(DEADLINE_S)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
