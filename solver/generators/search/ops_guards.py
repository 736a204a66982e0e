"""Guard operators: `if x is None: return ...` and friends before the site or at the start of
its function, and `raise` where a bad input or a swallowed exception should surface."""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from solver.analysis.syntax import COMPOUND, SCOPES, enclosing, text
from solver.generators.search.edits import Edit
from solver.generators.search.ops_operators import rank_weight
from solver.generators.search.ops_statements import (
    LOOPS,
    TERMINAL,
    insertion_anchors,
    is_docstring,
)
from solver.generators.search.scope import EMPTY_OF_TYPE
from solver.generators.search.site import Module, Site, body_statements


def guarded_names(site: Site) -> list[str]:
    """Variables the site uses that may be None or empty (parameters first, then locals of
    unknown type that no `for` binds), then the other parameters: an input the site does not
    name may still be the one that needs the guard."""
    used = [text(n) for n in site.expressions if n.type == "identifier"]
    bindings = [b for b in map(site.scope.variable, dict.fromkeys(used)) if b is not None]
    names = [b.name for b in bindings if b.kind == "param"]
    names += [b.name for b in bindings if b.kind == "local" and b.type is None and not b.loop]
    names += [b.name for b in site.scope.params if b.name not in names]
    return names[:3]


def _guard_anchors(site: Site) -> list[Node]:
    anchors = [anchor for anchor, before in insertion_anchors(site) if before][:1]
    body = body_statements(site.function)
    if body and is_docstring(body[0]):
        body = body[1:]
    if body and all(body[0].id != a.id for a in anchors):
        anchors.append(body[0])
    return anchors


def _in_loop(site: Site) -> bool:
    loop = enclosing(site.statement, LOOPS | SCOPES)
    return loop is not None and loop.type in LOOPS


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
    variable = site.scope.variable(name)
    kind = variable.type if variable is not None else None
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
        elif site.statement.type not in TERMINAL | COMPOUND:
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
