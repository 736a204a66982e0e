"""The seams of the engine. The engine depends on these protocols only."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from sandbox.verdict import Verdict
from solver.types import Candidate
from tasks.model import Task


@runtime_checkable
class Verifier(Protocol):
    """Runs candidates against a task's tests in isolation (the sandbox)."""

    async def verify(
        self, candidates: Sequence[Candidate], test_ids: Sequence[str]
    ) -> list[Verdict]:
        """One verdict per candidate, in order; verifications may run concurrently."""
        ...


@runtime_checkable
class Generator(Protocol):
    """Proposes candidate patches. Search-based and LLM generators both satisfy it."""

    name: str

    async def propose(
        self, task: Task, round: int, width: int, feedback: Sequence[tuple[Candidate, Verdict]]
    ) -> list[Candidate]:
        """At most `width` new candidates for `round`, informed by earlier verdicts."""
        ...


@runtime_checkable
class Judge(Protocol):
    """Votes in a tournament group: returns the index of the preferred candidate."""

    name: str

    async def vote(self, task: Task, group: Sequence[tuple[Candidate, Verdict]]) -> int: ...
