"""How right a bench winner is beyond the visible tests: the held-out tests (every test of the
failing tests' files that passes with the reference patch) and the reference's code (same AST).
Tasks with held-back tests are judged on those by the engine (`solver.heldback`)."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sandbox import SandboxPool, Verdict
    from tasks.model import Task


class WinnerCheck:
    """How right a winner is beyond the visible tests: held-out tests and the reference code."""

    RUN_TIMEOUT_S = 300.0
    """Whole test files may take longer than one candidate's run is allowed."""

    def __init__(self, task: Task, pool: SandboxPool, files: dict[str, str]) -> None:
        self.task = task
        self.pool = pool
        self.files = files
        self.reference: set[str] | None = None
        self.test_files = sorted({t.split("::", 1)[0] for t in task.fail_to_pass})

    async def held_out(self, diff: str) -> bool | None:
        """Every test of the failing tests' files that passes with the reference patch passes
        with `diff` (None: no reference patch, it passes nothing there, or a run could not be
        trusted)."""
        from sandbox import Outcome

        if not self.task.patch or not self.test_files:
            return None
        if self.reference is None:
            gold = await self.run(self.task.patch)
            self.reference = set() if gold is None else {
                t for t, r in gold.tests.items() if r.outcome == Outcome.PASSED}
        if not self.reference:
            return None
        verdict = await self.run(diff)
        return None if verdict is None else verdict.passed(sorted(self.reference))

    async def run(self, diff: str) -> Verdict | None:
        """The failing tests' files, whole, with `diff`, in a session of its own with a longer
        deadline; None where the run timed out or is not to be trusted."""
        import anyio

        from sandbox import Session

        config = self.pool.config.model_copy(update={"run_timeout_s": self.RUN_TIMEOUT_S})

        def run() -> Verdict:
            with Session(self.pool.client, self.pool.image, config, self.pool.spec) as session:
                return session.verify(diff, self.test_files, candidate_id="held-out")

        verdict = await anyio.to_thread.run_sync(run, abandon_on_cancel=True)
        if not verdict.applied or verdict.reason or verdict.timed_out:
            return None
        return verdict

    def exact(self, diff: str) -> bool | None:
        """Whether `diff` leaves the code the reference patch leaves (same AST per file)."""
        ours = patched(self.files, diff)
        if ours is None or self.gold is None:
            return None
        return normalized(self.files, ours) == self.gold

    @cached_property
    def gold(self) -> dict[str, str | None] | None:
        """The reference patch's files, normalized (once per task, not once per cell)."""
        changed = patched(self.files, self.task.patch) if self.task.patch else None
        return None if changed is None else normalized(self.files, changed)


def patched(files: dict[str, str], diff: str) -> dict[str, str] | None:
    """The files a diff touches, with it applied (None where it touches a file not in
    `files`, or creates one)."""
    from tasks.diffs import parse_diff
    from tasks.diffs import patched as apply_hunks

    changes = parse_diff(diff)
    bases = [files.get(c.old_path or "") for c in changes]
    if not changes or any(base is None for base in bases):
        return None
    return {c.path: apply_hunks(base or "", c.hunks)
            for c, base in zip(changes, bases, strict=True)}


def normalized(files: dict[str, str], changed: dict[str, str]) -> dict[str, str | None]:
    from solver.analysis.syntax import normalized_ast

    return {name: normalized_ast(text) for name, text in {**files, **changed}.items()
            if name in changed}
