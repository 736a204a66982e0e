"""A name confused with its counterpart: `node.left` for `node.right`, `bisect_right` for
`bisect_left`, `self.start` for `self.end`. Offered only where the counterpart exists: an
attribute the module reads somewhere, a name the module binds or imports."""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from solver.analysis.syntax import field_of, text
from solver.generators.search.edits import Edit
from solver.generators.search.site import Module, Site

COUNTERPARTS: tuple[tuple[str, str], ...] = (
    ("left", "right"), ("lo", "hi"), ("low", "high"), ("start", "end"), ("begin", "end"),
    ("first", "last"), ("min", "max"), ("head", "tail"), ("prev", "next"), ("x", "y"),
    ("row", "col"), ("rows", "cols"), ("width", "height"), ("key", "value"), ("keys", "values"),
    ("before", "after"), ("upper", "lower"), ("inner", "outer"), ("src", "dst"),
    ("source", "target"), ("old", "new"), ("top", "bottom"), ("open", "close"),
    ("lt", "gt"), ("le", "ge"), ("parent", "child"), ("pred", "succ"), ("push", "pop"),
    ("in", "out"), ("input", "output"), ("read", "write"), ("get", "set"), ("add", "remove"),
)
_SWAP = {a: b for a, b in COUNTERPARTS} | {b: a for a, b in COUNTERPARTS}
_HOLDERS = frozenset(
    {"argument_list", "binary_operator", "comparison_operator", "boolean_operator"})
REPEATED_BOOST = 1.5


def counterparts(name: str) -> list[str]:
    """`name` with one `_`-separated word swapped for its counterpart (`bisect_left` →
    `bisect_right`), whole-name swaps first."""
    words = name.split("_")
    found = []
    for index, word in enumerate(words):
        for form in (word, word.lower()):
            if form in _SWAP:
                swapped = _SWAP[form] if form == word else _SWAP[form].capitalize()
                found.append("_".join([*words[:index], swapped, *words[index + 1:]]))
                break
    return sorted(dict.fromkeys(found), key=lambda n: n.count("_"))


def _attributes(module: Module) -> frozenset[str]:
    return frozenset(text(n) for n in module.nodes
                     if n.type == "identifier" and field_of(n) == "attribute")


def replace_counterpart(site: Site) -> Iterator[Edit]:
    """An attribute or a module-level name swapped for its existing counterpart."""
    attributes = site.module.memo("attribute_names", _attributes)
    for node in site.of_type("identifier"):
        if field_of(node) == "attribute":
            known = attributes
        elif site.scope.variable(text(node)) is None and text(node) in site.module.names:
            known = site.module.names
        else:
            continue  # variables are replace_identifier's
        weight = REPEATED_BOOST if _repeated(node) else 1.0
        for other in counterparts(text(node)):
            if other in known:
                yield site.edit(node, other, "counterpart", f"`{text(node)}` → `{other}`",
                                weight)


def _operand(node: Node) -> Node:
    """The argument or operand `node` sits in (`node.left` in `f(node.left)`)."""
    while node.parent is not None and node.parent.type not in _HOLDERS:
        node = node.parent
    return node


def _repeated(node: Node) -> bool:
    """Whether the operand holding `node` has an identical sibling (`max(f(a.left),
    f(a.left))`, `x.lo - x.lo`): one of the two likely meant the counterpart."""
    operand = _operand(node)
    holder = operand.parent
    siblings = holder.named_children if holder is not None else []
    return any(s.id != operand.id and text(s) == text(operand) for s in siblings)
