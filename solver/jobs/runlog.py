"""Every sandbox run of a task, as the trajectory keeps it (runs.jsonl): which stage ran it,
which tests, which patch went with them.

The answer-key boundary is checked on this record: under `--protocol issue` no run before the
`grade` stage may carry the task's test patch. A grading run's patch is kept as its files and a
hash, its tests as their count, so the trajectory holds neither the hidden tests' names nor their
lines.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sandbox.verdict import Verdict
from solver.types import Candidate
from tasks.diffs import file_sections

GRADE = "grade"


class RunLog:
    """The runs of one task, in order; `stage` names whoever runs next."""

    def __init__(self) -> None:
        self.runs: list[dict[str, Any]] = []
        self.stage = "solve"

    def add(self, kind: str, candidates: Sequence[str], tests: Sequence[str],
            extra_patch: str) -> None:
        entry: dict[str, Any] = {"stage": self.stage, "kind": kind,
                                 "candidates": list(candidates)}
        if self.stage == GRADE:
            entry["test_count"] = len(tests)
            entry["extra_patch_files"] = [path for path, _ in file_sections(extra_patch)]
            entry["extra_patch_sha256"] = hashlib.sha256(extra_patch.encode()).hexdigest()
        else:
            entry["tests"] = list(tests)
            entry["extra_patch"] = extra_patch
        self.runs.append(entry)

    def write(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / "runs.jsonl").open("w", encoding="utf-8") as fh:
            for entry in self.runs:
                fh.write(json.dumps(entry) + "\n")


class RecordingVerifier:
    """A `Verifier` that records each run in a RunLog before handing it on; `spec_patch` is
    what a run without its own extra patch carries (the run spec's)."""

    def __init__(self, inner: Any, log: RunLog, spec_patch: str) -> None:
        self.inner, self.log, self.spec_patch = inner, log, spec_patch
        self.hangs: frozenset[str] = frozenset()
        """Tests that timed out on the base tree: a run stops where one times out again."""
        self.loops_stop = False
        """A run stops at any test that times out (the engine's runs: a looping candidate
        costs one test timeout, not one per failing test)."""

    @property
    def capacity(self) -> int:
        """Runs at once (the pool's)."""
        return int(getattr(self.inner, "capacity", 0))

    async def verify(
        self, candidates: Sequence[Candidate], test_ids: Sequence[str], *, fail_fast: bool = False,
    ) -> list[Verdict]:
        self.log.add("verify", [c.id for c in candidates], test_ids, self.spec_patch)
        hangs = list(test_ids) if self.loops_stop else [t for t in test_ids if t in self.hangs]
        verdicts: list[Verdict] = await self.inner.verify(
            candidates, test_ids, fail_fast=fail_fast,
            **({"stop_on_timeout": hangs} if hangs else {}))
        return verdicts

    async def verify_with(
        self, candidate: Candidate, test_ids: Sequence[str], *, extra_patch: str,
    ) -> Verdict:
        self.log.add("verify_with", [candidate.id], test_ids, extra_patch)
        verdict: Verdict = await self.inner.verify_with(candidate, test_ids,
                                                        extra_patch=extra_patch)
        return verdict
