"""`solver ci`: a checkout whose tests fail → discover what fails → solve → hand over the fix.

The user's work tree and current branch are never changed except in `apply` mode; `branch`
mode commits on a new branch through a temporary worktree.
"""

from __future__ import annotations

import os
import re
import tempfile
from enum import StrEnum
from pathlib import Path
from typing import Any

import git

from sandbox.diffcheck import check_patch
from solver.templates import render
from tasks.model import Task

PATCH_FILE = "solver-fix.patch"
AUTHOR = git.Actor("tts-solver", "tts-solver@users.noreply.github.com")


class Output(StrEnum):
    PATCH = "patch"
    APPLY = "apply"
    BRANCH = "branch"


def short_sha(path: Path) -> str:
    try:
        with git.Repo(path) as repo:
            return repo.head.commit.hexsha[:8]
    except (git.InvalidGitRepositoryError, git.NoSuchPathError, ValueError):
        return "worktree"


def ci_task(path: Path, test_cmd: str, install_cmd: str) -> Task:
    """The checkout as a task: its tree as it is, failing tests still unknown."""
    return Task(instance_id=f"ci-{path.resolve().name}-{short_sha(path)}", path=path.resolve(),
                test_cmd=test_cmd, install_cmd=install_cmd,
                problem_statement="The test suite fails on this checkout.")


def write_patch(path: Path, patch: str) -> Path:
    target = path / PATCH_FILE
    target.write_text(patch, encoding="utf-8")
    return target


def apply_to_work_tree(path: Path, patch: str) -> None:
    check_patch(patch)
    with git.Repo(path) as repo, tempfile.NamedTemporaryFile("w", suffix=".patch") as fh:
        fh.write(patch)
        fh.flush()
        repo.git.apply("--whitespace=nowarn", fh.name)


def commit_on_branch(path: Path, patch: str, message: str) -> str:
    """A new branch `solver/fix-<sha>` holding HEAD + the patch; the work tree is untouched."""
    check_patch(patch)
    with git.Repo(path) as repo:
        base = repo.head.commit
        branch = free_branch_name(repo, f"solver/fix-{base.hexsha[:8]}")
        with tempfile.TemporaryDirectory(prefix="solver-worktree-") as tmp:
            repo.git.worktree("add", "--detach", tmp, base.hexsha)
            try:
                with git.Repo(tmp) as work, tempfile.NamedTemporaryFile(
                        "w", suffix=".patch") as fh:
                    fh.write(patch)
                    fh.flush()
                    work.git.apply("--index", "--whitespace=nowarn", fh.name)
                    commit = work.index.commit(message, author=AUTHOR, committer=AUTHOR)
                repo.create_head(branch, commit.hexsha)
            finally:
                repo.git.worktree("remove", "--force", tmp)
    return branch


def free_branch_name(repo: git.Repo, name: str) -> str:
    existing = {head.name for head in repo.heads}
    candidate, n = name, 2
    while candidate in existing:
        candidate, n = f"{name}-{n}", n + 1
    return candidate


def render_summary(context: dict[str, Any]) -> str:
    text = render("solver.jobs", "templates/ci_summary.md.j2", **context)
    return re.sub(r"\n{3,}", "\n\n", text)


def publish_summary(markdown: str) -> None:
    """Append to the GitHub step summary when running in Actions."""
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if target:
        with Path(target).open("a", encoding="utf-8") as fh:
            fh.write(markdown + "\n")
