"""Name operators: identifier replacement, method/builtin replacement, argument and operand
swaps."""

from __future__ import annotations

from collections.abc import Iterator
from difflib import SequenceMatcher, get_close_matches

from tree_sitter import Node

from solver.analysis.syntax import field_of, text, walk
from solver.generators.search.edits import Edit
from solver.generators.search.ops_operators import rank_weight
from solver.generators.search.ops_values import positional_args
from solver.generators.search.scope import Binding
from solver.generators.search.site import Site

METHOD_GROUPS: tuple[tuple[str, ...], ...] = (
    ("min", "max"),
    ("append", "extend"),
    ("any", "all"),
    ("strip", "lstrip", "rstrip"),
    ("startswith", "endswith"),
    ("floor", "ceil"),
    ("keys", "values", "items"),
    ("remove", "discard"),
    ("index", "find"),
    ("find", "rfind"),
    ("index", "rindex"),
    ("sorted", "reversed"),
    ("int", "round"),
    ("floor", "round"),
    ("upper", "lower"),
    ("split", "rsplit"),
    ("get", "pop"),
    ("pop", "popleft"),
    ("append", "appendleft"),
    ("isdigit", "isnumeric", "isalpha", "isalnum"),
    ("list", "tuple", "set"),
    ("str", "repr"),
    ("search", "match", "fullmatch"),
    ("isupper", "islower"),
    ("capitalize", "title"),
    ("ljust", "rjust", "center"),
    ("copy", "deepcopy"),
    ("sum", "len"),
    ("add", "update"),
    ("insert", "append"),
    ("partition", "rpartition"),
    ("setdefault", "get"),
    ("issubset", "issuperset"),
    ("union", "intersection", "difference"),
)
_NON_COMMUTATIVE = frozenset({"-", "/", "//", "%", "**", "<<", ">>"})


def method_alternatives(name: str) -> list[str]:
    """Names the table pairs with `name`, in table order."""
    found: list[str] = []
    for group in METHOD_GROUPS:
        if name in group:
            found.extend(n for n in group if n != name and n not in found)
    return found


def replace_method(site: Site) -> Iterator[Edit]:
    """`min` ↔ `max`, `x.append` ↔ `x.extend`, `s.strip` → `s.rstrip`, ..."""
    for node in site.of_type("call"):
        function = node.child_by_field_name("function")
        if function is not None and function.type == "attribute":
            function = function.child_by_field_name("attribute")
        if function is None or function.type != "identifier":
            continue
        for index, new in enumerate(method_alternatives(text(function))):
            yield site.edit(
                function, new, "method", f"`{text(function)}` → `{new}`", rank_weight(index)
            )


_PARAMETERS = frozenset({"default_parameter", "typed_parameter", "typed_default_parameter"})


def _is_variable_use(node: Node) -> bool:
    """Whether an identifier reads or writes a variable (not an attribute, callee or keyword)."""
    parent, field = node.parent, field_of(node)
    if parent is None or parent.type == "parameters":
        return False
    if parent.type in _PARAMETERS or parent.type == "keyword_argument":
        return field == "value"
    if parent.type == "attribute":
        return field != "attribute"
    if parent.type == "call":
        return field != "function"
    return True


def _compatible(a: Binding, b: Binding) -> bool:
    return a.name != b.name and (a.type is None or b.type is None or a.type == b.type)


def _by_proximity(bindings: list[Binding], row: int) -> list[Binding]:
    return sorted(bindings, key=lambda b: (abs(b.row - row), b.name))


def name_affinity(old: str, new: str, statement_names: set[str]) -> float:
    """How likely `new` is a mistaken `old`'s intended name: similar names are confused more
    often (nrows / ncols, lo / hi), and a name the statement already uses is seldom meant."""
    similar = SequenceMatcher(None, old, new).ratio()
    return (0.7 + 0.3 * similar) * (0.6 if new in statement_names else 1.0)


def replace_identifier(site: Site) -> Iterator[Edit]:
    """A parameter or local replaced by another of the same kind; `self.a` → `self.b`.
    Names the enclosing loops and conditions use come first (the context of the statement,
    as in CapGen), then the nearest bound; a context name weighs more where it replaces a
    parameter (a loop body using the function's input where it meant the loop's element)."""
    row = site.statement.start_point.row
    used = {text(n) for n in site.expressions if n.type == "identifier"}
    context = context_names(site) - used
    for node in site.of_type("identifier"):
        bound = site.scope.variable(text(node))
        if bound is None or not _is_variable_use(node):
            continue
        options = [b for b in site.scope.variables if _compatible(bound, b)]
        ranked = sorted(_by_proximity(options, row), key=lambda b: b.name not in context)
        for index, other in enumerate(ranked[:6]):
            later = other.kind == "local" and other.row > row
            yield site.edit(
                node,
                other.name,
                "identifier",
                f"`{bound.name}` → `{other.name}`",
                rank_weight(index) * (0.5 if later else 1.0)
                * name_affinity(bound.name, other.name, used)
                * (CONTEXT_BOOST if other.name in context and bound.kind == "param" else 1.0),
            )
    yield from _replace_attributes(site, row, used)
    yield from _replace_computed(site, row, used)
    yield from _replace_unknown(site)


def _replace_unknown(site: Site) -> Iterator[Edit]:
    """A name nothing binds (a NameError, at import when the code is module-level) → the
    nearest-spelled names that resolve here (`SIZE` → `SIZES`)."""
    known = sorted({b.name for b in site.scope.variables} | set(site.module.names))
    for node in site.of_type("identifier"):
        name = text(node)
        if not _is_variable_use(node) or site.scope.is_known(name) or _binds(node):
            continue
        for index, other in enumerate(get_close_matches(name, known, n=3, cutoff=0.75)):
            yield site.edit(node, other, "identifier", f"`{name}` (unbound) → `{other}`",
                            rank_weight(index))


