"""`solver ci`: a checkout whose tests fail → discover what fails → solve → hand over the fix.

    check (folder, test command, branch preconditions, install plan)  ← all before any search
      → discover (solver.jobs.discover) → solve → the patch file, always; then apply / branch

The user's work tree and current branch are never changed except in `apply` mode; `branch`
mode commits on a new branch through a temporary worktree (on top of a snapshot commit of the
work tree when it has changes, since that is the tree the fix was made against).
"""

from __future__ import annotations

import os
import re
import shlex
import tempfile
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import git

from sandbox.diffcheck import check_patch
from sandbox.install import detect_install
from solver.templates import render
from tasks.model import Task

PATCH_FILE = "solver-fix.patch"
NO_INSTALL = "none"
"""`--install-cmd none`: install nothing (pytest only), skipping detection."""
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


class CiError(Exception):
    """Something the user can fix before a search is worth running: exit 2, with the message."""


@dataclass(frozen=True)
class CiPlan:
    """What was checked and chosen before anything runs; `notes` are one line each."""

    test_cmd: str
    install_cmd: str
    notes: tuple[str, ...]
    snapshot: bool = False
    """Branch mode on a work tree with changes: the fix goes on top of a snapshot commit."""


def plan_ci(path: Path, test_cmd: str, install_cmd: str, output: Output) -> CiPlan:
    """Every precondition of the run, checked up front; raises CiError."""
    if not path.is_dir():
        raise CiError(f"{path}: not a folder")
    command, test_note = pytest_command(test_cmd)
    notes = [test_note] if test_note else []
    snapshot = False
    if output is Output.BRANCH:
        snapshot = check_branch_mode(path)
        if snapshot:
            notes.append("the work tree has uncommitted changes: the fix, made against them, "
                         "will be committed on top of a snapshot commit of the work tree")
    if install_cmd.strip() == NO_INSTALL:
        install, note = "", "install: nothing (--install-cmd none)"
    elif install_cmd.strip():
        install, note = install_cmd, f"install: `{install_cmd}` (--install-cmd)"
    else:
        plan = detect_install(path)
        install = plan.command
        note = (f"install: `{plan.command}` ({plan.reason})" if plan.command
                else f"install: nothing ({plan.reason})")
    return CiPlan(command, install, (*notes, note), snapshot)


UNITTEST_FLAGS = {"-v": "-v", "--verbose": "-v", "-q": "-q", "--quiet": "-q", "-b": "",
                  "--buffer": "", "-c": "", "--catch": "", "-f": "-x", "--failfast": "-x",
                  "--locals": "-l"}


def pytest_command(test_cmd: str) -> tuple[str, str]:
    """(the command to run, a note when it was translated); raises CiError for a command whose
    per-test results cannot be read. pytest runs unittest suites, so `python -m unittest
    [discover -s DIR -p PATTERN]` becomes the pytest command that collects the same tests."""
    try:
        argv = shlex.split(test_cmd)
    except ValueError as exc:
        raise CiError(f"--test-cmd {test_cmd!r}: {exc}") from exc
    if not argv:
        raise CiError("--test-cmd is empty: give a pytest command, e.g. `python -m pytest`")
    if any("pytest" in part for part in argv):
        return test_cmd, ""
    if len(argv) >= 3 and re.fullmatch(r"python[\d.]*", Path(argv[0]).name) \
            and argv[1:3] == ["-m", "unittest"]:
        translated = unittest_as_pytest(argv[3:], test_cmd)
        return translated, f"test command: `{test_cmd}` runs as `{translated}` " \
                           "(pytest collects unittest cases and reports each test)"
    raise CiError(f"--test-cmd {test_cmd!r}: solver ci needs per-test results, which it reads "
                  "from pytest; give a pytest command (e.g. `python -m pytest tests`) or "
                  "`python -m unittest ...`, which runs through pytest")


def unittest_as_pytest(args: list[str], original: str) -> str:
    flags: list[str] = []
    start, pattern = "", "test*.py"
    rest = args[1:] if args[:1] == ["discover"] else args
    options = iter(rest)
    for arg in options:
        if arg in UNITTEST_FLAGS:
            flags += [UNITTEST_FLAGS[arg]] if UNITTEST_FLAGS[arg] else []
        elif arg in ("-s", "--start-directory") and args[:1] == ["discover"]:
            start = next(options, "")
        elif arg in ("-p", "--pattern") and args[:1] == ["discover"]:
            pattern = next(options, pattern)
        elif arg in ("-t", "--top-level-directory") and args[:1] == ["discover"]:
            next(options, "")
        else:
            raise CiError(f"--test-cmd {original!r}: `{arg}` has no pytest equivalent here; "
                          "give the pytest command instead (e.g. `python -m pytest tests`)")
    words = ["python", "-m", "pytest", *flags, "-o", f"python_files={pattern}",
             *([start] if start else [])]
    return shlex.join(words)


