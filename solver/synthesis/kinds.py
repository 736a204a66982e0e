"""Bug kinds beyond one-token edits, as tree-sitter sites (used by solver.synthesis.mutate).

    swap-operands   `lo <= x and x < hi` → `x <= lo and ...`: operands of a comparison
                    nested in a boolean expression (or a chained one) exchanged
    wrong-name      a name read in a function replaced by another name bound there of the same
                    kind (both parameters, plural or singular alike; the same annotation; or
                    assigned the same kind of literal)
    negate-return   `return x > 0` → `return not (x > 0)`; `return True` → `return False`
    loop-condition  `while c` → `while not (c)`; `range(a, b)` → `range(a, b - 1)`;
                    `range(n)` → `range(1, n)`; `break` / `continue` removed
    infinite-loop   the statement that advances a `while` loop removed (kept when a test hangs)

Each site is (family, start byte, end byte, replacement, description). Pure.
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from solver.analysis.syntax import text, walk

Site = tuple[str, int, int, str, str]
KINDS = ("swap-operands", "wrong-name", "negate-return", "loop-condition", "infinite-loop")
ORDERED = frozenset({"<", "<=", ">", ">="})
BOOLISH = frozenset({"comparison_operator", "boolean_operator", "not_operator", "true", "false"})
READ_PARENTS = frozenset({"argument_list", "binary_operator", "comparison_operator",
                          "return_statement", "subscript"})
NESTED_IN = frozenset({"boolean_operator", "not_operator", "parenthesized_expression"})


def kind_sites(node: Node, names: dict[str, str]) -> Iterator[Site]:
    """The sites rooted at `node` (inside a function whose bound names' kinds are `names`)."""
    kind = node.type
    if kind == "comparison_operator":
        yield from _swap_operand_sites(node)
    elif kind == "identifier":
        yield from _wrong_name_sites(node, names)
    elif kind == "return_statement":
        yield from _negate_return_sites(node)
    elif kind == "while_statement":
        yield from _while_sites(node)
    elif kind == "call":
        yield from _range_sites(node)
    elif kind in ("break_statement", "continue_statement"):
        yield ("loop-condition", node.start_byte, node.end_byte, "pass", f"`{text(node)}` removed")


def _short(node: Node, limit: int = 50) -> str:
    line = " ".join(text(node).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _swap_operand_sites(node: Node) -> Iterator[Site]:
    operands = [c for c in node.children if c.is_named]
    operators = [text(c) for c in node.children if not c.is_named]
    chained = len(operands) > 2
    if not chained and (node.parent is None or node.parent.type not in NESTED_IN):
        return
    if not chained and operators[0] not in ORDERED:
        return
    left, right = operands[0], operands[1]
    if text(left) == text(right):
        return
    between = (node.text or b"")[left.end_byte - node.start_byte:right.start_byte -
                                 node.start_byte].decode("utf-8")
    yield ("swap-operands", left.start_byte, right.end_byte, text(right) + between + text(left),
           f"operands of `{_short(node)}` swapped")


def bound_names(function: Node) -> dict[str, str]:
    """Names a function binds → a kind: `param` (unannotated), the annotation, or the kind of
    literal assigned; names assigned something else are left out."""
    found: dict[str, str] = {}
    parameters = function.child_by_field_name("parameters")
    for param in parameters.named_children if parameters is not None else []:
        if param.type == "identifier":
            # plural names hold collections, singular ones items: a cheap stand-in for a type
            found[text(param)] = "param:" + ("many" if text(param).endswith("s") else "one")
        elif param.type in ("typed_parameter", "typed_default_parameter"):
            name = next((c for c in param.named_children if c.type == "identifier"), None)
            annotation = param.child_by_field_name("type")
            if name is not None and annotation is not None:
                found[text(name)] = "type:" + text(annotation)
    body = function.child_by_field_name("body")
    for node in walk(body, frozenset({"function_definition", "class_definition", "lambda"})) \
            if body is not None else []:
        if node.type == "assignment":
            target, value = node.child_by_field_name("left"), node.child_by_field_name("right")
            if target is not None and target.type == "identifier" and value is not None \
                    and value.type in ("integer", "float", "string", "list", "dictionary",
                                       "set", "true", "false", "tuple"):
                found.setdefault(text(target), "literal:" + value.type.replace("false", "true"))
    found.pop("self", None)
    found.pop("cls", None)
    return found


def _wrong_name_sites(node: Node, names: dict[str, str]) -> Iterator[Site]:
    parent = node.parent
    if parent is None or parent.type not in READ_PARENTS:
        return
    if parent.type == "subscript" and parent.child_by_field_name("value") == node:
        return
    name = text(node)
    kind = names.get(name)
    if kind is None:
        return
    others = sorted(n for n, k in names.items() if k == kind and n != name)
    for other in others[:2]:
        yield ("wrong-name", node.start_byte, node.end_byte, other,
               f"`{name}` → `{other}` in `{_short(parent)}`")


def _negate_return_sites(node: Node) -> Iterator[Site]:
    value = next((c for c in node.named_children), None)
    if value is None:
        return
    if value.type in ("true", "false"):
        new = "False" if value.type == "true" else "True"
        yield ("negate-return", value.start_byte, value.end_byte, new, f"`return {text(value)}`"
               f" → `return {new}`")
        return
    boolish = value.type in BOOLISH - {"not_operator", "true", "false"} or (
        value.type == "call" and text(value.child_by_field_name("function") or value)
        .rsplit(".", 1)[-1].lstrip("_").startswith(("is", "has", "can", "should")))
    if boolish:
        yield ("negate-return", value.start_byte, value.end_byte, f"not ({text(value)})",
               f"`return {_short(value)}` negated")


def _while_sites(node: Node) -> Iterator[Site]:
    condition = node.child_by_field_name("condition")
    body = node.child_by_field_name("body")
    if condition is None or body is None:
        return
    if condition.type != "true":
        yield ("loop-condition", condition.start_byte, condition.end_byte,
               f"not ({text(condition)})", f"`while {_short(condition)}` inverted")
    read = {text(n) for n in walk(condition) if n.type == "identifier"}
    for statement in body.named_children:
        target = _advanced_name(statement)
        if target and target in read:
            new = "pass" if len(body.named_children) == 1 else ""
            yield ("infinite-loop", statement.start_byte, statement.end_byte, new,
                   f"`{_short(statement)}` (advancing `while {_short(condition)}`) removed")


def _advanced_name(statement: Node) -> str:
    if statement.type != "expression_statement" or not statement.named_children:
        return ""
    inner = statement.named_children[0]
    if inner.type not in ("augmented_assignment", "assignment"):
        return ""
    target = inner.child_by_field_name("left")
    return text(target) if target is not None and target.type == "identifier" else ""


def _range_sites(node: Node) -> Iterator[Site]:
    function = node.child_by_field_name("function")
    arguments = node.child_by_field_name("arguments")
    if function is None or arguments is None or text(function) != "range":
        return
    if node.parent is None or node.parent.type != "for_statement":
        return
    args = [a for a in arguments.named_children if a.type != "comment"]
    if len(args) == 1:
        yield ("loop-condition", args[0].start_byte, args[0].end_byte, f"1, {text(args[0])}",
               f"`range({_short(args[0])})` starts at 1")
    elif len(args) == 2:
        yield ("loop-condition", args[1].start_byte, args[1].end_byte, f"{text(args[1])} - 1",
               f"`range({_short(arguments)[1:-1]})` stops one early")
