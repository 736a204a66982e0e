"""Unified diffs, git style: the one renderer of the project (its reader may follow below).

    render_file_diff(path, old, new)   one file; None for `old` creates it, for `new` deletes it
    render_diff(before, after)         every file that differs, sorted by path

The output is what `git apply -p1` takes: `a/` and `b/` prefixes, 3 lines of context, a last line
without a newline marked. Lines end at `\\n` only (as git reads them), not at every boundary
`str.splitlines` knows (a form feed in a source file is not the end of its line).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping

# ---------------------------------------------------------------- rendering

NO_NEWLINE = "\\ No newline at end of file"
CONTEXT = 3
FILE_MODE = "100644"
_LINE = re.compile(r"[^\n]*\n|[^\n]+")


def split_lines(text: str) -> list[str]:
    """`text` in lines that keep their `\\n` (the last one may lack it)."""
    return _LINE.findall(text)


def render_file_diff(path: str, old: str | None, new: str | None) -> str:
    """The diff of one file from `old` to `new` ("" when they are equal)."""
    if old == new:
        return ""
    header = [f"diff --git a/{path} b/{path}\n"]
    if old is None:
        header.append(f"new file mode {FILE_MODE}\n")
    elif new is None:
        header.append(f"deleted file mode {FILE_MODE}\n")
    lines = list(difflib.unified_diff(
        split_lines(old or ""), split_lines(new or ""),
        fromfile=f"a/{path}" if old is not None else "/dev/null",
        tofile=f"b/{path}" if new is not None else "/dev/null", n=CONTEXT,
    ))
    body = [line if line.endswith("\n") else f"{line}\n{NO_NEWLINE}\n" for line in lines]
    return "".join(header + body)


def render_diff(before: Mapping[str, str], after: Mapping[str, str]) -> str:
    """The diff from `before` to `after` (paths to contents): files missing from `after` are
    deleted, files new in `after` created; "" when nothing changed."""
    paths = sorted(set(before) | set(after))
    return "".join(render_file_diff(p, before.get(p), after.get(p)) for p in paths)
