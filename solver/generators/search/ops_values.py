"""Value operators: off-by-one, constants, expression expansion and reduction, wrap and unwrap,
return values and default arguments."""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from solver.analysis.syntax import SCOPES, field_of, text, walk
from solver.generators.search.edits import Edit
from solver.generators.search.ops_operators import rank_weight
from solver.generators.search.scope import EMPTY_OF_TYPE, Binding, type_of
from solver.generators.search.site import Site, body_statements

_LITERALS = frozenset(
    {"integer", "float", "string", "true", "false", "none", "concatenated_string"}
)
_ATOMIC = frozenset(
    {
        "identifier",
        "call",
        "attribute",
        "subscript",
        "parenthesized_expression",
        "integer",
        "float",
        "list",
        "dictionary",
        "tuple",
        "string",
    }
)
_NOT_VALUES = frozenset(
    {
        "keyword_argument",
        "list_splat",
        "dictionary_splat",
        "comment",
        "parenthesized_expression",
        "generator_expression",
    }
)
_CONSTANTS = {
    "true": ("False",),
    "false": ("True",),
    "none": ("0", '""', "[]", "{}", "False"),
    "float": ("0.0", "1.0"),
    "list": ("None",),
    "dictionary": ("None",),
}
_UNWRAPPABLE = frozenset(
    {
        "len",
        "abs",
        "int",
        "float",
        "str",
        "list",
        "sorted",
        "reversed",
        "tuple",
        "set",
        "round",
        "bool",
    }
)
_NUMERIC = frozenset({"int", "float"})
ELEMENT_WEIGHT = 0.3
"""Arithmetic and clamps on a loop's element (of an unknown kind) rank well below the rest."""
_WRAPPERS = (
    ("max(0, {e})", _NUMERIC),
    ("abs({e})", _NUMERIC),
    ("len({e})", {"list", "str", "dict", "set", "tuple"}),
    ("{e}[1:]", {"list", "str", "tuple"}),
    ("{e}[:-1]", {"list", "str", "tuple"}),
    ("int({e})", {"float", "str"}),
    ("list({e})", {"set", "tuple", "dict"}),
    ("str({e})", _NUMERIC),
    ("sorted({e})", {"list", "set", "tuple", "dict"}),
)


def atom(node: Node) -> str:
    """The node's text, parenthesized unless it is atomic."""
    return text(node) if node.type in _ATOMIC else f"({text(node)})"


def _int_value(node: Node) -> int | None:
    try:
        return int(text(node), 0)
    except ValueError:
        return None


def positional_args(call: Node) -> list[Node]:
    """The positional arguments of a call."""
    args = call.child_by_field_name("arguments")
    if args is None or args.type != "argument_list":
        return []
    return [a for a in args.named_children if a.type not in _NOT_VALUES]


def _bound_expressions(site: Site) -> Iterator[tuple[Node, float]]:
    """Expressions that act as bounds or indices: range() args, slice bounds, indices, operands."""
    for node in site.of_type("call"):
        function = node.child_by_field_name("function")
        if function is not None and text(function) == "range":
            yield from ((arg, 1.0) for arg in positional_args(node))
    for node in site.of_type("slice"):
        yield from ((child, 1.0) for child in node.named_children)
    for node in site.of_type("subscript"):
        index = node.child_by_field_name("subscript")
        if index is not None and index.type != "slice":
            yield index, 0.9
    for node in site.of_type("comparison_operator"):
        yield from ((operand, 0.8) for operand in node.named_children)


def shift_by_one(site: Site) -> Iterator[Edit]:
    """Integer literals ±1; bounds, slices and indices `e` → `e + 1`, `e - 1`."""
    for node in site.of_type("integer"):
        value = _int_value(node)
        for index, new in enumerate((value + 1, value - 1) if value is not None else ()):
            yield site.edit(
                node, str(new), "off_by_one", f"`{value}` → `{new}`", rank_weight(index)
            )
    for node, weight in _bound_expressions(site):
        if node.type in _LITERALS or node.type == "unary_operator":
            continue
        for index, form in enumerate(("{} + 1", "{} - 1")):
            shifted = form.format(atom(node))
            yield site.edit(
                node, shifted, "off_by_one", f"`{text(node)}` → `{shifted}`",
                weight * rank_weight(index),
            )


