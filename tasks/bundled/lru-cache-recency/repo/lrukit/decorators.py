"""Memoization on top of :class:`LRUCache`."""

from __future__ import annotations

import functools
from collections.abc import Callable

from .cache import LRUCache

_SENTINEL = object()


def _make_key(args: tuple, kwargs: dict):
    if not kwargs:
        return args
    return (*args, _SENTINEL, *sorted(kwargs.items()))


def lru_memoize(maxsize: int = 128) -> Callable:
    """Cache a function's results keyed by its (hashable) arguments.

    The wrapped function gains ``cache`` (the :class:`LRUCache`) and
    ``cache_clear()`` attributes.
    """

    def decorator(func: Callable) -> Callable:
        cache = LRUCache(maxsize)
        missing = object()

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            key = _make_key(args, kwargs)
            result = cache.get(key, missing)
            if result is missing:
                result = func(*args, **kwargs)
                cache.put(key, result)
            return result

        wrapper.cache = cache
        wrapper.cache_clear = cache.clear
        return wrapper

    return decorator
