"""The seams of the engine. The engine depends on these protocols only.

    Generator.propose(task, round, width, Feedback) ─► candidates
    Verifier.verify(candidates, tests) ─► verdicts          (sandbox.pool.SandboxPool; a fake in
    Verifier.verify_with(candidate, tests, extra_patch)       tests/fakeverifier.py)
    BehaviourProbe.behaviour(task, plausible) ─► Behaviour  (solver.selection.prober.SandboxProbe
                                                              over a CommandRunner: the pool)
    Judge.ballots(task, group, votes, evidence) ─► ballots  (execution judge, LLM judge)

sandbox/ never imports solver/: the pool satisfies `Verifier` and `CommandRunner` structurally
(it takes any object with `id` and `diff`, as `Candidate` has).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from sandbox.session import CommandResult, RunSpec
from sandbox.verdict import Verdict
from solver.feedback import Feedback
from solver.selection.behaviour import Behaviour
from solver.selection.evidence import Ballot, Entry, Evidence
from solver.types import Candidate
from tasks.model import Task


class Verifier(Protocol):
    """Runs candidates against a task's tests in isolation (the sandbox)."""

    async def verify(
        self, candidates: Sequence[Candidate], test_ids: Sequence[str], *, fail_fast: bool = False,
    ) -> list[Verdict]:
        """One verdict per candidate, in order (their `candidate_id` the candidate's id);
        verifications may run concurrently. `fail_fast`: stop a run at its first failure."""
        ...

    async def verify_with(
        self, candidate: Candidate, test_ids: Sequence[str], *, extra_patch: str,
    ) -> Verdict:
        """One candidate with `extra_patch` applied after it (in place of the task's test
        patch): the held-back tests and the patch that adds them."""
        ...


class CommandRunner(Protocol):
    """Runs a command in a sandboxed copy of the task's tree (the behaviour probe's need)."""

    @property
    def spec(self) -> RunSpec:
        """How the task's tests run (its Python and pytest options)."""
        ...

    @property
    def capacity(self) -> int:
        """Commands worth running at once."""
        ...

    async def run_command(
        self, argv: Sequence[str], timeout_s: float, *, diff: str = "", log_cap: int | None = None,
    ) -> CommandResult:
        """`argv` in the pristine tree with `diff` applied; `log_cap`: output bytes kept."""
        ...


class BehaviourProbe(Protocol):
    """Tells plausible candidates apart by what they do (the planner stops on agreement, the
    tournament counts clusters)."""

    async def behaviour(self, task: Task, candidates: Sequence[Candidate]) -> Behaviour:
        """The candidates' behaviour on shared inputs, clustered; `seconds`: sandbox time."""
        ...


class Generator(Protocol):
    """Proposes candidate patches. Search-based and LLM generators both satisfy it."""

    name: str

    async def propose(
        self, task: Task, round: int, width: int, feedback: Feedback
    ) -> list[Candidate]:
        """At most `width` new candidates for `round`, informed by the verdicts so far."""
        ...


class Judge(Protocol):
    """Votes in a tournament group among the contenders the execution evidence leaves."""

    name: str

    async def ballots(
        self, task: Task | None, group: Sequence[Entry], votes: int, evidence: Evidence
    ) -> list[Ballot]:
        """`votes` ballots on `group` (a ballot's `choice` None: an abstention)."""
        ...
