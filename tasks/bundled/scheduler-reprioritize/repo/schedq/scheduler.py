"""Run jobs when they are due, most important first."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .queue import PriorityQueue


@dataclass(eq=False)
class Job:
    name: str
    action: Callable[[], Any]
    due: float
    importance: int = 0
    result: Any = field(default=None, init=False)


class Scheduler:
    """Jobs are ordered by due time, then by importance (higher first).

    Time is supplied by the caller (``run_due(now)``), which keeps the
    scheduler deterministic and easy to test.
    """

    def __init__(self):
        self._queue = PriorityQueue()
        self._jobs: dict[str, Job] = {}

    @staticmethod
    def _key(job: Job) -> tuple:
        return (job.due, -job.importance)

    def add(self, job: Job) -> None:
        if job.name in self._jobs:
            raise ValueError(f"duplicate job name {job.name!r}")
        self._jobs[job.name] = job
        self._queue.push(job.name, self._key(job))

    def cancel(self, name: str) -> Job:
        job = self._jobs.pop(name)
        self._queue.remove(name)
        return job

    def reprioritize(self, name: str, importance: int) -> None:
        job = self._jobs[name]
        job.importance = importance
        self._queue.change_priority(name, self._key(job))

    def run_due(self, now: float) -> list[Job]:
        """Run every job due at or before ``now``; return them in run order."""
        ran = []
        while len(self._queue):
            name = self._queue.peek()
            job = self._jobs[name]
            if job.due > now:
                break
            self._queue.pop()
            del self._jobs[name]
            job.result = job.action()
            ran.append(job)
        return ran

    def __len__(self) -> int:
        return len(self._jobs)
