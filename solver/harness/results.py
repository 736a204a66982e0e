"""One finished task, as results.jsonl keeps it."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, model_validator

Status = Literal["resolved", "unresolved", "error", "infra_error"]
"""resolved / unresolved: the task ran and this is its outcome; error: the task itself is broken
(its tests cannot run, its environment cannot be built from its recipe); infra_error: the
machinery failed (`cause`), the outcome is unknown: retried, never scored."""


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
    status: Status | None = None
    """Filled from the fields above where a line from before the taxonomy lacks it."""
    cause: str = ""
    """With infra_error: engine, container_vanished, build_network, model_endpoint, disk_full
    (sandbox/faults.py)."""

    @model_validator(mode="after")
    def _fill_status(self) -> TaskResult:
        if self.status is None:
            self.status = ("infra_error" if self.cause else "error" if self.error
                           else "resolved" if self.resolved else "unresolved")
        return self

    @property
    def ran(self) -> bool:
        """The task ran to an outcome of its own (resolved or unresolved)."""
        return self.status in ("resolved", "unresolved")

    @property
    def resolved(self) -> bool:
        """Correct where held-back tests decide it, else plausible (the gold tests passed)."""
        return self.correct if self.correct is not None else self.plausible
