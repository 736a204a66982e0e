"""Statement operators: deletion, insertion of a statement copied from the module (GenProg),
guards, increments, `raise` insertion."""

from __future__ import annotations

import re
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
from solver.generators.search.scope import EMPTY_OF_TYPE
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
_TERMINAL = frozenset(
    {"return_statement", "raise_statement", "continue_statement", "break_statement"}
)
_LOOPS = frozenset({"for_statement", "while_statement"})


def _is_docstring(node: Node) -> bool:
    return node.type == "expression_statement" and [c.type for c in node.named_children] == [
        "string"
    ]


def delete_statement(site: Site) -> Iterator[Edit]:
    """Delete the statement (a lone statement in its block becomes `pass`)."""
    statement = site.statement
    if statement.type in DEFINITIONS | CLAUSES | {"pass_statement"} or _is_docstring(statement):
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
    if statement.type not in _TERMINAL:
        yield statement, False


def _simple_statements(module: Module) -> list[Node]:
    return [
        n
        for n in module.nodes
        if n.type in _SIMPLE and not _is_docstring(n) and n.start_point.row == n.end_point.row
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


def guarded_names(site: Site) -> list[str]:
    """Variables the site uses that may be None or empty (parameters first, then locals of
    unknown type), then the other parameters: an input the site does not name may still be
    the one that needs the guard."""
    used = [text(n) for n in site.expressions if n.type == "identifier"]
    bindings = [b for b in map(site.scope.variable, dict.fromkeys(used)) if b is not None]
    names = [b.name for b in bindings if b.kind == "param"]
    names += [b.name for b in bindings if b.kind == "local" and b.type is None]
    names += [b.name for b in site.scope.params if b.name not in names]
    return names[:3]


def _guard_anchors(site: Site) -> list[Node]:
    anchors = [anchor for anchor, before in insertion_anchors(site) if before][:1]
    body = body_statements(site.function)
    if body and _is_docstring(body[0]):
        body = body[1:]
    if body and all(body[0].id != a.id for a in anchors):
        anchors.append(body[0])
    return anchors


def _in_loop(site: Site) -> bool:
    loop = enclosing(site.statement, _LOOPS | SCOPES)
    return loop is not None and loop.type in _LOOPS


def _guards(site: Site, name: str) -> Iterator[list[str]]:
    returns = ["None"]
    empty = EMPTY_OF_TYPE.get(site.scope.return_type or "")
    if empty is not None and empty not in returns:
        returns.insert(0, empty)
    if site.function is not None:
        for value in returns:
            yield [f"if {name} is None:", f">return {value}"]
            yield [f"if not {name}:", f">return {value}"]
        # an empty input often means "the configured fallback": return an attribute of self
        for binding in site.scope.attributes[:4]:
            yield [f"if not {name}:", f">return self.{binding.name}"]
    binding = site.scope.variable(name)
    kind = binding.type if binding is not None else None
    defaults = [EMPTY_OF_TYPE[kind]] if kind in EMPTY_OF_TYPE else ["[]", "0", '""']
    for default in defaults:
        yield [f"if {name} is None:", f">{name} = {default}"]
    if _in_loop(site):
        yield [f"if {name} is None:", ">continue"]
        yield [f"if not {name}:", ">continue"]
    if _is_recursive(site) and kind in {None, "int", "float"}:
        for test in (f"{name} <= 0", f"{name} <= 1", f"{name} == 0"):
            for value in dict.fromkeys(("1", "0", name, *returns)):
                yield [f"if {test}:", f">return {value}"]


def _is_recursive(site: Site) -> bool:
    """Whether the site calls its own function (a missing base case is then a likely bug)."""
    name = site.function.child_by_field_name("name") if site.function else None
    callees = (n.child_by_field_name("function") for n in site.of_type("call"))
    own = {text(name), f"self.{text(name)}"} if name is not None else set()
    return any(callee is not None and text(callee) in own for callee in callees)


def insert_guard(site: Site) -> Iterator[Edit]:
    """`if x is None: return None`, `if not x: return []`, `if x is None: x = 0`, before the
    site or at the start of its function."""
    for anchor_index, anchor in enumerate(_guard_anchors(site)):
        for name in guarded_names(site):
            for index, code in enumerate(_guards(site, name)):
                edit = site.insert_before(
                    anchor,
                    code,
                    "guard",
                    f"guard `{describe(code)}`",
                    rank_weight(index) * (1.0 - 0.1 * anchor_index),
                )
                if edit is not None:
                    yield edit


def describe(code: list[str]) -> str:
    """Inserted lines on one line, without their indent markers."""
    return " ".join(line.lstrip(">") for line in code)


def _counters(site: Site) -> list[str]:
    names = [b.name for b in site.scope.locals if b.type == "int"]
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
    if site.statement.type in _LOOPS:
        anchors.append((body_statements(site.statement)[-1], 1.0))
    elif site.statement.type not in COMPOUND | CLAUSES | _TERMINAL:
        anchors.append((site.statement, 1.0))
    loop = enclosing(site.statement, _LOOPS | SCOPES)
    if loop is not None and loop.type in _LOOPS and site.statement.type not in _LOOPS:
        anchors.append((body_statements(loop)[-1], 0.9))
    for anchor, weight in anchors:
        if anchor.type in _TERMINAL:
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


def _raised_types(module: Module) -> list[str]:
    types = []
    for node in module.nodes:
        if node.type == "raise_statement" and node.named_children:
            raised = node.named_children[0]
            callee = raised.child_by_field_name("function") if raised.type == "call" else raised
            if callee is not None and callee.type in {"identifier", "attribute"}:
                types.append(text(callee))
    return list(dict.fromkeys([*types, "ValueError", "TypeError"]))[:3]


def insert_raise(site: Site) -> Iterator[Edit]:
    """Re-raise in a handler that swallows; `if <bad x>: raise ValueError(...)` before the site."""
    handler = enclosing(site.statement, frozenset({"except_clause"}) | SCOPES)
    if handler is not None and handler.type == "except_clause":
        if site.statement.type == "pass_statement":
            yield site.edit(site.statement, "raise", "raise", "`pass` → `raise` in handler")
        elif site.statement.type not in _TERMINAL | COMPOUND:
            edit = site.insert_after(site.statement, ["raise"], "raise", "re-raise in handler")
            if edit is not None:
                yield edit
    anchors = _guard_anchors(site)[:1]
    for name in guarded_names(site)[:2]:
        binding = site.scope.variable(name)
        tests = [f"{name} is None", f"not {name}"]
        if binding is None or binding.type in {None, "int", "float"}:
            tests.append(f"{name} < 0")
        for index, error in enumerate(site.module.memo("raised_types", _raised_types)):
            for test_index, test in enumerate(tests):
                code = [f"if {test}:", f'>raise {error}(f"invalid {name}: {{{name}!r}}")']
                for anchor in anchors:
                    edit = site.insert_before(
                        anchor,
                        code,
                        "raise",
                        f"guard `if {test}: raise {error}`",
                        rank_weight(index + test_index),
                    )
                    if edit is not None:
                        yield edit


_EXCEPTIONAL = re.compile(r"Exception|Error|\\bexc")

EXCEPTION_TABLE = {
    "ValueError": ("(ValueError, TypeError)", "Exception", "TypeError"),
    "TypeError": ("(TypeError, ValueError)", "Exception", "ValueError"),
    "KeyError": ("LookupError", "(KeyError, IndexError)", "Exception", "IndexError"),
    "IndexError": ("LookupError", "(IndexError, KeyError)", "Exception", "KeyError"),
    "AttributeError": ("(AttributeError, TypeError)", "Exception"),
    "ZeroDivisionError": ("ArithmeticError", "(ZeroDivisionError, ValueError)", "Exception"),
    "FileNotFoundError": ("OSError", "Exception"),
    "ImportError": ("(ImportError, AttributeError)", "Exception"),
    "Exception": ("BaseException",),
}


def _handlers(site: Site) -> list[Node]:
    if site.statement.type == "except_clause":
        return [site.statement]
    try_node = enclosing(site.statement, frozenset({"try_statement"}) | SCOPES)
    if try_node is None or try_node.type != "try_statement":
        return []
    body = try_node.child_by_field_name("body")
    if body is None or not body.start_byte <= site.statement.start_byte < body.end_byte:
        return []
    return [c for c in try_node.named_children if c.type == "except_clause"]


def _caught(handler: Node) -> Node | None:
    value = handler.child_by_field_name("value") or next(
        (c for c in handler.named_children if c.type != "block"), None
    )
    if value is not None and value.type == "as_pattern" and value.named_children:
        return value.named_children[0]
    return value


def _exception_names(site: Site) -> list[str]:
    """Parameters and attributes of self that hold exception types (by annotation or default,
    e.g. `retry_on: tuple[type[Exception], ...] = (ValueError,)`): a handler may be meant to
    catch exactly those."""
    params = site.function.child_by_field_name("parameters") if site.function else None
    found = []
    for param in params.named_children if params is not None else ():
        name = param.child_by_field_name("name") or next(
            (c for c in param.named_children if c.type == "identifier"), None)
        described = text(param)
        if name is not None and name.type == "identifier" and _EXCEPTIONAL.search(described):
            found.append(text(name))
    return found[:2]


def replace_exception_type(site: Site) -> Iterator[Edit]:
    """`except ValueError` → `except (ValueError, TypeError)`, `KeyError` → `LookupError`, ..."""
    for handler in _handlers(site):
        caught = _caught(handler)
        if caught is None or caught.type == "block":
            continue
        if caught.type == "tuple":
            names = [text(c) for c in caught.named_children]
            extra = [n for n in ("ValueError", "TypeError", "KeyError") if n not in names][:2]
            options = [f"({', '.join([*names, n])})" for n in extra] + ["Exception"]
        else:
            options = list(
                EXCEPTION_TABLE.get(text(caught), (f"({text(caught)}, ValueError)", "Exception"))
            )
        options += [name for name in _exception_names(site) if name != text(caught)]
        for index, new in enumerate(options):
            yield site.edit(
                caught,
                new,
                "exception",
                f"`except {text(caught)}` → `except {new}`",
                rank_weight(index),
            )