def check_branch_mode(path: Path) -> bool:
    """Branch mode needs the top of a git work tree with a commit; True when its work tree
    differs from HEAD (tracked changes or untracked files the solver will see)."""
    try:
        repo = git.Repo(path)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError) as exc:
        raise CiError(f"--output branch: {path} is not a git repository; use --output patch "
                      f"(writes {PATCH_FILE}) or run `git init` and commit first") from exc
    with repo:
        if Path(repo.working_tree_dir or "").resolve() != path.resolve():
            raise CiError(f"--output branch: {path} is inside the git work tree "
                          f"{repo.working_tree_dir}; run solver ci on its top folder")
        if not repo.head.is_valid():
            raise CiError(f"--output branch: {path} has no commit yet; commit first")
        return snapshot_tree(repo) != repo.head.commit.tree.hexsha


def snapshot_tree(repo: git.Repo) -> str:
    """The tree of the work tree as the solver sees it (tracked + untracked, not ignored, not
    the patch file), written through a temporary index: the user's index is not touched."""
    with tempfile.TemporaryDirectory(prefix="solver-index-") as tmp:
        env = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}
        repo.git.read_tree("HEAD", env=env)
        repo.git.add("-A", env=env)
        if (Path(repo.working_tree_dir or "") / PATCH_FILE).exists():
            repo.git.rm("--cached", "--quiet", "--ignore-unmatch", PATCH_FILE, env=env)
        return str(repo.git.write_tree(env=env))


def ci_task(path: Path, test_cmd: str, install_cmd: str) -> Task:
    """The checkout as a task: its tree as it is, failing tests still unknown."""
    return Task(instance_id=f"ci-{path.resolve().name}-{short_sha(path)}", path=path.resolve(),
                test_cmd=test_cmd, install_cmd=install_cmd,
                problem_statement="The test suite fails on this checkout.")


def write_patch(path: Path, patch: str) -> Path:
    """PATH/solver-fix.patch; where the folder cannot be written, a file in the temp folder."""
    target = path / PATCH_FILE
    try:
        target.write_text(patch, encoding="utf-8")
    except OSError:
        fd, name = tempfile.mkstemp(prefix="solver-fix-", suffix=".patch")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(patch)
        target = Path(name)
    return target


def apply_to_work_tree(path: Path, patch: str) -> None:
    check_patch(patch)
    with git.Repo(path) as repo, tempfile.NamedTemporaryFile("w", suffix=".patch") as fh:
        fh.write(patch)
        fh.flush()
        repo.git.apply("--whitespace=nowarn", fh.name)


def commit_on_branch(path: Path, patch: str, message: str, snapshot: bool = False) -> str:
    """A new branch `solver/fix-<sha>` holding HEAD (+ with `snapshot`, a commit of the work
    tree as it is) + the patch; the work tree, the index and the current branch are untouched."""
    check_patch(patch)
    with git.Repo(path) as repo:
        base = repo.head.commit
        branch = free_branch_name(repo, f"solver/fix-{base.hexsha[:8]}")
        start = base.hexsha
        if snapshot:
            start = repo.git.commit_tree(
                snapshot_tree(repo), "-p", base.hexsha, "-m",
                "Work tree snapshot (the uncommitted changes the fix was made against)",
                env=author_env())
        with tempfile.TemporaryDirectory(prefix="solver-worktree-") as tmp:
            repo.git.worktree("add", "--detach", tmp, start)
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


def author_env() -> dict[str, str]:
    return {f"GIT_{who}_{what}": value for who in ("AUTHOR", "COMMITTER")
            for what, value in (("NAME", AUTHOR.name or ""), ("EMAIL", AUTHOR.email or ""))}


def free_branch_name(repo: git.Repo, name: str) -> str:
    existing = {head.name for head in repo.heads}
    candidate, n = name, 2
    while candidate in existing:
        candidate, n = f"{name}-{n}", n + 1
    return candidate


def render_summary(context: dict[str, Any]) -> str:
    text = render("solver.jobs", "templates/ci_summary.md.j2", **context)
    return re.sub(r"\n{3,}", "\n\n", text)


def render_error(message: str) -> str:
    """The step summary of a run that stopped on an error."""
    first, _, rest = message.partition("\n")
    body = f"\n\n```\n{rest.strip()}\n```" if rest.strip() else ""
    return f"## tts-solver: error\n\n{first}{body}\n"


def publish_summary(markdown: str) -> None:
    """Append to the GitHub step summary when running in Actions."""
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if target:
        with Path(target).open("a", encoding="utf-8") as fh:
            fh.write(markdown + "\n")
