"""A priority queue with updatable priorities and a small job scheduler on top."""

from .queue import PriorityQueue
from .scheduler import Job, Scheduler

__all__ = ["PriorityQueue", "Scheduler", "Job"]
