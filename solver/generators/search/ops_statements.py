"""Statement operators: deletion, insertion of a statement copied from the module (GenProg),
increments. Guards and `raise` are in ops_guards, exception types in ops_exceptions."""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from solver.analysis.syntax import (
    CLAUSES,
    COMPOUND,
    DEFINITIONS,
    SCOPES,
    enclosing,
    field_of,
    indent_of,
    line_end,
    line_start,
    text,
    walk,
)
from solver.generators.search.edits import Edit
from solver.generators.search.ops_operators import rank_weight
from solver.generators.search.site import Module, Site, body_statements

_SIMPLE = frozenset(
    {
        "expression_statement",
        "return_statement",
        "raise_statement",
        "assert_statement",
        "continue_statement",
        "break_statement",
        "delete_statement",
    }
)
TERMINAL = frozenset(
    {"return_statement", "raise_statement", "continue_statement", "break_statement"}
)
LOOPS = frozenset({"for_statement", "while_statement"})


def is_docstring(node: Node) -> bool:
    return node.type == "expression_statement" and [c.type for c in node.named_children] == [
        "string"
    ]


def delete_statement(site: Site) -> Iterator[Edit]:
    """Delete the statement (a lone statement in its block becomes `pass`)."""
    statement = site.statement
    if statement.type in DEFINITIONS | CLAUSES | {"pass_statement"} or is_docstring(statement):
        return
    weight = 0.5 if statement.type in COMPOUND else 1.0
    siblings = statement.parent.named_children if statement.parent is not None else []
    if len([s for s in siblings if s.type != "comment"]) == 1:
        yield site.edit(statement, "pass", "deletion", f"delete `{_first_line(statement)}`", weight)
        return
    rest = site.source[statement.end_byte : line_end(site.source, statement.end_byte)].strip()
    if indent_of(site.source, statement) is None or (rest and not rest.startswith(b"#")):
        return
    start = line_start(site.source, statement.start_byte)
    yield site.replace(
        start,
        line_end(site.source, statement.end_byte),
        "",
        "deletion",
        f"delete `{_first_line(statement)}`",
        weight,
    )


def _first_line(node: Node) -> str:
    return text(node).splitlines()[0] if text(node) else ""


def insertion_anchors(site: Site) -> Iterator[tuple[Node, bool]]:
    """(statement, before?) places to insert at: around the site statement, or the first
    statement of a compound statement's body."""
    statement = site.statement
    if statement.type in COMPOUND:
        body = body_statements(statement)
        if body:
            yield body[0], True
        if statement.type not in DEFINITIONS:
            yield statement, True
        return
    if statement.type in CLAUSES:
        block = next((c for c in statement.named_children if c.type == "block"), None)
        if block is not None and block.named_children:
            yield block.named_children[0], True
        return
    yield statement, True
    if statement.type not in TERMINAL:
        yield statement, False


def _simple_statements(module: Module) -> list[Node]:
    return [
        n
        for n in module.nodes
        if n.type in _SIMPLE and not is_docstring(n) and n.start_point.row == n.end_point.row
    ]


def _donors(site: Site) -> list[Node]:
    row = site.statement.start_point.row
    found: dict[str, tuple[tuple[int, int], Node]] = {}
    for node in site.module.memo("simple_statements", _simple_statements):
        if node.start_byte <= site.statement.start_byte < node.end_byte:
            continue
        same = (
            site.function is not None
            and enclosing(node, frozenset({"function_definition"})) == site.function
        )
        key = (0 if same else 1, abs(node.start_point.row - row))
        if text(node) not in found or key < found[text(node)][0]:
            found[text(node)] = (key, node)
    return [node for _, node in sorted(found.values(), key=lambda item: item[0])][:6]


def _free_names(site: Site, donor: Node) -> list[Node]:
    free = []
    for node in walk(donor):
        field, parent = field_of(node), node.parent
        if node.type != "identifier" or parent is None or site.scope.is_known(text(node)):
            continue
        if (parent.type == "attribute" and field == "attribute") or (
            parent.type == "keyword_argument" and field == "name"
        ):
            continue
        free.append(node)
    return free


def _renamings(site: Site, donor: Node) -> Iterator[str]:
    free = _free_names(site, donor)
    if not free:
        yield text(donor)
        return
    if len({text(n) for n in free}) > 1:
        return
    row = site.statement.start_point.row
    names = sorted(site.scope.variables, key=lambda b: (abs(b.row - row), b.name))[:2]
    for binding in names:
        code = site.source[donor.start_byte : donor.end_byte]
        for node in sorted(free, key=lambda n: n.start_byte, reverse=True):
            start, end = node.start_byte - donor.start_byte, node.end_byte - donor.start_byte
            code = code[:start] + binding.name.encode() + code[end:]
        yield code.decode()


def insert_statement(site: Site) -> Iterator[Edit]:
    """Copy a statement from elsewhere in the module before or after the site, renaming a free
    name to an in-scope one where needed."""
    for index, donor in enumerate(_donors(site)):
        for code in _renamings(site, donor):
            for anchor, before in insertion_anchors(site):
                where = "before" if before else "after"
                insert = site.insert_before if before else site.insert_after
                edit = insert(
                    anchor,
                    [code],
                    "insertion",
                    f"insert `{code}` {where}",
                    rank_weight(index) * (1.0 if before else 0.9),
                )
                if edit is not None:
                    yield edit


def _counters(site: Site) -> list[str]:
    names = [b.name for b in site.scope.locals if b.type == "int" and not b.loop]
    body = site.function.child_by_field_name("body") if site.function else None
    for node in walk(body, SCOPES) if body is not None else ():
        left = node.child_by_field_name("left") if node.type == "augmented_assignment" else None
        if left is not None and left.type == "identifier" and text(left) not in names:
            names.append(text(left))
    if site.statement.type == "while_statement":
        condition = site.statement.child_by_field_name("condition")
        used = [text(n) for n in walk(condition)] if condition is not None else []
        names = [n for n in names if n in used] + [n for n in names if n not in used]
    return names[:3]


def insert_increment(site: Site) -> Iterator[Edit]:
    """Add a missing `x += 1` (or `x -= 1`) after the site or at the end of its loop body."""
    anchors: list[tuple[Node, float]] = []
    if site.statement.type in LOOPS:
        anchors.append((body_statements(site.statement)[-1], 1.0))
    elif site.statement.type not in COMPOUND | CLAUSES | TERMINAL:
        anchors.append((site.statement, 1.0))
    loop = enclosing(site.statement, LOOPS | SCOPES)
    if loop is not None and loop.type in LOOPS and site.statement.type not in LOOPS:
        anchors.append((body_statements(loop)[-1], 0.9))
    for anchor, weight in anchors:
        if anchor.type in TERMINAL:
            continue
        for index, name in enumerate(_counters(site)):
            for op_index, op in enumerate(("+=", "-=")):
                edit = site.insert_after(
                    anchor,
                    [f"{name} {op} 1"],
                    "increment",
                    f"add `{name} {op} 1`",
                    weight * rank_weight(index) * (1.0 - 0.3 * op_index),
                )
                if edit is not None:
                    yield edit