def replace_constant(site: Site) -> Iterator[Edit]:
    """0/1/-1, True/False, None, "" / [] / {} replacements."""
    for node in site.expressions:
        if node.type == "integer":
            value = _int_value(node)
            options = tuple(str(v) for v in (0, 1, -1) if v != value)
        elif node.type == "string":
            if _is_constant_string(node):
                continue
            options = ("None",) if text(node) in {'""', "''"} else ('""',)
        elif node.type in {"list", "dictionary"} and node.named_children:
            continue
        else:
            options = _CONSTANTS.get(node.type, ())
        for index, new in enumerate(options):
            yield site.edit(
                node, new, "constant", f"`{text(node)}` → `{new}`", 0.8 * rank_weight(index)
            )


def _is_constant_string(node: Node) -> bool:
    """Docstrings and f-strings are left alone."""
    docstring = node.parent is not None and node.parent.type == "expression_statement"
    return docstring or text(node).startswith(("f", "F", '"""', "'''"))


def value_positions(site: Site) -> Iterator[Node]:
    """Expressions whose value flows on: assigned, returned, passed as arguments."""
    for node in site.expressions:
        if node.type in {"assignment", "augmented_assignment"}:
            right = node.child_by_field_name("right")
            if right is not None:
                yield right
        elif node.type == "return_statement" and node.named_children:
            yield node.named_children[0]
        elif node.type == "call":
            yield from positional_args(node)
    if site.statement.type == "return_statement" and site.statement.named_children:
        yield site.statement.named_children[0]


def _numeric_names(site: Site, exclude: str) -> list[Binding]:
    return [b for b in site.scope.variables if b.name != exclude and b.type in {None, *_NUMERIC}]


def expand_expression(site: Site) -> Iterator[Edit]:
    """`e` → `e + v`, `e - v` with in-scope numeric names, `e + 1`, `e - 1`."""
    for node in dict.fromkeys(value_positions(site)):
        if _guess_type(site, node) not in {None, *_NUMERIC} or node.type in _LITERALS:
            continue
        element = _loop_element(site, node)
        forms = ["{} + 1", "{} - 1"]
        forms += [
            f"{{}} {op} {b.name}" for b in _numeric_names(site, text(node))[:3] for op in ("+", "-")
        ]
        for index, form in enumerate(forms):
            new = form.format(atom(node))
            yield site.edit(
                node,
                new,
                "expression_expansion",
                f"`{text(node)}` → `{new}`",
                0.8 * rank_weight(index) * (ELEMENT_WEIGHT if element else 1.0),
            )


def reduce_expression(site: Site) -> Iterator[Edit]:
    """Drop one operand of a binary operator, or a unary minus."""
    for node in site.of_type("binary_operator", "unary_operator"):
        if node.type == "unary_operator":
            operands = [node.child_by_field_name("argument")]
        else:
            operands = [node.child_by_field_name("left"), node.child_by_field_name("right")]
        for index, operand in enumerate(o for o in operands if o is not None):
            yield site.edit(
                node,
                text(operand),
                "expression_reduction",
                f"`{text(node)}` → `{text(operand)}`",
                rank_weight(index),
            )


def wrap_expression(site: Site) -> Iterator[Edit]:
    """`e` → `max(0, e)`, `abs(e)`, `len(e)`, `e[1:]`, `e[:-1]`, ..."""
    positions = list(value_positions(site))
    for node in site.of_type("comparison_operator"):
        positions.extend(node.named_children)
    for node in dict.fromkeys(positions):
        if node.type in _LITERALS:
            continue
        guess = _guess_type(site, node)
        weight = 0.8 * (ELEMENT_WEIGHT if _loop_element(site, node) else 1.0)
        for index, (form, types) in enumerate(_WRAPPERS):
            if guess is None or guess in types:
                new = form.format(e=text(node) if "{e}[" not in form else atom(node))
                yield site.edit(
                    node, new, "wrap", f"`{text(node)}` → `{new}`", weight * rank_weight(index)
                )


def _loop_element(site: Site, node: Node) -> bool:
    """An element a `for` takes from something other than `range`: its kind is unknown, so
    arithmetic or clamping on it is a guess of last resort."""
    bound = site.scope.variable(text(node)) if node.type == "identifier" else None
    return bound is not None and bound.loop and bound.type is None


