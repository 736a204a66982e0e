"""What a candidate patch may touch, judged twice and never by our own parsing of its text.

Before a container: `git apply --numstat --summary` reads the patch with the same parser that
will apply it (paths, renames, created modes), so header spellings a regex would miss cannot
hide a path. After applying it in the container: the driver lists what changed between the
pristine tree and the work tree (rows as `git diff --no-index --raw` gives: status, modes,
paths), and `check_changes` enforces the same policy on that effect. Rejected: a path outside
the repository (`../`, absolute) or inside `.git/`, a symlink or gitlink, the tests, any file
pytest (or Python at start-up) reads its configuration from, and new top-level modules that
shadow installed ones.
"""

from __future__ import annotations

import fnmatch
import re
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

SYMLINK_MODE = "120000"
GITLINK_MODE = "160000"
FILE_MODES = ("100644", "100755", "000000")

PROTECTED_PATTERNS = (
    "conftest.py", "pytest.ini", ".pytest.ini", "pytest.toml", ".pytest.toml", "tox.ini",
    "setup.cfg", "pyproject.toml", "noxfile.py", ".coveragerc", "sitecustomize.py",
    "usercustomize.py", "*.pth", "test_*.py", "*_test.py",
)
"""Every file pytest reads its configuration from (pytest.toml / .pytest.toml / .pytest.ini /
pytest.ini / pyproject.toml / tox.ini / setup.cfg), conftest plugins, what Python runs at start-up,
and test files."""
PROTECTED_DIRS = ("tests", "test", "testing")
_SUMMARY = re.compile(r"^ (?:create|delete) mode (\d+) (.+)$|^ mode change (\d+) => (\d+) (.+)$")


class PatchRejected(ValueError):
    """A candidate patch that must not run; the message says why."""


@dataclass(frozen=True)
class PatchPaths:
    paths: tuple[str, ...]
    modes: tuple[str, ...]


def git_reading(diff: str) -> tuple[list[str], list[str]]:
    """(numstat -z output split at NUL, summary lines) as `git apply` parses the patch."""
    with tempfile.NamedTemporaryFile("w", suffix=".diff", encoding="utf-8") as fh:
        fh.write(diff)
        fh.flush()
        numstat = subprocess.run(["git", "apply", "--numstat", "-z", fh.name],
                                 capture_output=True, cwd=tempfile.gettempdir())
        summary = subprocess.run(["git", "apply", "--summary", fh.name],
                                 capture_output=True, cwd=tempfile.gettempdir())
    if numstat.returncode != 0:
        error = numstat.stderr.decode(errors="replace").strip().splitlines()
        raise PatchRejected(f"git cannot read the patch: {error[0] if error else 'unknown'}")
    return (numstat.stdout.decode("utf-8", "surrogateescape").split("\0"),
            summary.stdout.decode("utf-8", "surrogateescape").splitlines())


def read_paths(diff: str) -> PatchPaths:
    """Every path (old and new names of a rename included) and created or changed mode, as git
    reads the patch."""
    if not diff.strip():
        return PatchPaths((), ())
    fields, summary = git_reading(diff)
    paths: list[str] = []
    index = 0
    while index < len(fields):
        field = fields[index]
        if field.count("\t") == 2 and field.endswith("\t"):  # a rename: old, new follow
            paths += fields[index + 1:index + 3]
            index += 3
            continue
        if field.count("\t") == 2:
            paths.append(field.split("\t", 2)[2])
        index += 1
    modes: list[str] = []
    for line in summary:
        match = _SUMMARY.match(line)
        if match:
            modes += [m for m in (match.group(1), match.group(3), match.group(4)) if m]
    return PatchPaths(tuple(dict.fromkeys(p for p in paths if p)), tuple(modes))


def path_problem(path: str) -> str:
    """Why a path may not be patched, or ''."""
    if "\\" in path or path.startswith(("/", "~")):
        return f"{path}: absolute or odd path"
    parts = PurePosixPath(path).parts
    if ".." in parts:
        return f"{path}: leaves the repository (..)"
    if ".git" in parts or ".gitmodules" in parts:
        return f"{path}: inside .git/"
    return ""


def is_protected(path: str, extra: frozenset[str]) -> bool:
    """Tests and the files that decide how tests run."""
    pure = PurePosixPath(path)
    if path in extra:
        return True
    if any(part in PROTECTED_DIRS for part in pure.parts[:-1]):
        return True
    return any(fnmatch.fnmatch(pure.name, pattern) for pattern in PROTECTED_PATTERNS)


def check_path(path: str, protected: frozenset[str]) -> None:
    problem = path_problem(path)
    if problem:
        raise PatchRejected(problem)
    if is_protected(path, protected):
        raise PatchRejected(f"{path}: touches the tests or their configuration")


def check_mode(mode: str, path: str = "") -> None:
    if mode in (SYMLINK_MODE, GITLINK_MODE):
        raise PatchRejected(f"creates a symlink or submodule (mode {mode})"
                            + (f": {path}" if path else ""))
    if mode not in FILE_MODES:
        raise PatchRejected(f"odd file mode {mode} {path}".strip())


def check_patch(diff: str, protected: frozenset[str] = frozenset()) -> None:
    """Raise PatchRejected naming the first offending path; return quietly otherwise."""
    if diff.strip() and not diff.lstrip().startswith(("diff --git", "--- ", "From ", "Index: ")):
        if "\n--- " not in diff and "\ndiff --git " not in diff:
            raise PatchRejected("not a unified diff")
    found = read_paths(diff)
    for mode in found.modes:
        check_mode(mode)
    for path in found.paths:
        check_path(path, protected)


def check_changes(changes: Sequence[Sequence[str]], protected: frozenset[str] = frozenset(),
                  shadows: Sequence[str] = ()) -> None:
    """The policy on what applying the patch did: [status, old mode, new mode, path] rows of
    the work tree against the pristine one (in the container), and new modules that shadow
    installed ones."""
    for row in changes:
        status, old_mode, new_mode, path = (list(row) + ["", "", "", ""])[:4]
        if status == "?":
            raise PatchRejected(f"what the patch changed could not be read ({path})")
        for mode in (old_mode, new_mode):
            check_mode(mode, path)
        check_path(path, protected)
    if shadows:
        raise PatchRejected(f"{shadows[0]} (a new top-level module may not shadow one)")
