"""Candidate validation: changed code must parse (tree-sitter and `compile`), change the AST, and
differ from every candidate accepted before.

Only the changed region is checked: the top-level statement (or the method of a top-level class)
around the edits, dedented, so validating costs the same in a large file as in a small one. Where
that region does not compile on its own (a `nonlocal`, say), the whole file is checked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from tree_sitter import Node

from solver.analysis.syntax import (
    has_syntax_error,
    line_end,
    line_start,
    normalized_ast,
    parse,
    syntax_warnings,
)
from solver.generators.search.edits import Edit, apply_edits, apply_to_files

_CLASSES = frozenset({"class_definition"})
_MEMBERS = frozenset({"function_definition", "class_definition", "decorated_definition"})


@dataclass(frozen=True)
class Region:
    """Bytes [start, end) of a file, parsed after removing `indent` columns from each line."""

    start: int
    end: int
    indent: int


def _span(source: bytes, node: Node) -> tuple[int, int]:
    return line_start(source, node.start_byte), line_end(source, node.end_byte)


def _touches(span: tuple[int, int], start: int, end: int) -> bool:
    return span[0] <= end and start <= span[1]


def _definition(node: Node) -> Node:
    inner = node.child_by_field_name("definition") if node.type == "decorated_definition" else None
    return inner or node


def _narrow(source: bytes, node: Node, start: int, end: int) -> Node:
    """Descend from a top-level class into the one member the edits fall inside."""
    while _definition(node).type in _CLASSES:
        body = _definition(node).child_by_field_name("body")
        members = [m for m in (body.named_children if body else []) if m.type in _MEMBERS]
        inside = [m for m in members if _span(source, m)[0] <= start and end <= _span(source, m)[1]]
        if len(inside) != 1:
            return node
        node = inside[0]
    return node


def region_of(source: bytes, root: Node, start: int, end: int) -> Region:
    """The region to validate an edit of bytes [start, end) in."""
    top = [n for n in root.named_children if _touches(_span(source, n), start, end)]
    if len(top) == 1:
        node = _narrow(source, top[0], start, end)
        span = _span(source, node)
        if span[0] <= start and end <= span[1]:
            return Region(span[0], span[1], node.start_point.column)
    spans = [_span(source, n) for n in top]
    first = min([line_start(source, start), *(s for s, _ in spans)])
    last = max([line_end(source, end) if end > start else end, *(e for _, e in spans)])
    return Region(first, min(last, len(source)), 0)


def dedent(code: str, columns: int) -> str:
    """Remove up to `columns` leading spaces or tabs from every line."""
    if not columns:
        return code
    lines = code.splitlines(keepends=True)
    return "".join(line[columns:] if line[:columns].strip(" \t") == "" else line for line in lines)


@dataclass(frozen=True)
class _Baseline:
    dump: str | None
    warnings: int | None


class Validator:
    """Accepts candidates that parse, change the AST and are new; remembers what it accepted."""

    def __init__(self, files: Mapping[str, str]) -> None:
        self.files = files
        self.seen: set[tuple[tuple[str, int, int, str], ...]] = set()
        self._sources: dict[str, bytes] = {}
        self._roots: dict[str, Node] = {}
        self._baselines: dict[tuple[str, Region], _Baseline] = {}

    def _source(self, name: str) -> bytes:
        if name not in self._sources:
            self._sources[name] = self.files[name].encode("utf-8")
            self._roots[name] = parse(self._sources[name]).root_node
        return self._sources[name]

    def _baseline(self, name: str, region: Region) -> _Baseline:
        key = (name, region)
        if key not in self._baselines:
            code = self._code(self._source(name)[region.start : region.end], region.indent)
            self._baselines[key] = _Baseline(normalized_ast(code), syntax_warnings(code, name))
        return self._baselines[key]

    @staticmethod
    def _code(data: bytes, indent: int) -> str:
        return dedent(data.decode("utf-8"), indent)

    def _region(self, name: str, edits: Sequence[Edit]) -> Region:
        source = self._source(name)
        start = min(e.start_byte for e in edits)
        end = max(e.end_byte for e in edits)
        region = region_of(source, self._roots[name], start, end)
        if self._baseline(name, region).warnings is None:
            return Region(0, len(source), 0)
        return region

    def _key(self, name: str, edits: Sequence[Edit]) -> tuple[str, int, int, str] | None:
        region = self._region(name, edits)
        shifted = [
            Edit(
                name,
                e.start_byte - region.start,
                e.end_byte - region.start,
                e.replacement,
                e.operator,
                "",
            )
            for e in edits
        ]
        original = self._source(name)[region.start : region.end].decode("utf-8")
        code = self._code(apply_edits(original, shifted).encode("utf-8"), region.indent)
        if has_syntax_error(code.encode("utf-8")):
            return None
        baseline = self._baseline(name, region)
        warnings = syntax_warnings(code, name)
        if warnings is None or warnings > (baseline.warnings or 0):
            return None
        dump = normalized_ast(code)
        if dump is None or dump == baseline.dump:
            return None
        return (name, region.start, region.end, dump)

    def accept(self, edits: Sequence[Edit]) -> bool:
        """Whether the candidate is valid and new; records it as seen if so."""
        try:
            apply_to_files(self.files, edits)
        except (KeyError, ValueError):
            return False
        by_file: dict[str, list[Edit]] = {}
        for edit in edits:
            by_file.setdefault(edit.file, []).append(edit)
        keys = []
        for name in sorted(by_file):
            key = self._key(name, by_file[name])
            if key is None:
                return False
            keys.append(key)
        if tuple(keys) in self.seen:
            return False
        self.seen.add(tuple(keys))
        return True
