"""The :class:`LRUCache` container."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass
from typing import Any

_MISSING = object()


@dataclass
class CacheStats:
    hits: int = 0
    misses: int = 0
    evictions: int = 0

    @property
    def hit_rate(self) -> float:
        total = self.hits + self.misses
        return self.hits / total if total else 0.0


class LRUCache:
    """A mapping that holds at most ``maxsize`` entries.

    When full, inserting a new key evicts the least recently *used* entry;
    both :meth:`get` hits and :meth:`put` count as a use.  :meth:`peek` reads
    a value without affecting the eviction order.
    """

    def __init__(self, maxsize: int = 128,
                 on_evict: Callable[[Hashable, Any], None] | None = None):
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self.maxsize = maxsize
        self.on_evict = on_evict
        self.stats = CacheStats()
        self._data: OrderedDict[Hashable, Any] = OrderedDict()

    def get(self, key: Hashable, default: Any = None) -> Any:
        """Return the value for ``key`` and mark it as most recently used."""
        value = self._data.get(key, _MISSING)
        if value is _MISSING:
            self.stats.misses += 1
            return default
        self.stats.hits += 1
        return value

    def peek(self, key: Hashable, default: Any = None) -> Any:
        """Return the value for ``key`` without touching recency or stats."""
        return self._data.get(key, default)

    def put(self, key: Hashable, value: Any) -> None:
        """Insert or update ``key``, evicting the LRU entry if needed."""
        if key in self._data:
            self._data.move_to_end(key)
        self._data[key] = value
        while len(self._data) > self.maxsize:
            old_key, old_value = self._data.popitem(last=False)
            self.stats.evictions += 1
            if self.on_evict is not None:
                self.on_evict(old_key, old_value)

    def delete(self, key: Hashable) -> bool:
        """Remove ``key``; return whether it was present."""
        return self._data.pop(key, _MISSING) is not _MISSING

    def clear(self) -> None:
        self._data.clear()

    def __getitem__(self, key: Hashable) -> Any:
        value = self.get(key, _MISSING)
        if value is _MISSING:
            raise KeyError(key)
        return value

    def __setitem__(self, key: Hashable, value: Any) -> None:
        self.put(key, value)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __len__(self) -> int:
        return len(self._data)

    def __iter__(self) -> Iterator[Hashable]:
        """Iterate keys from least to most recently used."""
        return iter(list(self._data))
