"""The held-back tests: run with a patch, they say whether a plausible patch is also correct.

One way to run them, shared by the engine (every plausible candidate), gold validation
(`solver tasks validate`) and the search bench (through the engine's result): the held-back
test ids, with the task's test patch and the held-back tests' patch applied after the candidate.
"""

from __future__ import annotations

from collections.abc import Sequence

from sandbox.concurrency import gather_limited
from sandbox.verdict import Verdict
from solver.protocols import Verifier
from solver.types import Candidate
from tasks.model import Task


def held_back_patch(task: Task) -> str:
    """What the held-back tests need on top of a candidate: the test patch, then theirs."""
    return "\n".join(p for p in (task.test_patch, task.hidden_tests_patch) if p)


async def verify_held_back(verifier: Verifier, task: Task, candidate: Candidate) -> Verdict | None:
    """`candidate` against the held-back tests (None: the task has none)."""
    if not task.hidden_tests:
        return None
    return await verifier.verify_with(candidate, task.hidden_tests,
                                      extra_patch=held_back_patch(task))


async def check_held_back(
    verifier: Verifier, task: Task, candidates: Sequence[Candidate]
) -> dict[str, bool | None]:
    """Per candidate: do the held-back tests pass with it (None: the task has none)."""

    async def one(candidate: Candidate) -> bool | None:
        verdict = await verify_held_back(verifier, task, candidate)
        return None if verdict is None else verdict.passed(task.hidden_tests)

    passed = await gather_limited(one, candidates, max(len(candidates), 1))
    return {c.id: p for c, p in zip(candidates, passed, strict=True)}
