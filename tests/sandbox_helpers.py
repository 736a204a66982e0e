"""Builds candidate patches for the evil_repo fixture: a new body for `evil.run()`."""

from __future__ import annotations

import difflib
import textwrap
from pathlib import Path

EVIL = Path(__file__).parent / "data" / "evil_repo"
RUN_ID = "tests/test_evil.py::test_run"
OTHERS = ["tests/test_evil.py::test_double", "tests/test_evil.py::test_double_zero"]


def diff_of(path: str, before: str, after: str) -> str:
    body = difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                f"a/{path}", f"b/{path}")
    return f"diff --git a/{path} b/{path}\n" + "".join(body)


def run_body(code: str) -> str:
    """A patch replacing `return 1` in evil.run() with `code` (then `return 1`)."""
    before = (EVIL / "evil" / "__init__.py").read_text()
    body = textwrap.indent(textwrap.dedent(code).strip() + "\nreturn 1", "    ")
    return diff_of("evil/__init__.py", before, before.replace("    return 1", body, 1))
