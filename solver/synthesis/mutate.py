"""Procedural bugs: small tree-sitter edits inside function bodies (SWE-smith's procedural mode).

    mutants_of(root, source_dirs, seed, limit) ─► every site in every source file
        operator          `<` → `<=`, `+` → `-`, `and` → `or`, `in` → `not in`, ...
        remove-condition  `if c: body` → `body`; `a and b` → `a`
        remove-statement  one statement of a block dropped (or replaced by `pass`)
        invert-branch     `if c:` → `if not (c):`; `not c` → `c`
        shift-bound       an integer literal n → n ± 1 (indices, slices, ranges, limits)
        swap-arguments    two positional arguments of a call exchanged
        swap-operands, wrong-name, negate-return, loop-condition, infinite-loop
                          (solver.synthesis.kinds)
        module-level      operators, integers and statements of module and class bodies
                          (import-time faults: constants, tables, definitions)
    ─► shuffled with the seed, each applied alone, kept when it still compiles.
    combine(a, b) ─► a two-location bug: two kept mutants of one file at once.

Pure: reads files, never writes. Test files and configuration are never mutated.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from tree_sitter import Node

from solver.analysis.syntax import parse, text
from solver.synthesis.kinds import KINDS, bound_names, kind_sites
from tasks.paths import is_test_file

FAMILIES = (
    "operator", "remove-condition", "remove-statement", "invert-branch", "shift-bound",
    "swap-arguments", *KINDS, "module-level",
)
TWO_LOCATIONS = "two-location"
MODULE_LEVEL_REMOVABLE = frozenset({"expression_statement", "if_statement", "for_statement"})
SWAPS = {
    "<": "<=", "<=": "<", ">": ">=", ">=": ">", "==": "!=", "!=": "==", "in": "not in",
    "not in": "in", "is": "is not", "is not": "is", "+": "-", "-": "+", "*": "/", "/": "*",
    "//": "/", "%": "//", "and": "or", "or": "and", "<<": ">>", ">>": "<<", "&": "|", "|": "&",
    "+=": "-=", "-=": "+=",
}
NOT_LIBRARY = frozenset({"setup.py", "_version.py"})
REMOVABLE = frozenset({
    "expression_statement", "return_statement", "if_statement", "for_statement",
    "raise_statement", "assert_statement", "augmented_assignment",
})


@dataclass(frozen=True)
class Edit:
    """One replacement of a byte span of a file."""

    file: str
    family: str
    start: int
    end: int
    replacement: str
    line: int
    """1-based first line of the replaced span."""
    end_line: int
    function: str
    description: str


@dataclass(frozen=True)
class Mutant:
    """A file of the tree with one edit applied; `source` compiles."""

    file: str
    """Repo-relative posix path."""
    family: str
    description: str
    function: str
    line: int
    end_line: int
    original: str
    source: str
    edits: tuple[Edit, ...] = ()
    """The edits of `original` that make `source` (two for a two-location bug)."""

    @property
    def spans(self) -> list[tuple[int, int]]:
        """(first, last) line of each edited node."""
        return [(e.line, e.end_line) for e in self.edits] or [(self.line, self.end_line)]


def is_mutable(path: str) -> bool:
    """Library code: not a test, nor the packaging and version files a mutant would only break."""
    return not is_test_file(path) and PurePosixPath(path).name not in NOT_LIBRARY


def source_files(root: Path, source_dirs: list[str]) -> list[str]:
    """Repo-relative .py files under `source_dirs`, tests left out, sorted."""
    found: set[str] = set()
    for folder in source_dirs:
        base = root / folder
        for path in [base] if base.is_file() else base.rglob("*.py"):
            relative = path.relative_to(root).as_posix()
            if is_mutable(relative):
                found.add(relative)
    return sorted(found)


Names = dict[str, str] | None
"""The kinds of the names the enclosing function binds; None outside functions."""


def walk_functions(root: Node) -> Iterator[tuple[Node, str, Names]]:
    """Named nodes with the dotted name of their function (and class), and that function's
    bound names (None at module and class level)."""
    stack: list[tuple[Node, str, Names]] = [(root, "", None)]
    while stack:
        node, scope, names = stack.pop()
        if node.is_named and node is not root:
            yield node, scope, names
        if node.type in ("function_definition", "class_definition"):
            name = node.child_by_field_name("name")
            scope = f"{scope}.{text(name)}".lstrip(".") if name else scope
            if node.type == "function_definition":
                names = {**(names or {}), **bound_names(node)}
        stack.extend((child, scope, names) for child in reversed(node.named_children))


def edits_of(file: str, source: bytes) -> list[Edit]:
    """Every mutation site of one file, in source order."""
    tree = parse(source)
    edits: list[Edit] = []
    for node, function, names in walk_functions(tree.root_node):
        if _is_docstring(node):
            continue
        sites = _sites(node, names) if names is not None else _module_sites(node)
        for family, start, end, new, what in sites:
            edits.append(Edit(
                file=file, family=family, start=start, end=end, replacement=new,
                line=node.start_point.row + 1, end_line=node.end_point.row + 1,
                function=function or "<module>", description=what,
            ))
    return edits


def _module_sites(node: Node) -> Iterator[tuple[str, int, int, str, str]]:
    """Module and class bodies (run at import): operators, integers, whole statements."""
    if node.type in ("function_definition", "decorated_definition", "class_definition"):
        return
    sites: Iterator[tuple[str, int, int, str, str]] = iter(())
    if node.type in ("binary_operator", "boolean_operator", "comparison_operator"):
        sites = _operator_sites(node)
    elif node.type == "integer":
        sites = _bound_sites(node)
    elif node.type in MODULE_LEVEL_REMOVABLE and node.parent is not None and \
            node.parent.type in ("module", "block") and not _is_bare_literal(node):
        sites = iter([("remove-statement", node.start_byte, node.end_byte,
                       "pass" if node.parent.type == "block" else "",
                       f"statement `{_short(node)}` removed")])
    for _family, start, end, new, what in sites:
        yield "module-level", start, end, new, f"at import: {what}"


def _sites(node: Node, names: dict[str, str]) -> Iterator[tuple[str, int, int, str, str]]:
    """(family, start byte, end byte, replacement, description) of the edits rooted at `node`."""
    yield from kind_sites(node, names)
    kind = node.type
    if kind in ("binary_operator", "boolean_operator", "comparison_operator",
                "augmented_assignment"):
        yield from _operator_sites(node)
    if kind == "boolean_operator":
        yield from _drop_operand_sites(node)
    if kind == "if_statement":
        yield from _if_sites(node)
    if kind == "not_operator":
        argument = node.child_by_field_name("argument")
        if argument is not None:
            yield ("invert-branch", node.start_byte, node.end_byte, text(argument),
                   f"`{text(node)}` → `{text(argument)}`")
    if kind == "block":
        yield from _statement_sites(node)
    if kind == "integer":
        yield from _bound_sites(node)
    if kind == "argument_list":
        yield from _swap_sites(node)


def _operator_sites(node: Node) -> Iterator[tuple[str, int, int, str, str]]:
    for child in node.children:
        if child.is_named:
            continue
        old = text(child)
        new = SWAPS.get(old)
        if new is None:
            continue
        yield "operator", child.start_byte, child.end_byte, new, f"`{old}` → `{new}`"


def _drop_operand_sites(node: Node) -> Iterator[tuple[str, int, int, str, str]]:
    for keep in ("left", "right"):
        kept = node.child_by_field_name(keep)
        if kept is not None:
            yield ("remove-condition", node.start_byte, node.end_byte, text(kept),
                   f"`{_short(node)}` → `{_short(kept)}`")


def _if_sites(node: Node) -> Iterator[tuple[str, int, int, str, str]]:
    condition = node.child_by_field_name("condition")
    if condition is None:
        return
    cond = text(condition)
    yield ("invert-branch", condition.start_byte, condition.end_byte, f"not ({cond})",
           f"`if {_short(condition)}` inverted")
    body = node.child_by_field_name("consequence")
    has_alternative = node.child_by_field_name("alternative") is not None
    if body is None or has_alternative or body.start_point.row == node.start_point.row:
        return
    # `if c:\n    body` → `body` at the if's own indentation: the guard is gone.
    indent = body.start_point.column - node.start_point.column
    lines = text(body).split("\n")
    dedented = [lines[0], *(line[indent:] if line[:indent].isspace() else line
                            for line in lines[1:])]
    yield ("remove-condition", node.start_byte, node.end_byte, "\n".join(dedented),
           f"guard `if {_short(condition)}` removed")


def _statement_sites(block: Node) -> Iterator[tuple[str, int, int, str, str]]:
    statements = [c for c in block.named_children if c.type != "comment"]
    for statement in statements:
        if statement.type not in REMOVABLE or _is_docstring(statement):
            continue
        if statement.type == "expression_statement" and _is_bare_literal(statement):
            continue
        new = "" if len(statements) > 1 else "pass"
        start = statement.start_byte
        end = statement.end_byte
        yield ("remove-statement", start, end, new,
               f"statement `{_short(statement)}` removed")


def _bound_sites(node: Node) -> Iterator[tuple[str, int, int, str, str]]:
    old = text(node)
    if not old.isdigit() or len(old) > 6:
        return
    value = int(old)
    for new in (value + 1, value - 1):
        if new < 0:
            continue
        yield "shift-bound", node.start_byte, node.end_byte, str(new), f"`{old}` → `{new}`"


def _swap_sites(node: Node) -> Iterator[tuple[str, int, int, str, str]]:
    skip = ("keyword_argument", "list_splat", "dictionary_splat", "comment")
    positional = [c for c in node.named_children if c.type not in skip]
    for left, right in zip(positional, positional[1:], strict=False):
        a, b = text(left), text(right)
        if a == b:
            continue
        start = node.start_byte
        between = (node.text or b"")[left.end_byte - start:right.start_byte - start]
        new = b + between.decode("utf-8") + a
        yield ("swap-arguments", left.start_byte, right.end_byte, new,
               f"arguments `{_short(left)}` and `{_short(right)}` swapped")


def _is_docstring(node: Node) -> bool:
    target = node
    if target.type == "string" and target.parent is not None:
        target = target.parent
    return target.type == "expression_statement" and _is_bare_literal(target)


def _is_bare_literal(statement: Node) -> bool:
    children = statement.named_children
    return len(children) == 1 and children[0].type in ("string", "concatenated_string",
                                                       "ellipsis", "integer")


def _short(node: Node, limit: int = 60) -> str:
    line = " ".join(text(node).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def apply_edit(source: bytes, edit: Edit) -> str:
    return (source[:edit.start] + edit.replacement.encode("utf-8") + source[edit.end:]).decode(
        "utf-8")


def compiles(source: str, file: str) -> bool:
    try:
        compile(source, file, "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return False
    return True


def mutants_of(
    root: Path, source_dirs: list[str], seed: int = 0, limit: int | None = None,
    families: tuple[str, ...] = FAMILIES,
) -> list[Mutant]:
    """Up to `limit` compiling mutants of the source files under `root`, deterministic by seed.

    The sites are shuffled with `seed`, then taken round-robin over families, so a small limit
    still spreads over every kind of bug.
    """
    sources = {f: (root / f).read_bytes() for f in source_files(root, source_dirs)}
    by_family: dict[str, list[Edit]] = {family: [] for family in families}
    for file, data in sources.items():
        for edit in edits_of(file, data):
            if edit.family in by_family:
                by_family[edit.family].append(edit)
    rng = random.Random(seed)
    for edits in by_family.values():
        rng.shuffle(edits)
    return list(_take(by_family, sources, limit))


def _take(
    by_family: dict[str, list[Edit]], sources: dict[str, bytes], limit: int | None
) -> Iterator[Mutant]:
    queues = [list(edits) for edits in by_family.values()]
    produced, seen = 0, set()
    while any(queues) and (limit is None or produced < limit):
        for queue in queues:
            if not queue or (limit is not None and produced >= limit):
                continue
            edit = queue.pop(0)
            original = sources[edit.file].decode("utf-8")
            mutated = apply_edit(sources[edit.file], edit)
            if mutated == original or (edit.file, mutated) in seen:
                continue
            if not compiles(mutated, edit.file):
                continue
            seen.add((edit.file, mutated))
            produced += 1
            yield Mutant(file=edit.file, family=edit.family, description=edit.description,
                         function=edit.function, line=edit.line, end_line=edit.end_line,
                         original=original, source=mutated, edits=(edit,))


def combine(first: Mutant, second: Mutant) -> Mutant | None:
    """Both bugs at once (one file, two functions, spans apart), or None where they cannot be:
    fixing either alone leaves the other's tests failing."""
    if first.file != second.file or first.function == second.function or \
            len(first.edits) != 1 or len(second.edits) != 1:
        return None
    a, b = sorted((first.edits[0], second.edits[0]), key=lambda e: e.start)
    if a.end > b.start:
        return None
    source = first.original.encode("utf-8")
    mutated = apply_edit(apply_edit(source, b).encode("utf-8"), a)
    if not compiles(mutated, first.file):
        return None
    return Mutant(
        file=first.file, family=TWO_LOCATIONS, function=f"{a.function}, {b.function}",
        description=f"{a.family}: {a.description}; {b.family}: {b.description}",
        line=a.line, end_line=b.end_line, original=first.original, source=mutated,
        edits=(a, b))
