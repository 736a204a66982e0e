"""Operator replacement and condition operators: comparison, arithmetic, boolean, negation,
condition expansion and reduction."""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from solver.analysis.syntax import text, walk
from solver.generators.search.edits import Edit
from solver.generators.search.site import Site

COMPARISONS = {
    "<": ("<=", ">", ">=", "==", "!="),
    "<=": ("<", ">=", ">", "==", "!="),
    ">": (">=", "<", "<=", "==", "!="),
    ">=": (">", "<=", "<", "==", "!="),
    "==": ("!=", "<=", ">=", "<", ">", "is"),
    "!=": ("==", "<", ">", "is not"),
    "is": ("is not", "=="),
    "is not": ("is", "!="),
    "in": ("not in",),
    "not in": ("in",),
}
ARITHMETIC = {
    "+": ("-", "*"),
    "-": ("+",),
    "*": ("/", "//", "+", "**"),
    "/": ("//", "*"),
    "//": ("/", "%", "*"),
    "%": ("//",),
    "**": ("*",),
    "&": ("|", "^"),
    "|": ("&", "^"),
    "^": ("|", "&"),
    "<<": (">>",),
    ">>": ("<<",),
}
AUGMENTED = {
    "+=": ("-=", "=", "*="),
    "-=": ("+=", "="),
    "*=": ("/=", "//=", "+="),
    "/=": ("//=", "*="),
    "//=": ("/=", "%="),
    "%=": ("//=",),
    "|=": ("&=",),
    "&=": ("|=",),
}
_LOOSE = frozenset({"boolean_operator", "conditional_expression", "lambda", "named_expression"})
_ATOMIC = frozenset(
    {
        "identifier",
        "call",
        "attribute",
        "subscript",
        "parenthesized_expression",
        "true",
        "false",
        "none",
        "integer",
        "string",
    }
)


def rank_weight(index: int) -> float:
    """The weight of the index-th alternative an operator's table lists."""
    return 1.0 / (1.0 + 0.15 * index)


def parenthesize(node: Node) -> str:
    """The node's text, in parentheses when it binds looser than a boolean operand."""
    return f"({text(node)})" if node.type in _LOOSE else text(node)


def negated(node: Node) -> str:
    """`not e`, parenthesizing e unless it is atomic."""
    if node.type == "not_operator":
        argument = node.child_by_field_name("argument")
        return text(argument) if argument is not None else text(node)
    return f"not {text(node)}" if node.type in _ATOMIC else f"not ({text(node)})"


def replace_comparison(site: Site) -> Iterator[Edit]:
    """`<` → `<=` and friends, `is` ↔ `is not`, `in` ↔ `not in`."""
    for node in site.of_type("comparison_operator"):
        for op in node.children:
            for index, new in enumerate(COMPARISONS.get(op.type, ()) if not op.is_named else ()):
                yield site.edit(op, new, "comparison", f"`{op.type}` → `{new}`", rank_weight(index))


def replace_arithmetic(site: Site) -> Iterator[Edit]:
    """Binary and augmented-assignment operator replacement; `x = e` → `x += e`."""
    for node in site.of_type("binary_operator", "augmented_assignment"):
        op = node.child_by_field_name("operator")
        if op is None:
            continue
        table = ARITHMETIC if node.type == "binary_operator" else AUGMENTED
        for index, new in enumerate(table.get(op.type, ())):
            yield site.edit(op, new, "arithmetic", f"`{op.type}` → `{new}`", rank_weight(index))
    yield from _accumulate(site)


def _accumulate(site: Site) -> Iterator[Edit]:
    for node in site.of_type("assignment"):
        left = node.child_by_field_name("left")
        right = node.child_by_field_name("right")
        bound = site.scope.variable(text(left)) if left is not None else None
        if left is None or right is None or bound is None or node.child_by_field_name("type"):
            continue
        if bound.kind == "param" or bound.row < node.start_point.row:
            for index, op in enumerate(("+=", "-=")):
                yield site.replace(
                    left.end_byte,
                    right.start_byte,
                    f" {op} ",
                    "arithmetic",
                    f"`=` → `{op}`",
                    0.8 * rank_weight(index),
                )


def swap_boolean(site: Site) -> Iterator[Edit]:
    """`and` ↔ `or`."""
    for node in site.of_type("boolean_operator"):
        op = node.child_by_field_name("operator")
        if op is not None:
            new = "or" if op.type == "and" else "and"
            yield site.edit(op, new, "boolean", f"`{op.type}` → `{new}`")


def negate_condition(site: Site) -> Iterator[Edit]:
    """Negate a condition or one operand of its `and`/`or`; remove a `not`."""
    conditions = list(site.conditions())
    for condition in conditions:
        yield site.edit(condition, negated(condition), "negation", "negate the condition")
        if condition.type == "boolean_operator":
            for operand in condition.named_children:
                yield site.edit(
                    operand,
                    parenthesize_negation(operand),
                    "negation",
                    f"negate `{text(operand)}`",
                    0.7,
                )
    for node in site.of_type("not_operator"):
        if node.id not in {c.id for c in conditions}:
            yield site.edit(node, negated(node), "negation", "remove `not`", 0.8)


def parenthesize_negation(node: Node) -> str:
    """A negated operand of a boolean operator, kept as one operand."""
    result = negated(node)
    return f"({result})" if node.type == "not_operator" and result.startswith("(") else result


def _names_for_conditions(site: Site, condition: Node) -> list[str]:
    used = [text(n) for n in walk(condition) if n.type == "identifier"]
    names = [n for n in dict.fromkeys(used) if site.scope.variable(n) is not None]
    names += [b.name for b in site.scope.params if b.name not in names]
    return names[:3]


def expand_condition(site: Site) -> Iterator[Edit]:
    """Add a disjunct or conjunct built from in-scope names: `x is None or c`, `c and x`, ..."""
    for condition in site.conditions():
        c = parenthesize(condition)
        for name in _names_for_conditions(site, condition):
            forms = (
                f"{name} is None or {c}",
                f"{c} or {name} is None",
                f"{name} is not None and {c}",
                f"{c} and {name}",
                f"{c} and {name} is not None",
                f"not {name} or {c}",
                f"{c} or not {name}",
                f"{c} and not {name}",
            )
            for index, form in enumerate(forms):
                yield site.edit(
                    condition,
                    form,
                    "condition_expansion",
                    f"`{text(condition)}` → `{form}`",
                    rank_weight(index),
                )


def reduce_condition(site: Site) -> Iterator[Edit]:
    """Drop a disjunct or conjunct."""
    for condition in site.conditions():
        nodes = [condition, *walk(condition)]
        for node in (n for n in nodes if n.type == "boolean_operator"):
            for operand in (node.child_by_field_name("left"), node.child_by_field_name("right")):
                if operand is not None:
                    yield site.edit(
                        node,
                        text(operand),
                        "condition_reduction",
                        f"`{text(node)}` → `{text(operand)}`",
                    )
