"""A repair site: one suspicious statement in a parsed module, with its function, class and
scope; and the module facts every site in a file shares."""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, TypeVar, cast

from tree_sitter import Node

from solver.analysis.syntax import (
    CLAUSES,
    DEFINITIONS,
    enclosing,
    indent_of,
    innermost_statement,
    line_end,
    line_start,
    parse,
    walk,
)
from solver.generators.search.edits import Edit
from solver.generators.search.scope import (
    Binding,
    Scope,
    build_scope,
    class_attributes,
    module_names,
)

T = TypeVar("T")
_NOT_REGION = CLAUSES | DEFINITIONS | {"block"}
CONDITION_HOLDERS = frozenset(
    {"if_statement", "elif_clause", "while_statement", "assert_statement"}
)


class Module:
    """A parsed file, and what every site in it shares (computed once, on first use)."""

    def __init__(self, file: str, source: bytes) -> None:
        self.file = file
        self.source = source
        self.root = parse(source).root_node
        self._attributes: dict[int | None, tuple[Binding, ...]] = {}
        self._scopes: dict[tuple[int | None, int | None], Scope] = {}
        self._memo: dict[str, Any] = {}

    def memo(self, key: str, compute: Callable[[Module], T]) -> T:
        """`compute(self)`, computed once per key: facts operators derive from the module."""
        if key not in self._memo:
            self._memo[key] = compute(self)
        return cast(T, self._memo[key])  # a key is always computed by the same `compute`

    @cached_property
    def names(self) -> frozenset[str]:
        """Names bound at module level."""
        return module_names(self.root)

    @cached_property
    def nodes(self) -> tuple[Node, ...]:
        """Every named node, in source order."""
        return tuple(walk(self.root))

    @cached_property
    def indent_unit(self) -> str:
        """One level of indentation as the file uses it."""
        for node in self.nodes:
            if node.type == "block" and node.parent is not None:
                inner, outer = indent_of(self.source, node), indent_of(self.source, node.parent)
                if inner is not None and outer is not None and len(inner) > len(outer):
                    return inner[len(outer) :]
        return "    "

    @cached_property
    def _newlines(self) -> list[int]:
        return [i for i, byte in enumerate(self.source) if byte == 10]

    def line_of(self, offset: int) -> int:
        """1-based line number of a byte offset."""
        return bisect.bisect_left(self._newlines, offset) + 1

    def scope(self, function: Node | None, klass: Node | None) -> Scope:
        """The scope inside `function` of `klass` (either may be None)."""
        key = (function.id if function else None, klass.id if klass else None)
        if key not in self._scopes:
            class_key = klass.id if klass else None
            if class_key not in self._attributes:
                self._attributes[class_key] = class_attributes(klass)
            self._scopes[key] = build_scope(function, self._attributes[class_key], self.names)
        return self._scopes[key]


@dataclass(frozen=True, eq=False)
class Site:
    """Where operators act: the statement at a suspicious line, and what surrounds it."""

    module: Module
    statement: Node
    function: Node | None
    klass: Node | None

    @property
    def file(self) -> str:
        return self.module.file

    @property
    def source(self) -> bytes:
        return self.module.source

    @property
    def root(self) -> Node:
        return self.module.root

    @property
    def line(self) -> int:
        """1-based line of the statement."""
        return self.statement.start_point.row + 1

    @cached_property
    def scope(self) -> Scope:
        return self.module.scope(self.function, self.klass)

    @cached_property
    def expressions(self) -> tuple[Node, ...]:
        """Named nodes of the statement itself (a compound statement's header, not its body)."""
        if self.statement.type == "function_definition":
            parts = [self.statement.child_by_field_name("parameters")]
        else:
            parts = [c for c in self.statement.named_children if c.type not in _NOT_REGION]
        found: list[Node] = []
        for part in parts:
            if part is not None:
                found.append(part)
                found.extend(walk(part, _NOT_REGION))
        return tuple(found)

    def of_type(self, *types: str) -> Iterator[Node]:
        """Region nodes of the given types, in source order."""
        return (n for n in self.expressions if n.type in types)

    def conditions(self) -> Iterator[Node]:
        """Conditions in the region: of if/elif/while/assert, ternaries and comprehension ifs."""
        if self.statement.type in CONDITION_HOLDERS:
            condition = self.statement.child_by_field_name("condition")
            if condition is None and self.statement.named_children:
                condition = self.statement.named_children[0]
            if condition is not None:
                yield condition
        for node in self.of_type("conditional_expression", "if_clause"):
            index = 1 if node.type == "conditional_expression" else 0
            if len(node.named_children) > index:
                yield node.named_children[index]

    def edit(
        self, node: Node, replacement: str, operator: str, description: str, weight: float = 1.0
    ) -> Edit:
        """An edit replacing `node`'s text."""
        return self.replace(
            node.start_byte, node.end_byte, replacement, operator, description, weight
        )

    def replace(
        self,
        start: int,
        end: int,
        replacement: str,
        operator: str,
        description: str,
        weight: float = 1.0,
    ) -> Edit:
        """An edit replacing bytes [start, end)."""
        where = f"{self.file}:{self.module.line_of(start)}"
        return Edit(
            self.file, start, end, replacement, operator, f"{description} at {where}", weight
        )

    def _lines(self, indent: str, code: Sequence[str]) -> str:
        unit = self.module.indent_unit
        rendered = []
        for line in code:
            depth = len(line) - len(line.lstrip(">"))
            rendered.append(indent + unit * depth + line[depth:] + "\n")
        return "".join(rendered)

    def insert_before(
        self,
        anchor: Node,
        code: Sequence[str],
        operator: str,
        description: str,
        weight: float = 1.0,
    ) -> Edit | None:
        """Insert lines before the statement `anchor`; a leading ">" per extra indent level."""
        indent = indent_of(self.source, anchor)
        if indent is None:
            return None
        at = line_start(self.source, anchor.start_byte)
        return self.replace(at, at, self._lines(indent, code), operator, description, weight)

    def insert_after(
        self,
        anchor: Node,
        code: Sequence[str],
        operator: str,
        description: str,
        weight: float = 1.0,
    ) -> Edit | None:
        """Insert lines after the statement `anchor`, at its indentation."""
        indent = indent_of(self.source, anchor)
        if indent is None:
            return None
        at = line_end(self.source, anchor.end_byte)
        lines = self._lines(indent, code)
        if not self.source[:at].endswith(b"\n"):
            lines = "\n" + lines.rstrip("\n")
        return self.replace(at, at, lines, operator, description, weight)


def build_site(module: Module, line: int) -> Site | None:
    """The site of the 1-based `line`, or None where no statement covers it."""
    statement = innermost_statement(module.root, line - 1)
    if statement is None:
        return None
    function = (
        statement
        if statement.type == "function_definition"
        else enclosing(statement, frozenset({"function_definition"}))
    )
    klass = enclosing(function or statement, frozenset({"class_definition", "function_definition"}))
    if klass is not None and klass.type != "class_definition":
        klass = None
    return Site(module, statement, function, klass)


def body_statements(node: Node | None) -> list[Node]:
    """The statements of a definition's or compound statement's body block."""
    if node is None:
        return []
    body = node.child_by_field_name("body") or node.child_by_field_name("consequence")
    return list(body.named_children) if body is not None else []
