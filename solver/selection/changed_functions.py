"""Which functions of the base tree a candidate's diff changes (tree-sitter, on the base file
and the patched one): the targets of the behaviour probe."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tree_sitter import Node

from solver.analysis.syntax import parse, text
from solver.types import Candidate
from tasks.diffs import parse_diff, patched, rows_of
from tasks.paths import is_test_file

MAX_FUNCTIONS = 12
"""Functions probed per task."""


@dataclass(frozen=True)
class Function:
    """A function of the base tree that the probe can call: module level, or a method (of
    classes at any depth) — a function nested in another is probed through the outer one."""

    path: str
    qualname: str
    lines: tuple[int, ...]
    """1-based lines a code object of it starts at: its first decorator, its `def`."""
    method: bool
    """Called with `self` / `cls` first (a method that is not a staticmethod)."""

    @property
    def id(self) -> str:
        return f"{self.path}::{self.qualname}"

    @property
    def name(self) -> str:
        return self.qualname.rsplit(".", 1)[-1]

    def target(self) -> dict[str, Any]:
        return {"id": self.id, "path": self.path, "name": self.name, "qualname": self.qualname,
                "lines": list(self.lines), "method": self.method}


def definition_of(node: Node) -> Node:
    """The class or function a `decorated_definition` wraps (else `node`)."""
    if node.type == "decorated_definition":
        return node.child_by_field_name("definition") or node
    return node


def outer_function_at(root: Node, row: int) -> Node | None:
    """The outermost function holding `row` (a decorator line counts), through classes only."""
    node = root
    while True:
        child = next((c for c in node.named_children
                      if c.start_point.row <= row <= c.end_point.row), None)
        if child is None:
            return None
        if definition_of(child).type == "function_definition":
            return definition_of(child)
        node = child


def name_of(definition: Node) -> str:
    """The name a function or class definition binds."""
    name = definition.child_by_field_name("name")
    return text(name) if name is not None else ""


def describe_function(path: str, function: Node) -> Function:
    names = [name_of(function)]
    decorated = function.parent if function.parent and function.parent.type == (
        "decorated_definition") else None
    parent = function.parent
    in_class = False
    while parent is not None:
        if parent.type == "class_definition":
            names.append(name_of(parent))
            in_class = True
        parent = parent.parent
    decorators = [text(d) for d in decorated.named_children if d.type == "decorator"] if (
        decorated) else []
    static = any("staticmethod" in d for d in decorators)
    first = (decorated or function).start_point.row + 1
    lines = tuple(sorted({first, function.start_point.row + 1}))
    return Function(path, ".".join(reversed(names)), lines, in_class and not static)


def functions_of(path: str, source: str) -> dict[str, Function]:
    """Every probe-able function of a file by qualname (conditional definitions included)."""
    found: dict[str, Function] = {}

    def visit(node: Node) -> None:
        for child in node.named_children:
            if definition_of(child).type == "function_definition":
                function = describe_function(path, definition_of(child))
                known = found.get(function.qualname)
                lines = (*known.lines, *function.lines) if known else function.lines
                found[function.qualname] = Function(path, function.qualname,
                                                    tuple(sorted(set(lines))), function.method)
            else:
                visit(child)

    visit(parse(source.encode()).root_node)
    return found


def changed_functions(diff: str, files: Mapping[str, str]) -> tuple[list[Function], list[str]]:
    """The base tree's functions that `diff` changes, and notes on changes no probe reaches
    (module-level code, new functions and files, files not given)."""
    found: dict[str, Function] = {}
    notes: list[str] = []
    for change in parse_diff(diff):
        path = change.path
        if not path.endswith(".py") or is_test_file(path):
            continue
        base = files.get(path) if change.old_path else None
        if base is None:
            notes.append(f"{path}: {'new file' if not change.old_path else 'source not known'}")
            continue
        before = functions_of(path, base)
        after = patched(base, change.hunks)
        module_level = False
        for source, rows in zip((base, after), rows_of(change.hunks), strict=True):
            root = parse(source.encode()).root_node
            for row in sorted(rows):
                node = outer_function_at(root, row)
                if node is None:
                    module_level = True
                    continue
                qualname = describe_function(path, node).qualname
                if qualname in before:
                    found[before[qualname].id] = before[qualname]
                else:
                    notes.append(f"{path}::{qualname}: not in the base tree")
        if module_level:
            notes.append(f"{path}: module-level change")
    return list(found.values()), sorted(set(notes))


def touched_paths(candidates: Sequence[Candidate]) -> list[str]:
    """Source files (not tests) the candidates' diffs change in place."""
    paths = {c.path for cand in candidates for c in parse_diff(cand.diff)
             if c.old_path and c.path.endswith(".py") and not is_test_file(c.path)}
    return sorted(paths)


def plan(
    candidates: Sequence[Candidate], files: Mapping[str, str]
) -> tuple[list[Function], dict[str, str]]:
    """The functions to probe (what any candidate changes, at most MAX_FUNCTIONS) and what
    is left out."""
    functions: dict[str, Function] = {}
    skipped: dict[str, str] = {}
    for candidate in candidates:
        changed, notes = changed_functions(candidate.diff, files)
        for function in changed:
            functions.setdefault(function.id, function)
        if not changed:
            skipped[candidate.id] = "changes no function of the base tree"
        for note in notes:
            subject, _, why = note.rpartition(": ")
            skipped.setdefault(subject, why)
    kept = list(functions.values())[:MAX_FUNCTIONS]
    for function in list(functions.values())[MAX_FUNCTIONS:]:
        skipped[function.id] = f"more than {MAX_FUNCTIONS} changed functions"
    return kept, skipped
