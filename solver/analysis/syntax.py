"""Tree-sitter parsing of Python sources, and the small node helpers the operators share."""

from __future__ import annotations

import ast
import warnings
from collections.abc import Iterator
from functools import cache

import tree_sitter_python
from tree_sitter import Language, Node, Parser, Tree

CLAUSES = frozenset(
    {
        "elif_clause",
        "else_clause",
        "except_clause",
        "except_group_clause",
        "finally_clause",
        "case_clause",
    }
)
DEFINITIONS = frozenset({"function_definition", "class_definition", "decorated_definition"})
COMPOUND = (
    frozenset(
        {
            "if_statement",
            "for_statement",
            "while_statement",
            "try_statement",
            "with_statement",
            "match_statement",
        }
    )
    | DEFINITIONS
)
SCOPES = frozenset({"function_definition", "class_definition", "lambda"})


@cache
def _parser() -> Parser:
    return Parser(Language(tree_sitter_python.language()))


def parse(source: bytes) -> Tree:
    """The tree-sitter tree of a Python source."""
    return _parser().parse(source)


def text(node: Node) -> str:
    """The source text a node spans."""
    return (node.text or b"").decode("utf-8", errors="replace")


def is_statement(node: Node) -> bool:
    """Whether a node is a statement or a clause of a compound statement."""
    return node.type.endswith("_statement") or node.type in DEFINITIONS or node.type in CLAUSES


def walk(node: Node, skip: frozenset[str] = frozenset()) -> Iterator[Node]:
    """Named descendants of `node` in source order, not descending into `skip` types."""
    stack = list(reversed(node.named_children))
    while stack:
        child = stack.pop()
        if child.type in skip:
            continue
        yield child
        stack.extend(reversed(child.named_children))


def innermost_statement(root: Node, row: int) -> Node | None:
    """The innermost statement (or clause) whose span contains the 0-based `row`."""
    found: Node | None = None
    node: Node | None = root
    while node is not None:
        nxt = None
        for child in node.named_children:
            if child.start_point.row <= row <= child.end_point.row:
                nxt = child
                break
        if nxt is not None and is_statement(nxt):
            found = nxt
        node = nxt
    return found


def enclosing(node: Node, types: frozenset[str]) -> Node | None:
    """The nearest strict ancestor of `node` of one of `types`."""
    parent = node.parent
    while parent is not None and parent.type not in types:
        parent = parent.parent
    return parent


def field_of(node: Node) -> str | None:
    """The field name under which `node` hangs from its parent."""
    parent = node.parent
    if parent is None:
        return None
    for index, child in enumerate(parent.children):
        if child.id == node.id:
            return parent.field_name_for_child(index)
    return None


def line_start(source: bytes, offset: int) -> int:
    """The byte offset of the start of the line holding `offset`."""
    return source.rfind(b"\n", 0, offset) + 1


def line_end(source: bytes, offset: int) -> int:
    """The byte offset just past the newline ending the line holding `offset`."""
    end = source.find(b"\n", offset)
    return len(source) if end < 0 else end + 1


def indent_of(source: bytes, node: Node) -> str | None:
    """The indentation of `node`'s line, or None when code precedes it on that line."""
    start = line_start(source, node.start_byte)
    prefix = source[start : node.start_byte]
    return prefix.decode() if not prefix.strip() else None


def has_syntax_error(source: bytes) -> bool:
    """Whether tree-sitter finds ERROR or MISSING nodes."""
    return parse(source).root_node.has_error


def syntax_warnings(source: str, filename: str) -> int | None:
    """The number of SyntaxWarnings compiling `source` raises, or None if it does not compile."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            compile(source, filename, "exec", dont_inherit=True)
        except (SyntaxError, ValueError):
            return None
    return sum(1 for w in caught if issubclass(w.category, SyntaxWarning))


def normalized_ast(source: str) -> str | None:
    """`ast.dump` of a source, or None when it does not parse."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return ast.dump(ast.parse(source))
        except (SyntaxError, ValueError):
            return None