def _guess_type(site: Site, node: Node) -> str | None:
    if node.type == "identifier":
        bound = site.scope.variable(text(node))
        return bound.type if bound is not None else None
    return type_of(node)


def unwrap_expression(site: Site) -> Iterator[Edit]:
    """`len(e)`, `abs(e)`, `max(0, e)`, `e[1:]` → `e`."""
    for node in site.of_type("call"):
        function, args = node.child_by_field_name("function"), positional_args(node)
        name = text(function) if function is not None else ""
        if (name in _UNWRAPPABLE and len(args) == 1) or (name in {"max", "min"} and len(args) == 2):
            for index, arg in enumerate(args):
                yield site.edit(
                    node, text(arg), "unwrap", f"`{text(node)}` → `{text(arg)}`", rank_weight(index)
                )
    for node in site.of_type("subscript"):
        value, index_node = node.child_by_field_name("value"), node.child_by_field_name("subscript")
        if value is not None and index_node is not None and index_node.type == "slice":
            yield site.edit(node, text(value), "unwrap", f"`{text(node)}` → `{text(value)}`")


def change_return(site: Site) -> Iterator[Edit]:
    """Return another value: None, the empty value of the return type, `not e`, another name;
    add a missing `return`."""
    scope, statement = site.scope, site.statement
    if statement.type == "return_statement":
        value = statement.named_children[0] if statement.named_children else None
        options = _return_options(site, value)
        for index, new in enumerate(options):
            yield site.edit(
                statement,
                f"return {new}",
                "return_value",
                f"`{text(statement)}` → `return {new}`",
                rank_weight(index),
            )
    if site.function is None or _has_return(site.function):
        return
    body = body_statements(site.function)
    names = [b.name for b in reversed(scope.locals)][:3] + [b.name for b in scope.params][:1]
    for index, name in enumerate(names):
        edit = (
            site.insert_after(
                body[-1],
                [f"return {name}"],
                "return_value",
                f"add `return {name}`",
                rank_weight(index),
            )
            if body
            else None
        )
        if edit is not None:
            yield edit


def _has_return(function: Node) -> bool:
    body = function.child_by_field_name("body")
    nodes = walk(body, SCOPES) if body is not None else iter(())
    return any(n.type in {"return_statement", "yield"} for n in nodes)


def _return_options(site: Site, value: Node | None) -> list[str]:
    scope = site.scope
    options = ["None"] if value is None or value.type != "none" else []
    empty = EMPTY_OF_TYPE.get(scope.return_type or "")
    if empty is not None and empty != "None":
        options.append(empty)
    if value is not None and (type_of(value) == "bool" or scope.return_type == "bool"):
        options.append(f"not {atom(value)}")
    current = text(value) if value is not None else ""
    compatible = [
        b.name
        for b in scope.variables
        if b.name != current and (scope.return_type is None or b.type in {None, scope.return_type})
    ]
    options.extend(compatible[:4])
    return [o for o in options if o != current]


_DEFAULT_OPTIONS = {
    "none": ("0", '""', "False", "()"),
    "true": ("False",),
    "false": ("True",),
    "string": ('""', "None"),
    "list": ("None", "()"),
    "dictionary": ("None",),
    "float": ("0.0", "None"),
}


def replace_default(site: Site) -> Iterator[Edit]:
    """A default argument value of the enclosing function replaced (`=None` → `=0`, ...)."""
    params = site.function.child_by_field_name("parameters") if site.function else None
    for param in params.named_children if params is not None else ():
        value = param.child_by_field_name("value")
        if value is None or field_of(value) != "value":
            continue
        if value.type == "integer":
            current = _int_value(value) or 0
            options = tuple(
                dict.fromkeys(str(v) for v in (0, 1, -1, current + 1, current - 1) if v != current)
            ) + ("None",)
        else:
            options = _DEFAULT_OPTIONS.get(value.type, ())
        for index, new in enumerate(options):
            yield site.edit(
                value,
                new,
                "default_argument",
                f"default `{text(value)}` → `{new}`",
                0.6 * rank_weight(index),
            )
