"""A least-recently-used cache and a memoizing decorator built on it."""

from .cache import CacheStats, LRUCache
from .decorators import lru_memoize

__all__ = ["LRUCache", "CacheStats", "lru_memoize"]
