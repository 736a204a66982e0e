"""Unified diffs, git style: the one renderer and the one reader of the project.

    render_file_diff(path, old, new)   one file; None for `old` creates it, for `new` deletes it
    render_diff(before, after)         every file that differs, sorted by path
    parse_diff(diff)                   the files a diff changes, their hunks and rows
    patched(base, hunks)               a base text with the hunks applied

The output is what `git apply -p1` takes: `a/` and `b/` prefixes, 3 lines of context, a last line
without a newline marked. Lines end at `\\n` only (as git reads them), not at every boundary
`str.splitlines` knows (a form feed in a source file is not the end of its line). Diffs are task
data (gold and test patches, candidates): tasks/, sandbox/ and solver/ all read them here.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

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


# ---------------------------------------------------------------- reading
@dataclass
class Hunk:
    old_start: int
    old_len: int
    new_start: int
    new_len: int
    lines: list[str] = field(default_factory=list)


@dataclass
class FileChange:
    old_path: str | None
    """None: the diff creates the file."""
    new_path: str | None
    """None: the diff deletes the file."""
    hunks: list[Hunk] = field(default_factory=list)

    @property
    def path(self) -> str:
        return self.new_path or self.old_path or ""


HUNK_HEADER = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


def parse_diff(diff: str) -> list[FileChange]:
    """The files and hunks of a unified diff (git style)."""
    changes: list[FileChange] = []
    lines = diff.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("--- ") and i + 1 < len(lines) and lines[i + 1].startswith("+++ "):
            changes.append(FileChange(diff_path(line[4:]), diff_path(lines[i + 1][4:])))
            i += 2
            continue
        match = HUNK_HEADER.match(line)
        if match and changes:
            hunk = Hunk(int(match[1]), int(match[2] or 1), int(match[3]), int(match[4] or 1))
            i = read_hunk(lines, i + 1, hunk)
            changes[-1].hunks.append(hunk)
            continue
        i += 1
    return changes


def diff_path(raw: str) -> str | None:
    name = raw.split("\t")[0].strip()
    if name == "/dev/null":
        return None
    return name[2:] if name[:2] in ("a/", "b/") else name


def read_hunk(lines: Sequence[str], i: int, hunk: Hunk) -> int:
    """Reads the hunk's lines from `i`; returns the index after them."""
    old, new = hunk.old_len, hunk.new_len
    while i < len(lines) and (old > 0 or new > 0):
        line = lines[i]
        tag = line[:1]
        if tag == "\\":
            i += 1
            continue
        if tag not in ("+", "-"):
            line = " " + line[1:]  # a context line (some tools strip its lone space)
        old -= tag != "+"
        new -= tag != "-"
        hunk.lines.append(line)
        i += 1
    return i


def changed_rows(hunk: Hunk) -> tuple[set[int], set[int]]:
    """0-based rows the hunk removes (base file) and adds (patched file)."""
    removed, added = set(), set()
    old, new = hunk.old_start - 1, hunk.new_start - 1
    for line in hunk.lines:
        if line[:1] == "-":
            removed.add(old)
            old += 1
        elif line[:1] == "+":
            added.add(new)
            new += 1
        else:
            old, new = old + 1, new + 1
    return removed, added


def patched(base: str, hunks: Sequence[Hunk]) -> str:
    """`base` with the hunks applied (line structure is what matters here)."""
    old = base.splitlines(keepends=True)
    out: list[str] = []
    pos = 0
    for hunk in hunks:
        start = hunk.old_start - 1 if hunk.old_len else hunk.old_start
        out += old[pos:start]
        pos = start
        for line in hunk.lines:
            if line[:1] == "+":
                out.append(line[1:] + "\n")
                continue
            if line[:1] == " ":
                out.append(old[pos] if pos < len(old) else "\n")
            pos += 1
    return "".join(out + old[pos:])


def rows_of(hunks: Sequence[Hunk]) -> tuple[set[int], set[int]]:
    removed: set[int] = set()
    added: set[int] = set()
    for hunk in hunks:
        old, new = changed_rows(hunk)
        removed |= old
        added |= new
    return removed, added


# ---------------------------------------------------------------- file sections

_SECTION = re.compile(r"^diff --git ", re.MULTILINE)


def file_sections(diff: str) -> list[tuple[str, str]]:
    """A git diff cut into its files: (path, the section's text) in order. The path is the new
    one (the old one for a deletion); a diff without `diff --git` headers is one section."""
    starts = [m.start() for m in _SECTION.finditer(diff)] or [0]
    if starts[0] != 0 and diff[:starts[0]].strip():
        starts.insert(0, 0)
    cuts = [*starts, len(diff)]
    sections = []
    for begin, end in zip(cuts, cuts[1:], strict=False):
        text = diff[begin:end]
        changes = parse_diff(text)
        path = (changes[0].new_path or changes[0].old_path) if changes else _git_header_path(text)
        sections.append((path or "", text))
    return sections


def _git_header_path(section: str) -> str | None:
    """The b/ path of a `diff --git a/x b/x` header (sections with no hunks: mode changes)."""
    first = section.split("\n", 1)[0].split()
    return diff_path(first[-1]) if len(first) >= 4 else None
