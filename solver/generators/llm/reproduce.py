"""Reproduction tests for tasks that come with an issue and no failing test.

    issue + relevant code ─► reproduce.j2 ─► one new test file ─► run on the base tree (sandbox)
        fails (assertion or exception in the test body): kept, its failing ids are FAIL_TO_PASS
        passes, or does not collect: told to the model, one more try; then given up

The file goes in through the verification's `extra_patch` (the test patch slot), never through
the candidate patch: candidates may not touch tests, and every later run carries it the same way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import anyio

from sandbox import Outcome, Verdict
from solver.generators.llm.client import ModelClient
from solver.generators.llm.edits import diff_files, parse_edits
from solver.generators.llm.errors import (
    BudgetExceeded,
    EditError,
    EditParseError,
    EndpointDown,
    LLMError,
)
from solver.generators.llm.prompts import clip, render
from solver.generators.llm.record import CallSpend, Recorder
from tasks.model import Task

TEST_PATH = "tests/test_reproduce_issue.py"
ATTEMPTS = 2


@dataclass(frozen=True)
class Reproduction:
    """A kept reproduction test: its file, the patch that adds it, the ids failing on the base."""

    test_path: str
    patch: str
    test_ids: list[str]


def free_test_path(existing: Sequence[str], wanted: str = TEST_PATH) -> str:
    """`wanted`, or `wanted` with a number, so that no file of the repository is replaced."""
    path, n = wanted, 2
    while path in existing:
        path = wanted.replace(".py", f"_{n}.py")
        n += 1
    return path


def test_file_of(answer: str, test_path: str) -> str:
    """The content of the one new file the answer creates (at `test_path`, whatever it named)."""
    blocks = parse_edits(answer)
    created = [b for b in blocks if not b.search.strip()]
    if len(blocks) != 1 or not created:
        raise EditParseError(f"expected one SEARCH/REPLACE block creating {test_path}, "
                             f"got {len(blocks)} block(s)")
    if "def test" not in created[0].replace:
        raise EditParseError("the file defines no test function")
    return created[0].replace


def join_patches(*patches: str) -> str:
    return "\n".join(p.rstrip("\n") + "\n" for p in patches if p.strip())


async def reproduce(
    client: ModelClient, task: Task, files: Sequence[Mapping[str, str]], session: Any,
    recorder: Recorder, existing: Sequence[str] = (), attempts: int = ATTEMPTS,
) -> Reproduction | None:
    """A test that fails on the base tree for the issue's reason, or None.

    `session` is a started sandbox Session of the task; `existing` the repository's paths.
    """
    test_path = free_test_path(existing)
    prompt = render("reproduce", issue=task.problem_statement, files=list(files),
                    test_path=test_path)
    messages: list[dict[str, str]] = [{"role": "system", "content": render("system")},
                                      {"role": "user", "content": prompt}]
    spend = CallSpend()
    try:
        for attempt in range(attempts):
            recorder.add("prompt", trajectory=None, round=None, kind="reproduce",
                         content=messages[-1]["content"])
            completion = await client.complete(messages)
            spend.add(completion)
            recorder.call("answer", completion, trajectory=None, round=None, kind="reproduce",
                          content=completion.text)
            tried = await try_answer(completion.text, task, test_path, session)
            kept, feedback = tried.kept, tried.feedback
            recorder.add("reproduce", attempt=attempt, kept=kept is not None, feedback=feedback,
                         test_ids=kept.test_ids if kept else [], sandbox_s=tried.seconds,
                         test_path=test_path, extra_patch=tried.extra_patch)
            if kept is not None:
                return kept
            messages += [{"role": "assistant", "content": completion.text},
                         {"role": "user",
                          "content": render("reproduce_retry", feedback=feedback).strip()}]
    except BudgetExceeded as exc:
        recorder.add("stop", round=None, kind="reproduce", reason=str(exc))
    except EndpointDown:
        raise
    except LLMError as exc:
        recorder.add("drop", trajectory=None, round=None, kind="reproduce", reason=str(exc))
    finally:
        recorder.charge("reproduce", spend)
    return None


@dataclass(frozen=True)
class Try:
    """One answer tried: the reproduction it gives (None: why not, in `feedback`), the sandbox
    seconds of its run, and the patch that run applied after the base tree ("": no run)."""

    kept: Reproduction | None
    feedback: str
    seconds: float = 0.0
    extra_patch: str = ""


async def try_answer(answer: str, task: Task, test_path: str, session: Any) -> Try:
    """The reproduction the answer gives if its test fails on the base tree, else why not."""
    try:
        content = test_file_of(answer, test_path)
    except EditError as exc:
        return Try(None, f"Your answer could not be used: {exc}")
    patch = await anyio.to_thread.run_sync(diff_files, {}, {test_path: content})
    extra = join_patches(task.test_patch, patch)
    verdict: Verdict = await anyio.to_thread.run_sync(
        lambda: session.verify("", [test_path], extra_patch=extra), abandon_on_cancel=True)
    failing = [t for t, r in verdict.tests.items()
               if r.outcome == Outcome.FAILED and t.split("::")[0] == test_path]
    if failing:
        return Try(Reproduction(test_path, patch, failing), "", verdict.duration_s, extra)
    return Try(None, describe_miss(verdict, test_path), verdict.duration_s, extra)


def describe_miss(verdict: Verdict, test_path: str) -> str:
    ran = {t: r for t, r in verdict.tests.items() if t.split("::")[0] == test_path}
    if not verdict.applied:
        return f"The test file could not be added: {verdict.reason}"
    if not ran:
        return ("The test file ran no test (it did not import or collect):\n"
                + clip(verdict.log_tail, 2000))
    outcomes = ", ".join(f"{t}: {r.outcome}" for t, r in ran.items())
    return f"On the code as it is now no test failed ({outcomes}):\n" + clip(verdict.log_tail, 1500)
