"""Result and condition shapes of classic one-line bugs: a call wrapped around a yielded or
returned value, a result that should be negated, a constant result that should test a local,
a loop that should run while a collection holds items, a literal that should be a local."""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from solver.analysis.syntax import SCOPES, text, walk
from solver.generators.search.edits import Edit
from solver.generators.search.ops_operators import rank_weight
from solver.generators.search.ops_values import atom, positional_args
from solver.generators.search.scope import Binding, type_of
from solver.generators.search.site import Site, body_statements

COLLECTIONS = frozenset({"list", "dict", "set", "tuple", "str"})
_STORE_METHODS = frozenset({"append", "add", "extend", "appendleft", "put", "insert", "update"})
_TAKE_METHODS = frozenset({"pop", "popleft", "popitem", "get_nowait"})
_NOT_VALUES = frozenset({"none", "true", "false", "integer", "float", "string"})


def results(site: Site) -> Iterator[Node]:
    """What the statement hands on: a returned or yielded value."""
    if site.statement.type == "return_statement" and site.statement.named_children:
        yield site.statement.named_children[0]
    for node in site.of_type("yield"):
        values = [c for c in node.named_children if c.type != "comment"]
        if values and not text(node).startswith("yield from"):
            yield values[0]


def _stored(site: Site) -> Iterator[Node]:
    """Arguments handed to a collection: `out.append(v)`, `seen.add(v)`."""
    for call in site.of_type("call"):
        function = call.child_by_field_name("function")
        method = function.child_by_field_name("attribute") if function is not None else None
        if method is not None and text(method) in _STORE_METHODS:
            yield from positional_args(call)[:1]


def unwrap_call(site: Site) -> Iterator[Edit]:
    """`yield f(x)`, `return f(x)`, `out.append(f(x))` → the argument itself."""
    for index, value in enumerate(dict.fromkeys([*results(site), *_stored(site)])):
        args = positional_args(value) if value.type == "call" else []
        arguments = value.child_by_field_name("arguments")
        if len(args) != 1 or arguments is None or len(arguments.named_children) != 1:
            continue
        yield site.edit(value, text(args[0]), "unwrap_call",
                        f"`{text(value)}` → `{text(args[0])}`", rank_weight(index))


def _boolish(site: Site, value: Node) -> bool:
    function = value.child_by_field_name("function") if value.type == "call" else None
    name = text(function).rpartition(".")[2] if function is not None else ""
    return (type_of(value) == "bool" or site.scope.return_type == "bool"
            or name.startswith(("is_", "has_", "can_", "should_")))


def negate_result(site: Site) -> Iterator[Edit]:
    """`return any(...)` → `return not any(...)`, `yield not ok` → `yield ok`."""
    for value in results(site):
        if value.type in _NOT_VALUES:
            continue
        argument = value.child_by_field_name("argument")
        if value.type == "not_operator" and argument is not None:
            new = text(argument)
        else:
            new = f"not {atom(value)}"
        weight = 1.0 if _boolish(site, value) else 0.4
        yield site.edit(value, new, "negate_result", f"`{text(value)}` → `{new}`", weight)


def _changed_names(function: Node | None) -> list[str]:
    """Names the function changes after binding them (`n += 1`, `stack.append(..)`): what a
    result that summarises the work should look at; in source order."""
    body = function.child_by_field_name("body") if function is not None else None
    found: list[str] = []
    for node in walk(body, SCOPES) if body is not None else ():
        target = None
        if node.type == "augmented_assignment":
            target = node.child_by_field_name("left")
        elif node.type == "call":
            callee = node.child_by_field_name("function")
            if callee is not None and callee.type == "attribute":
                method = callee.child_by_field_name("attribute")
                if method is not None and text(method) in _STORE_METHODS | _TAKE_METHODS:
                    target = callee.child_by_field_name("object")
        if target is not None and target.type == "identifier" and text(target) not in found:
            found.append(text(target))
    return found


def _conditions_over(binding: Binding, truth: bool) -> list[str]:
    """Tests of `binding` likeliest meant where a constant `truth` stands, likeliest first."""
    name = binding.name
    if binding.type in COLLECTIONS:
        return [f"not {name}", f"len({name}) == 0"] if truth else [f"bool({name})", f"not {name}"]
    if binding.type in {"int", "float"}:
        return [f"{name} == 0", f"{name} >= 0"] if truth else [f"{name} != 0", f"{name} > 0"]
    if binding.type == "bool":
        return [name, f"not {name}"]
    return [f"not {name}", f"{name} == 0"] if truth else [name, f"{name} != 0"]


