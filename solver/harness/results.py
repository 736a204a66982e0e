"""One finished task, as results.jsonl keeps it."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class TaskResult(BaseModel):
    """One finished task, as results.jsonl keeps it."""

    instance_id: str
    plausible: bool
    correct: bool | None = None
    oracle: bool = False
    oracle_correct: bool | None = None
    protocol: str = ""
    """What the solver saw (`issue`, `tests`; solver/protocol.py); empty: graded predictions,
    or a run from before protocols were named."""
    patch: str = ""
    winner: str | None = None
    gaming: bool = False
    """The handed-over patch was flagged as gaming the tests (sandbox integrity checks)."""
    candidates: int = 0
    rounds: int = 0
    ledger: dict[str, Any] = {}
    total_s: float = 0.0
    error: str = ""
    """Why the task could not be attempted (environment, sandbox): kept apart from 'not solved'."""

    @property
    def resolved(self) -> bool:
        """Correct where held-back tests decide it, else plausible (the gold tests passed)."""
        return self.correct if self.correct is not None else self.plausible
