"""Edits (byte-range replacements in one file) and the git-style diff that carries them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from tasks.diffs import render_diff as diff_trees


@dataclass(frozen=True, order=True)
class Edit:
    """Replace bytes [start_byte, end_byte) of `file` (UTF-8) with `replacement`."""

    file: str
    start_byte: int
    end_byte: int
    replacement: str
    operator: str
    description: str
    weight: float = 1.0
    """How likely the operator itself finds this variant (1.0 = its most likely one)."""

    @property
    def size(self) -> int:
        """Characters removed plus characters inserted: the edit's footprint."""
        return (self.end_byte - self.start_byte) + len(self.replacement)


def overlaps(a: Edit, b: Edit) -> bool:
    """Whether two edits touch the same bytes of the same file (insertions at one point clash)."""
    if a.file != b.file:
        return False
    if a.start_byte == a.end_byte or b.start_byte == b.end_byte:
        return a.start_byte <= b.end_byte and b.start_byte <= a.end_byte
    return a.start_byte < b.end_byte and b.start_byte < a.end_byte


def apply_edits(source: str, edits: Iterable[Edit]) -> str:
    """`source` with the edits applied; the edits must not overlap."""
    data = source.encode("utf-8")
    ordered = sorted(edits, key=lambda e: (e.start_byte, e.end_byte))
    for first, second in zip(ordered, ordered[1:], strict=False):
        if overlaps(first, second):
            raise ValueError(f"overlapping edits in {first.file} at byte {second.start_byte}")
    for edit in reversed(ordered):
        data = data[: edit.start_byte] + edit.replacement.encode("utf-8") + data[edit.end_byte :]
    return data.decode("utf-8")


def apply_to_files(files: Mapping[str, str], edits: Iterable[Edit]) -> dict[str, str]:
    """The new text of every file the edits touch."""
    by_file: dict[str, list[Edit]] = {}
    for edit in edits:
        by_file.setdefault(edit.file, []).append(edit)
    missing = sorted(set(by_file) - set(files))
    if missing:
        raise KeyError(f"edits name files not given: {', '.join(missing)}")
    return {name: apply_edits(files[name], group) for name, group in by_file.items()}


def render_diff(repo_files: Mapping[str, str], edits: Sequence[Edit]) -> str:
    """A unified diff (git style, a/ b/ prefixes, 3 lines of context) that `git apply` accepts."""
    changed = apply_to_files(repo_files, edits)
    return diff_trees({name: repo_files[name] for name in changed}, changed)
