"""From a kept mutant and its test outcomes to a SWE-bench-format Task (pure).

    gold patch       the reverse diff: buggy file → original file, git-style (a/ b/)
    FAIL_TO_PASS     the tests the bug breaks
    PASS_TO_PASS     the other tests of those test files, plus a capped sample of the rest
    problem          tasks/synth/templates/problem.md.j2 over the failing ids and first message
    write_tasks      each kept bug a branch of the package's repo and a line of <pkg>.jsonl
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from solver.synthesis.judge import Kept
from solver.synthesis.recipes import Recipe
from solver.synthesis.repo import commit_bug
from solver.templates import render
from tasks.diffs import render_file_diff
from tasks.model import Task

PASS_SAMPLE = 20
"""Tests beyond the failing tests' own files kept as PASS_TO_PASS."""
SAME_FILE_CAP = 50
"""Most passing tests of the failing tests' own files kept as PASS_TO_PASS."""
MESSAGE_LINES = 12
TEMPLATE = "synth/templates/problem.md.j2"
"""The problem statement, a file of the `tasks` package."""
_ADDRESS = re.compile(r" at 0x[0-9a-f]+")


def instance_id(package: str, version: str, number: int) -> str:
    return f"{package}-{version}-{number}"


def pypi_repo(package: str, version: str) -> str:
    """The `repo` of a synthesized task: where its source comes from (solver.synthesis.sample)."""
    return f"pypi:{package}=={version}"


def test_file(test_id: str) -> str:
    return test_id.split("::", 1)[0]


def choose_pass_to_pass(
    failing: Sequence[str], passing: Sequence[str], seed: int, sample: int = PASS_SAMPLE,
    same_file_cap: int = SAME_FILE_CAP,
) -> list[str]:
    """Passing tests of the failing tests' files (capped), plus `sample` others, by `seed`."""
    files = {test_file(t) for t in failing}
    pool = sorted(set(passing) - set(failing))
    same_file = [t for t in pool if test_file(t) in files]
    others = [t for t in pool if test_file(t) not in files]
    rng = random.Random(seed)
    kept = rng.sample(same_file, min(same_file_cap, len(same_file)))
    return sorted({*kept, *rng.sample(others, min(sample, len(others)))})


def first_message(messages: Mapping[str, str], failing: Sequence[str]) -> str:
    """The first failing test's message, its last lines (the assertion), addresses masked."""
    for test in failing:
        text = messages.get(test, "").strip()
        if text:
            lines = _ADDRESS.sub("", text).splitlines()
            return "\n".join(lines[-MESSAGE_LINES:])
    return ""


def headline(failing: Sequence[str]) -> str:
    """`test_take` / `TestWindowed.test_basic` → a one-line title naming what broke."""
    names = [t.split("::", 1)[-1].split("[")[0].replace("::", ".") for t in failing]
    unique = list(dict.fromkeys(names))
    shown = ", ".join(f"`{name}`" for name in unique[:3])
    more = f" and {len(unique) - 3} more" if len(unique) > 3 else ""
    return f"Regression: {shown}{more} failing"


def problem_statement(failing: Sequence[str], messages: Mapping[str, str]) -> str:
    text = render("tasks", TEMPLATE, headline=headline(failing), failing=list(failing),
                  message=first_message(messages, failing))
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def build_task(
    *, package: str, version: str, number: int, file: str, original: str, buggy: str,
    failing: Sequence[str], passing: Sequence[str], messages: Mapping[str, str],
    test_cmd: str, requirements: Sequence[str], bug_class: str, path: Path | None = None,
    base_commit: str = "", seed: int = 0, install_cmd: str = "", locations: int = 1,
) -> Task:
    """One task: the tree at `path`/`base_commit` holds the bug, `patch` takes it out."""
    failing = sorted(failing)
    return Task(
        instance_id=instance_id(package, version, number),
        repo=pypi_repo(package, version),
        base_commit=base_commit,
        path=path,
        problem_statement=problem_statement(failing, messages),
        patch=render_file_diff(file, buggy, original),
        FAIL_TO_PASS=failing,
        PASS_TO_PASS=choose_pass_to_pass(failing, passing, seed + number),
        version=version,
        test_cmd=test_cmd,
        requirements=list(requirements),
        install_cmd=install_cmd,
        bug_class=bug_class,
        locations=locations,
    )


def write_tasks(
    recipe: Recipe, repo: Path, out: Path, kept: Sequence[Kept], passing: Sequence[str],
    seed: int,
) -> Path:
    """Each kept bug as a branch of the repo and a line of <out>/<package>.jsonl."""
    target = out / f"{recipe.package}.jsonl"
    lines = []
    for number, item in enumerate(kept, start=1):
        mutant = item.mutant
        messages = {t: r.message for t, r in item.verdict.tests.items()}
        task = build_task(
            package=recipe.package, version=recipe.version, number=number, file=mutant.file,
            original=mutant.original, buggy=mutant.source, failing=item.failing,
            passing=[t for t in passing if t not in item.unrun], messages=messages,
            test_cmd=recipe.test_cmd,
            requirements=recipe.requirements, bug_class=item.kind, seed=seed,
            install_cmd=recipe.install_cmd, locations=len(mutant.spans),
        )
        sha = commit_bug(repo, task.instance_id, task.patch)
        record = task.model_dump(mode="json", by_alias=True)
        record.update(path=repo.relative_to(out).as_posix(), base_commit=sha,
                      hints_text="", synth={"kind": item.kind, "family": mutant.family,
                                            "description": mutant.description,
                                            "file": mutant.file, "function": mutant.function})
        lines.append(json.dumps(record))
    write_lines_atomic(target, lines)
    return target


def write_lines_atomic(target: Path, lines: Sequence[str]) -> None:
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    tmp.replace(target)
