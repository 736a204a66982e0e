"""A git repo per package: one commit, tagged `pristine`, is the sdist; one branch per bug."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from solver.synthesis.sdist import fetch_sdist, unpack_sdist

PRISTINE = "pristine"
GIT_ENV = {
    "GIT_AUTHOR_NAME": "tts-solver", "GIT_AUTHOR_EMAIL": "synth@tts-solver.invalid",
    "GIT_COMMITTER_NAME": "tts-solver", "GIT_COMMITTER_EMAIL": "synth@tts-solver.invalid",
    "GIT_AUTHOR_DATE": "2000-01-01T00:00:00Z", "GIT_COMMITTER_DATE": "2000-01-01T00:00:00Z",
}
"""Fixed identity and dates: the same sdist and bug give the same commit on every machine."""


def git(repo: Path, *args: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        ["git", "-c", "core.autocrlf=false", "-c", "commit.gpgsign=false", *args], cwd=repo,
        input=stdin, capture_output=True, text=True, env={**os.environ, **GIT_ENV},
    )
    if done.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} in {repo}: {done.stderr.strip()[-800:]}")
    return done.stdout.strip()


def init_repo(tree: Path) -> str:
    """Make the unpacked sdist a git repo whose one commit, tagged `pristine`, is the sdist."""
    git(tree, "init", "-q")
    git(tree, "add", "-A", "-f")
    git(tree, "commit", "-q", "-m", f"pristine {tree.name}")
    git(tree, "tag", "-f", PRISTINE)
    return git(tree, "rev-parse", "HEAD")


def prepare_repo(package: str, version: str, dest: Path, cache: Path | None = None) -> Path:
    """`dest` as a git repo of the sdist (reused when it already is one)."""
    if (dest / ".git").is_dir():
        return dest
    if dest.exists():
        shutil.rmtree(dest)
    unpack_sdist(fetch_sdist(package, version, cache), dest)
    init_repo(dest)
    return dest


def commit_bug(repo: Path, branch: str, patch: str) -> str:
    """A commit on `pristine` with the gold patch reversed (the bug in), as branch `branch`."""
    try:
        return git(repo, "rev-parse", "--verify", "-q", f"refs/heads/{branch}")
    except RuntimeError:
        pass
    git(repo, "checkout", "-q", "--detach", PRISTINE)
    try:
        git(repo, "apply", "-R", "--whitespace=nowarn", "-", stdin=patch)
        git(repo, "commit", "-q", "-a", "-m", branch)
        git(repo, "branch", "-f", branch, "HEAD")
        return git(repo, "rev-parse", "HEAD")
    finally:
        git(repo, "checkout", "-q", "-f", "--detach", PRISTINE)
