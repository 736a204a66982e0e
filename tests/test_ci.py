"""`solver ci` end to end on a git repo made from a bundled task: patch file, branch mode,
exit codes, the Markdown summary (and $GITHUB_STEP_SUMMARY)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import git
import pytest

pytestmark = pytest.mark.docker
TASK = Path(__file__).parents[1] / "tasks" / "bundled" / "money-allocate"
FAILING = "tests/test_allocate.py::test_split_uneven"


def make_repo(tmp_path: Path, fixed: bool = False) -> Path:
    repo_dir = tmp_path / "checkout"
    shutil.copytree(TASK / "repo", repo_dir)
    repo = git.Repo.init(repo_dir)
    if fixed:
        repo.git.apply(str(TASK / "gold.patch"))
    repo.git.add(A=True)
    actor = git.Actor("dev", "dev@example.com")
    repo.index.commit("initial", author=actor, committer=actor)
    repo.close()
    return repo_dir


def solver_ci(path: Path, *args: str, env: dict[str, str] | None = None):
    import os

    return subprocess.run(
        [sys.executable, "-m", "solver.cli", "ci", str(path), "--width", "8", "--depth", "2",
         *args], capture_output=True, text=True, timeout=300, env={**os.environ, **(env or {})})


def test_patch_mode_writes_a_patch_that_applies(docker_client, tmp_path: Path):
    repo_dir = make_repo(tmp_path)
    step_summary = tmp_path / "summary.md"
    done = solver_ci(repo_dir, env={"GITHUB_STEP_SUMMARY": str(step_summary)})
    assert done.returncode == 0, done.stderr[-2000:]
    assert FAILING in done.stdout
    assert "```diff" in done.stdout
    patch = repo_dir / "solver-fix.patch"
    assert patch.exists()
    subprocess.run(["git", "apply", "--check", str(patch)], cwd=repo_dir, check=True)
    assert FAILING in step_summary.read_text()


def test_branch_mode_leaves_the_current_branch_and_work_tree_alone(docker_client, tmp_path):
    repo_dir = make_repo(tmp_path)
    (repo_dir / "NOTES.txt").write_text("uncommitted work\n")
    with git.Repo(repo_dir) as repo:
        head, branch = repo.head.commit.hexsha, repo.active_branch.name
    done = solver_ci(repo_dir, "--output", "branch", "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    with git.Repo(repo_dir) as repo:
        assert repo.head.commit.hexsha == head
        assert repo.active_branch.name == branch
        fix = repo.heads[f"solver/fix-{head[:8]}"].commit
        assert fix.parents[0].hexsha == head
        changed = [d.a_path for d in fix.diff(fix.parents[0])]
        assert changed == ["moneyx/allocate.py"]
    assert (repo_dir / "NOTES.txt").read_text() == "uncommitted work\n"
    assert not (repo_dir / "solver-fix.patch").exists()


def test_nothing_failing_exits_zero(docker_client, tmp_path: Path):
    done = solver_ci(make_repo(tmp_path, fixed=True))
    assert done.returncode == 0, done.stderr[-2000:]
    assert "nothing to fix" in done.stdout


def test_no_fix_found_exits_one(docker_client, tmp_path: Path):
    repo_dir = make_repo(tmp_path)
    test_file = repo_dir / "tests" / "test_allocate.py"
    test_file.write_text(test_file.read_text() + "\n\ndef test_impossible():\n"
                         "    from moneyx import money\n"
                         "    assert hasattr(money, 'feature_nobody_wrote')\n")
    done = solver_ci(repo_dir, "--width", "1", "--depth", "1")
    assert done.returncode == 1, done.stderr[-2000:]
    assert "no fix found" in done.stdout


def test_usage_error_exits_two(tmp_path: Path):
    done = solver_ci(tmp_path / "missing")
    assert done.returncode == 2
