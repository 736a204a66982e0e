"""The retry loop and its decorator form."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any, TypeVar

from .backoff import Backoff
from .errors import RetryError

T = TypeVar("T")


def call_with_retry(func: Callable[[], T], *, attempts: int = 3,
                    retry_on: tuple[type[BaseException], ...] = (Exception,),
                    backoff: Backoff | None = None,
                    sleep: Callable[[float], Any] = time.sleep,
                    on_retry: Callable[[int, BaseException, float], Any] | None = None) -> T:
    """Call ``func`` up to ``attempts`` times.

    Only exceptions that are instances of ``retry_on`` trigger another attempt;
    any other exception propagates immediately and unchanged.  When every
    attempt fails, :class:`RetryError` is raised from the last exception.
    ``on_retry(attempt, exc, delay)`` is called before each sleep.
    """
    if attempts < 1:
        raise ValueError("attempts must be at least 1")
    backoff = backoff or Backoff()
    for attempt in range(1, attempts + 1):
        try:
            return func()
        except Exception as exc:
            if attempt == attempts:
                raise RetryError(attempts, exc) from exc
            delay = backoff.delay(attempt - 1)
            if on_retry is not None:
                on_retry(attempt, exc, delay)
            sleep(delay)
    raise AssertionError("unreachable")


def retry(*, attempts: int = 3, retry_on: tuple[type[BaseException], ...] = (Exception,),
          backoff: Backoff | None = None, sleep: Callable[[float], Any] = time.sleep,
          on_retry: Callable[[int, BaseException, float], Any] | None = None) -> Callable:
    """Decorator form of :func:`call_with_retry`."""

    def decorator(func: Callable[..., T]) -> Callable[..., T]:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> T:
            return call_with_retry(lambda: func(*args, **kwargs), attempts=attempts,
                                   retry_on=retry_on, backoff=backoff, sleep=sleep,
                                   on_retry=on_retry)
        return wrapper

    return decorator