def _binds(node: Node) -> bool:
    """Whether the identifier is the target a loop, comprehension or assignment binds."""
    parent = node.parent
    return parent is not None and field_of(node) == "left" and parent.type in (
        "for_statement", "for_in_clause", "assignment", "augmented_assignment")


_COMPUTED = frozenset({"call", "binary_operator", "attribute", "subscript"})
_HEADERS = frozenset(
    {"for_statement", "while_statement", "if_statement", "elif_clause", "with_statement"}
)
CONTEXT_BOOST = 1.3


def context_names(site: Site) -> set[str]:
    """Identifiers in the headers of the compound statements around the site, up to its
    function: what the surrounding loop iterates over and the conditions test."""
    names: set[str] = set()
    node = site.statement.parent
    while node is not None and node.type not in {"function_definition", "class_definition"}:
        if node.type in _HEADERS:
            for part in node.named_children:
                if part.type not in {"block", "else_clause", "elif_clause", "comment"}:
                    names.update(text(n) for n in walk(part) if n.type == "identifier")
                    if part.type == "identifier":
                        names.add(text(part))
        node = node.parent
    return names


def _replace_computed(site: Site, row: int, used: set[str]) -> Iterator[Edit]:
    """A computed argument or operand (`len(words)`, `n - 1`) replaced by a local bound
    earlier that may hold the intended value (`gaps`): the "use the variable, not a
    recomputation" fix of ssFix and TBar's mutate-variable pattern."""
    earlier = [b for b in site.scope.locals if b.row < row and b.name not in used]
    if not earlier:
        return
    definitions = _definitions(site)
    for node in dict.fromkeys(_computed_operands(site)):
        options = _by_proximity(earlier, row)[:3]
        for index, other in enumerate(options):
            # a local computed from this very expression (`gaps = len(words) - 1`) is the
            # likeliest intended value
            derived = text(node) in definitions.get(other.name, "")
            yield site.edit(
                node, other.name, "identifier", f"`{text(node)}` → `{other.name}`",
                (1.0 if derived else 0.6) * rank_weight(index),
            )


def _definitions(site: Site) -> dict[str, str]:
    """The right-hand side of each local's first plain assignment in the site's function."""
    body = site.function.child_by_field_name("body") if site.function else None
    found: dict[str, str] = {}
    for node in walk(body) if body is not None else ():
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if node.type == "assignment" and left is not None and right is not None \
                and left.type == "identifier":
            found.setdefault(text(left), text(right))
    return found


def _computed_operands(site: Site) -> Iterator[Node]:
    for node in site.of_type("call"):
        yield from (a for a in positional_args(node) if a.type in _COMPUTED)
    for node in site.of_type("binary_operator", "comparison_operator"):
        yield from (c for c in node.named_children if c.type in _COMPUTED)


def _replace_attributes(site: Site, row: int, used: set[str]) -> Iterator[Edit]:
    names = {b.name: b for b in site.scope.attributes}
    for node in site.of_type("attribute"):
        obj, attr = node.child_by_field_name("object"), node.child_by_field_name("attribute")
        if obj is None or attr is None or text(obj) != "self" or text(attr) not in names:
            continue
        options = [b for b in site.scope.attributes if b.name != text(attr)]
        for index, other in enumerate(_by_proximity(options, row)[:6]):
            yield site.edit(
                attr,
                other.name,
                "identifier",
                f"`self.{text(attr)}` → `self.{other.name}`",
                rank_weight(index) * name_affinity(text(attr), other.name, used),
            )


def swap_nodes(site: Site, first: Node, second: Node, operator: str, weight: float) -> Edit:
    """One edit exchanging the texts of two sibling nodes."""
    between = site.source[first.end_byte : second.start_byte].decode()
    new = text(second) + between + text(first)
    return site.replace(
        first.start_byte,
        second.end_byte,
        new,
        operator,
        f"swap `{text(first)}` and `{text(second)}`",
        weight,
    )


def swap_operands(site: Site) -> Iterator[Edit]:
    """Swap adjacent call arguments, comparison operands, subscript indices, `a - b` → `b - a`."""
    for node in site.of_type("call"):
        args = positional_args(node)
        for first, second in zip(args, args[1:], strict=False):
            yield swap_nodes(site, first, second, "swap", 1.0)
    for node in site.of_type("comparison_operator"):
        if len(node.named_children) == 2:
            left_operand, right_operand = node.named_children
            yield swap_nodes(site, left_operand, right_operand, "swap", 0.9)
    for node in site.of_type("binary_operator"):
        op = node.child_by_field_name("operator")
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if op is not None and op.type in _NON_COMMUTATIVE and left is not None and right:
            yield swap_nodes(site, left, right, "swap", 0.7)
    yield from _swap_subscripts(site)


def _swap_subscripts(site: Site) -> Iterator[Edit]:
    for node in site.of_type("subscript"):
        indices = [
            c for i, c in enumerate(node.children) if node.field_name_for_child(i) == "subscript"
        ]
        for first, second in zip(indices, indices[1:], strict=False):
            yield swap_nodes(site, first, second, "swap", 0.9)
        value = node.child_by_field_name("value")
        if value is not None and value.type == "subscript" and len(indices) == 1:
            inner = value.child_by_field_name("subscript")
            if inner is not None and inner.type != "slice" and indices[0].type != "slice":
                yield swap_nodes(site, inner, indices[0], "swap", 0.9)
