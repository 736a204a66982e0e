"""The one unified-diff renderer (tasks/diffs.py): what git apply takes, byte for byte as before."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tasks.diffs import render_diff, render_file_diff, split_lines


def git_apply(root: Path, files: dict[str, str], diff: str) -> dict[str, str]:
    """The tree `files` with `diff` applied by git, as paths → contents."""
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(text.encode())
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "apply", "-p1", "-"], cwd=root, input=diff.encode(), check=True)
    return {p.relative_to(root).as_posix(): p.read_bytes().decode()
            for p in sorted(root.rglob("*")) if p.is_file() and ".git" not in p.parts}


def test_one_file_as_before() -> None:
    assert render_file_diff("m.py", "a = 1\nb = 2\n", "a = 1\nb = 3\n") == (
        "diff --git a/m.py b/m.py\n--- a/m.py\n+++ b/m.py\n"
        "@@ -1,2 +1,2 @@\n a = 1\n-b = 2\n+b = 3\n")
    assert render_file_diff("m.py", "x\n", "x\n") == ""


def test_lines_end_at_newlines_only() -> None:
    assert split_lines("a\x0cb\nc\r\nd") == ["a\x0cb\n", "c\r\n", "d"]
    assert split_lines("") == []


@pytest.mark.parametrize(("before", "after"), [
    ({"m.py": "a = 1\nb = 2"}, {"m.py": "a = 1\nb = 3"}),
    ({"m.py": "x = 1\n\x0c\ny = 2\n"}, {"m.py": "x = 1\n\x0c\ny = 3\n"}),
    ({"pkg/old.py": "gone\n", "keep.py": "k\n"}, {"keep.py": "k\n", "docs/new.md": "new\n"}),
    ({"keep.py": "k\n"}, {"keep.py": "k\n", "empty.py": ""}),
    ({"keep.py": "k\n", "empty.py": ""}, {"keep.py": "k\n"}),
])
def test_git_apply_takes_it(tmp_path: Path, before: dict[str, str], after: dict[str, str]) -> None:
    assert git_apply(tmp_path, before, render_diff(before, after)) == dict(sorted(after.items()))
