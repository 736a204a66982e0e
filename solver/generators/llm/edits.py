"""SEARCH/REPLACE edits: parse them from a model's answer, apply them, diff the result.

An answer holds one or more blocks, fenced or not, the path on the line before the block:

    path/to/file.py
    <<<<<<< SEARCH
    old lines
    =======
    new lines
    >>>>>>> REPLACE

An empty SEARCH creates the file (or inserts at its start). A block without a path line edits
the file of the block before it.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import PurePosixPath

from solver.generators.llm.blocks import EditBlock
from solver.generators.llm.errors import EditMismatch, EditParseError
from tasks.diffs import render_diff

SEARCH_RE = re.compile(r"^\s*<{5,9} ?SEARCH\b.*$")
DIVIDER_RE = re.compile(r"^\s*={5,9}\s*$")
REPLACE_RE = re.compile(r"^\s*>{5,9} ?REPLACE\b.*$")
FENCE_RE = re.compile(r"^\s*(```|~~~)")
PATH_JUNK = "`*'\"#:"
LOOKS_LIKE_FILE_RE = re.compile(r"^[\w./-]*(/|\.\w+$)")


def parse_edits(answer: str) -> list[EditBlock]:
    """All SEARCH/REPLACE blocks of `answer`, in order. Raises EditParseError on broken markup."""
    lines = answer.splitlines()
    blocks: list[EditBlock] = []
    path = ""
    for start in (i for i, line in enumerate(lines) if SEARCH_RE.match(line)):
        path = find_path(lines, start) or path
        if not path:
            raise EditParseError(f"block {len(blocks) + 1} (line {start + 1}) names no file")
        search, replace = read_block(lines, start, len(blocks))
        blocks.append(EditBlock(check_path(path), search, replace, len(blocks)))
    return blocks


def find_path(lines: Sequence[str], start: int) -> str:
    """The path on the nearest line above `start` that is neither blank nor a fence."""
    for line in reversed(lines[max(0, start - 3) : start]):
        if not line.strip() or FENCE_RE.match(line):
            continue
        if REPLACE_RE.match(line):
            return ""
        return clean_path(line)
    return ""


def clean_path(line: str) -> str:
    """`src/a.py` from lines like `src/a.py`, "**src/a.py**:", "# File: `src/a.py`"."""
    words = line.strip().split()
    if not words:
        return ""
    word = words[-1].strip(PATH_JUNK).rstrip(".,;")
    if len(words) > 1 and not LOOKS_LIKE_FILE_RE.match(word):
        return ""
    return word


def check_path(path: str) -> str:
    """`path` made relative and normal; EditParseError where it would leave the repository."""
    pure = PurePosixPath(path.replace("\\", "/"))
    parts = pure.parts
    if pure.is_absolute() or not parts or ".." in parts or parts[0] == ".git" or str(pure) == ".":
        raise EditParseError(f"unusable path {path!r}: give a path relative to the repository")
    return str(pure)


def read_block(lines: Sequence[str], start: int, index: int) -> tuple[str, str]:
    """The SEARCH and REPLACE texts of the block whose marker is at `start`."""
    divider = next_match(lines, start + 1, DIVIDER_RE, SEARCH_RE)
    end = next_match(lines, divider + 1, REPLACE_RE, SEARCH_RE) if divider >= 0 else -1
    if divider < 0 or end < 0:
        missing = "=======" if divider < 0 else ">>>>>>> REPLACE"
        raise EditParseError(f"block {index + 1} (line {start + 1}) lacks its {missing} line")
    return join_lines(lines[start + 1 : divider]), join_lines(lines[divider + 1 : end])


def next_match(
    lines: Sequence[str], begin: int, wanted: re.Pattern[str], stop: re.Pattern[str]
) -> int:
    """Index of the first line from `begin` matching `wanted`; -1 if `stop` or the end is first."""
    for i in range(begin, len(lines)):
        if wanted.match(lines[i]):
            return i
        if stop.match(lines[i]):
            return -1
    return -1


def join_lines(lines: Sequence[str]) -> str:
    return "".join(f"{line}\n" for line in lines)


def apply_edits(files: Mapping[str, str], blocks: Sequence[EditBlock]) -> dict[str, str]:
    """`files` with `blocks` applied in order; `files` itself is left as it was.

    Each SEARCH must match: exactly first, then ignoring trailing spaces and a common
    indentation offset (which is then carried over to the REPLACE lines). The first block that
    matches nothing raises EditMismatch, naming the block and the closest lines of its file.
    """
    result = dict(files)
    for block in blocks:
        result[block.path] = apply_block(result.get(block.path), block)
    return result


def apply_block(content: str | None, block: EditBlock) -> str:
    if not block.search.strip():
        return block.replace + (content or "")
    if content is None:
        raise EditMismatch(block, "", 0, 0.0, "names a file that does not exist")
    exact = find_exact(content, block.search)
    if exact >= 0:
        return content[:exact] + block.replace + content[exact + len(block.search) :]
    tolerant = replace_tolerant(content, block)
    if tolerant is not None:
        return tolerant
    closest, line, ratio = closest_lines(content, block.search)
    raise EditMismatch(block, closest, line, ratio, "matches no lines of the file")


def find_exact(content: str, search: str) -> int:
    """Offset of the first occurrence of `search` that starts a line, or -1."""
    start = content.find(search)
    while start > 0 and content[start - 1] != "\n":
        start = content.find(search, start + 1)
    return start


def replace_tolerant(content: str, block: EditBlock) -> str | None:
    """`content` with the block applied where it matches up to whitespace, else None."""
    lines = content.splitlines(keepends=True)
    search = block.search.splitlines()
    for i in range(len(lines) - len(search) + 1):
        shift = indent_shift(lines[i : i + len(search)], search)
        if shift is None:
            continue
        replace = [shift(line) + "\n" for line in block.replace.splitlines()]
        if replace and not lines[i + len(search) - 1].endswith("\n"):
            replace[-1] = replace[-1].rstrip("\n")
        return "".join(lines[:i] + replace + lines[i + len(search) :])
    return None


def indent_shift(window: Sequence[str], search: Sequence[str]) -> Callable[[str], str] | None:
    """How to re-indent REPLACE lines when `window` equals `search` up to whitespace, else None."""
    pairs = [(f.rstrip(), s.rstrip()) for f, s in zip(window, search, strict=True)]
    if any(bool(f.strip()) != bool(s.strip()) or f.strip() != s.strip() for f, s in pairs):
        return None
    texts = [(f, s) for f, s in pairs if f]
    if not texts:
        return None
    first_f, first_s = texts[0]
    f_indent = first_f[: len(first_f) - len(first_f.lstrip())]
    s_indent = first_s[: len(first_s) - len(first_s.lstrip())]
    if f_indent.endswith(s_indent):
        extra = f_indent[: len(f_indent) - len(s_indent)]
        if all(f == extra + s for f, s in texts):
            return lambda line: extra + line if line.strip() else line
    if s_indent.endswith(f_indent):
        excess = s_indent[: len(s_indent) - len(f_indent)]
        if all(s == excess + f for f, s in texts):
            return lambda line: line.removeprefix(excess)
    return None


def closest_lines(content: str, search: str) -> tuple[str, int, float]:
    """The window of `content` most like `search`: numbered text, first line (from 1), ratio."""
    lines = content.splitlines()
    wanted = search.splitlines()
    size = max(1, len(wanted))
    best, best_ratio = 0, -1.0
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2("\n".join(wanted))
    for start in range(max(1, len(lines) - size + 1)):
        matcher.set_seq1("\n".join(lines[start : start + size]))
        if matcher.real_quick_ratio() > best_ratio and matcher.ratio() > best_ratio:
            best, best_ratio = start, matcher.ratio()
    window = lines[best : best + size]
    numbered = "\n".join(f"{best + 1 + k:>5} | {line}" for k, line in enumerate(window))
    return numbered, best + 1, max(best_ratio, 0.0)


def diff_files(before: Mapping[str, str], after: Mapping[str, str]) -> str:
    """A git-style unified diff from `before` to `after` (paths to contents).

    Files missing from `after` are deleted, files new in `after` are created. The output is what
    `git apply` takes in a tree holding `before`; empty when nothing changed. A path that would
    leave the repository raises EditParseError.
    """
    return render_diff(
        {check_path(path): text for path, text in before.items()},
        {check_path(path): text for path, text in after.items()},
    )


def iter_paths(blocks: Sequence[EditBlock]) -> Iterator[str]:
    """The distinct paths the blocks touch, in first-seen order."""
    yield from dict.fromkeys(block.path for block in blocks)
