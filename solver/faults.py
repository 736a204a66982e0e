"""What ended a task that raised: its own failure (`error`) or the machinery's (`infra_error`).

sandbox/faults.py names the sandbox's causes (engine, container_vanished, build_network,
disk_full); the model's endpoint staying down past its retries (EndpointDown) is the fifth,
`model_endpoint`. A budget cap reached is neither: the task ran, within what it was given.
"""

from __future__ import annotations

from sandbox.faults import SURVIVABLE, Cause, cause_of, chain, infra_cause
from solver.generators.llm.errors import EndpointDown


def failure_cause(exc: BaseException) -> Cause | None:
    """The infrastructure cause of a task's failure; None: the task's own error."""
    if any(isinstance(e, EndpointDown) for e in chain(exc)):
        return "model_endpoint"  # checked first: its chain holds the HTTP connection's errors
    return infra_cause(exc)


def survivable(cause: Cause | None) -> bool:
    """A retry of the whole task may get past it once the engine answers again."""
    return cause in SURVIVABLE


def describe(exc: BaseException) -> str:
    """One line: the innermost single failure of a task group, its type and message."""
    while isinstance(exc, BaseExceptionGroup) and len(exc.exceptions) == 1:
        exc = exc.exceptions[0]  # the task group's one failure says what went wrong
    return f"{type(exc).__name__}: {str(exc)[:500]}"


HINTS = {
    "disk_full": "free some space (`solver images prune` removes cached sandbox images) and "
                 "run again",
    "engine": "check that the Docker engine runs (`docker info`), then run again",
    "container_vanished": "a sandbox container was removed from outside; run again",
    "build_network": "the package index could not be reached; check the network or the "
                     "index settings, then run again",
    "model_endpoint": "the model's endpoint kept failing; check it (or its rate limits), then "
                      "run again",
}


def infra_message(exc: BaseException) -> str | None:
    """One line for a failure of the machinery (`disk full: ...; free some space ...`); None
    when `exc` is the task's own error."""
    cause = failure_cause(exc)
    if cause is None:
        return None
    culprit = next((e for e in chain(exc) if (isinstance(e, EndpointDown) and
                    cause == "model_endpoint") or cause_of(e) == cause), exc)
    where = (describe(culprit).splitlines() or [""])[0][:300]
    label = "disk full" if cause == "disk_full" else f"infrastructure failure ({cause})"
    return f"{label}: {where}; {HINTS[cause]}"
