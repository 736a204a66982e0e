"""Fault locations for free: the innermost project frames of failing tests' tracebacks."""

from __future__ import annotations

import re
from collections.abc import Iterator

from solver.analysis.spectrum import Line
from tasks.paths import project_file

_PYTEST_FRAME = re.compile(r"^(?P<path>[^\s:\"'<>]+\.py):(?P<line>\d+):(?: |$)")
_PYTHON_FRAME = re.compile(r'^(?:E\s+)?\s*File "(?P<path>[^"]+\.py)", line (?P<line>\d+)')
"""A frame as Python prints it; under pytest's `E` prefix, where a SyntaxError names its line."""
_TEST_HEADER = re.compile(r"^_{3,} .+ _{3,}$")
_SECTION = re.compile(r"^={3,} ?(?P<title>.*?) ?={3,}$")
_NEW_TRACEBACK = "Traceback (most recent call last):"
_IGNORED_SECTIONS = ("warnings summary", "short test summary", "coverage", "passes")


def _blocks(log: str) -> Iterator[list[tuple[str, int]]]:
    """Frames (path as printed, line) per traceback, outermost first."""
    block: list[tuple[str, int]] = []
    ignoring = False
    for raw in log.splitlines():
        line = raw.rstrip()
        section = _SECTION.match(line)
        if section or _TEST_HEADER.match(line) or line.strip() == _NEW_TRACEBACK:
            if block:
                yield block
            block = []
            if section:
                ignoring = any(word in section["title"].lower() for word in _IGNORED_SECTIONS)
            continue
        frame = None if ignoring else (_PYTEST_FRAME.match(line) or _PYTHON_FRAME.match(line))
        if frame:
            block.append((frame["path"], int(frame["line"])))
    if block:
        yield block


def traceback_locations(log: str, repo_root: str) -> list[Line]:
    """Project frames (not tests, not site-packages) of the tracebacks in a pytest log,
    innermost first: every traceback's innermost frame, then the next ones out."""
    per_block = []
    for block in _blocks(log):
        frames = [(project_file(path, repo_root), line) for path, line in block]
        inner_first = [(path, line) for path, line in reversed(frames) if path is not None]
        per_block.append(list(dict.fromkeys(inner_first)))
    ordered: list[Line] = []
    for depth in range(max((len(b) for b in per_block), default=0)):
        ordered.extend(block[depth] for block in per_block if depth < len(block))
    return list(dict.fromkeys(ordered))
