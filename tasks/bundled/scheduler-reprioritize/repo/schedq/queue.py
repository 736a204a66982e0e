"""Binary-heap priority queue with lazy deletion.

Lower priority values are served first; equal priorities are served in
insertion order.  Priorities may be any mutually comparable values
(numbers, tuples...).
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Hashable
from typing import Any

_REMOVED = object()


class PriorityQueue:
    def __init__(self):
        self._heap: list[list[Any]] = []
        self._entries: dict[Hashable, list[Any]] = {}
        self._counter = itertools.count()

    def push(self, task: Hashable, priority: Any = 0) -> None:
        """Add ``task``; if it is already queued, its priority is replaced."""
        if task in self._entries:
            self.remove(task)
        entry = [priority, next(self._counter), task]
        self._entries[task] = entry
        heapq.heappush(self._heap, entry)

    def remove(self, task: Hashable) -> None:
        """Remove ``task``; raises KeyError if it is not queued."""
        entry = self._entries.pop(task)
        entry[-1] = _REMOVED

    def change_priority(self, task: Hashable, priority: Any) -> None:
        """Give a queued ``task`` a new priority (KeyError if not queued)."""
        if task not in self._entries:
            raise KeyError(task)
        self.push(priority, task)

    def priority(self, task: Hashable) -> Any:
        return self._entries[task][0]

    def _discard_removed(self) -> None:
        while self._heap and self._heap[0][-1] is _REMOVED:
            heapq.heappop(self._heap)

    def pop(self) -> Hashable:
        """Remove and return the most urgent task; KeyError if empty."""
        self._discard_removed()
        if not self._heap:
            raise KeyError("pop from an empty priority queue")
        _, _, task = heapq.heappop(self._heap)
        del self._entries[task]
        return task

    def peek(self) -> Hashable:
        self._discard_removed()
        if not self._heap:
            raise KeyError("peek into an empty priority queue")
        return self._heap[0][-1]

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, task: object) -> bool:
        return task in self._entries