def condition_return(site: Site) -> Iterator[Edit]:
    """`return True` → `return depth == 0`, `return not stack`: a constant result that should
    test what the function built up (names it changes first, then its other locals)."""
    statement = site.statement
    value = statement.named_children[0] if statement.named_children else None
    if statement.type != "return_statement" or value is None or value.type not in {"true",
                                                                                    "false"}:
        return
    changed = _changed_names(site.function)
    scope = site.scope
    ranked = [b for n in changed if (b := scope.variable(n)) is not None and not b.loop]
    ranked += [b for b in scope.locals if b not in ranked and not b.loop][:3]
    for index, binding in enumerate(ranked[:5]):
        for alternative, condition in enumerate(_conditions_over(binding, value.type == "true")):
            yield site.edit(value, condition, "condition_return",
                            f"`{text(statement)}` → `return {condition}`",
                            rank_weight(index) * (1.0 if alternative == 0 else 0.6))


def _taken_from(loop: Node) -> list[str]:
    """Collections the loop body takes items from (`queue.popleft()`, `stack.pop()`)."""
    found: list[str] = []
    for statement in body_statements(loop):
        for node in walk(statement, SCOPES):
            callee = node.child_by_field_name("function") if node.type == "call" else None
            method = callee.child_by_field_name("attribute") if callee is not None \
                and callee.type == "attribute" else None
            receiver = callee.child_by_field_name("object") if callee is not None else None
            if method is not None and text(method) in _TAKE_METHODS and receiver is not None \
                    and receiver.type == "identifier" and text(receiver) not in found:
                found.append(text(receiver))
    return found


def _dereferenced(loop: Node, name: str) -> list[str]:
    """`name.a` where the loop body also reads `name.a.b`: what must not be None either."""
    found: list[str] = []
    for statement in body_statements(loop):
        for node in walk(statement, SCOPES):
            inner = node.child_by_field_name("object") if node.type == "attribute" else None
            if inner is not None and inner.type == "attribute":
                base = inner.child_by_field_name("object")
                if base is not None and text(base) == name and text(inner) not in found:
                    found.append(text(inner))
    return found


def collection_condition(site: Site) -> Iterator[Edit]:
    """`while True:` → `while queue:` (the collection the body takes from, then the others);
    `while x is not None:` → `… and x.next is not None` where the body reads `x.next.y`."""
    loop = site.statement
    condition = loop.child_by_field_name("condition") if loop.type == "while_statement" else None
    if condition is None:
        return
    if condition.type == "true":
        names = _taken_from(loop)
        names += [b.name for b in site.scope.variables
                  if b.type in COLLECTIONS - {"str", "tuple"} and b.name not in names]
        for index, name in enumerate(names[:4]):
            yield site.edit(condition, name, "loop_condition", f"`while True` → `while {name}`",
                            rank_weight(index))
        return
    subject = condition.named_children[0] if condition.type == "comparison_operator" \
        else condition
    if subject is None or subject.type != "identifier":
        return
    if condition.type == "comparison_operator" and "is not None" not in text(condition):
        return
    suffix = " is not None" if condition.type == "comparison_operator" else ""
    for index, chain in enumerate(_dereferenced(loop, text(subject))[:2]):
        new = f"{text(condition)} and {chain}{suffix}"
        yield site.edit(condition, new, "loop_condition", f"`{text(condition)}` → `{new}`",
                        rank_weight(index))


def _literal_slots(site: Site) -> Iterator[Node]:
    """0 / 1 literals that are call arguments or operands: where a local may have been meant."""
    for node in site.of_type("integer"):
        parent = node.parent
        if text(node) in {"0", "1"} and parent is not None and parent.type in {
                "argument_list", "binary_operator"}:
            yield node


def constant_to_name(site: Site) -> Iterator[Edit]:
    """`max(0, total + x)` → `max(x, total + x)`, `d[i - 1] + 1` → `d[i - 1] + cost`: a literal
    where a nearby local (numeric or of unknown kind, bound before the site) was meant."""
    row = site.statement.start_point.row
    used = {text(n) for n in site.expressions if n.type == "identifier"}
    names = sorted((b for b in site.scope.variables
                    if b.type in {None, "int", "float"} and b.row <= row),
                   key=lambda b: (b.name not in used, row - b.row))
    for node in _literal_slots(site):
        for index, binding in enumerate(names[:4]):
            yield site.edit(node, binding.name, "constant_name",
                            f"`{text(node)}` → `{binding.name}`", rank_weight(index))
