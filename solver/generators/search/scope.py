"""The names visible at a site: parameters, locals, attributes of self, module names; their types.

Types are coarse guesses ("int", "str", "list", ...) from literals, annotations and a few calls;
operators use them to keep replacements to names of the same kind.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterator
from dataclasses import dataclass

from tree_sitter import Node

from solver.analysis.syntax import SCOPES, text, walk

BUILTINS = frozenset(dir(builtins))
_NESTED = SCOPES | {
    "list_comprehension",
    "set_comprehension",
    "dictionary_comprehension",
    "generator_expression",
}
_LITERAL_TYPES = {
    "integer": "int",
    "float": "float",
    "string": "str",
    "concatenated_string": "str",
    "list": "list",
    "list_comprehension": "list",
    "dictionary": "dict",
    "dictionary_comprehension": "dict",
    "set": "set",
    "set_comprehension": "set",
    "tuple": "tuple",
    "true": "bool",
    "false": "bool",
    "none": "none",
    "comparison_operator": "bool",
    "not_operator": "bool",
}
_CALL_TYPES = {
    "int": "int",
    "len": "int",
    "sum": "int",
    "round": "int",
    "abs": "int",
    "float": "float",
    "str": "str",
    "repr": "str",
    "list": "list",
    "sorted": "list",
    "dict": "dict",
    "set": "set",
    "tuple": "tuple",
    "bool": "bool",
    "isinstance": "bool",
    "any": "bool",
    "all": "bool",
    "callable": "bool",
    "hasattr": "bool",
    "frozenset": "set",
    "deque": "list",
    "defaultdict": "dict",
    "Counter": "dict",
    "OrderedDict": "dict",
    "iter": "iterator",
    "zip": "iterator",
    "map": "iterator",
    "filter": "iterator",
    "enumerate": "iterator",
    "reversed": "iterator",
}
_ANNOTATION_TYPES = {
    "int": "int",
    "float": "float",
    "str": "str",
    "bool": "bool",
    "list": "list",
    "List": "list",
    "Sequence": "list",
    "dict": "dict",
    "Dict": "dict",
    "Mapping": "dict",
    "set": "set",
    "Set": "set",
    "tuple": "tuple",
    "Tuple": "tuple",
    "None": "none",
}
_INT_OPERATORS = frozenset({"-", "//", "%", ">>", "<<", "&", "|", "^"})
"""With an int operand these give an int (or at least a number): `i - 1`, `n // 2`."""
EMPTY_OF_TYPE = {
    "int": "0",
    "float": "0.0",
    "str": '""',
    "list": "[]",
    "dict": "{}",
    "set": "set()",
    "tuple": "()",
    "bool": "False",
    "none": "None",
}


@dataclass(frozen=True)
class Binding:
    """A name bound in a scope: where first, how, and its guessed type."""

    name: str
    kind: str
    """"param", "local" or "attr" (an attribute of self)."""
    row: int
    type: str | None = None
    loop: bool = False
    """Bound as a `for` target: an element of what it iterates (an int over `range`), never a
    missing value and no number to shift unless it counts."""


@dataclass(frozen=True)
class Scope:
    """What a site can name."""

    params: tuple[Binding, ...] = ()
    locals: tuple[Binding, ...] = ()
    attributes: tuple[Binding, ...] = ()
    module: frozenset[str] = frozenset()
    return_type: str | None = None

    @property
    def variables(self) -> tuple[Binding, ...]:
        """Parameters then locals."""
        return self.params + self.locals

    def variable(self, name: str) -> Binding | None:
        """The parameter or local called `name`."""
        return next((b for b in self.variables if b.name == name), None)

    def is_known(self, name: str) -> bool:
        """Whether `name` resolves here (variable, module name or builtin)."""
        return self.variable(name) is not None or name in self.module or name in BUILTINS


def type_of(node: Node | None) -> str | None:
    """A coarse type guess for an expression node."""
    if node is None:
        return None
    if node.type == "parenthesized_expression" and node.named_children:
        return type_of(node.named_children[0])
    if node.type in _LITERAL_TYPES:
        return _LITERAL_TYPES[node.type]
    if node.type == "call":
        function = node.child_by_field_name("function")
        return _CALL_TYPES.get(text(function).rpartition(".")[2]) if function else None
    if node.type == "binary_operator":
        sides = {type_of(node.child_by_field_name(f)) for f in ("left", "right")}
        operator = node.child_by_field_name("operator")
        if "int" in sides and operator is not None and text(operator) in _INT_OPERATORS:
            return "int"
        return next((t for t in ("list", "str", "tuple") if t in sides), None)
    if node.type == "unary_operator":
        return type_of(node.child_by_field_name("argument"))
    return None


def annotation_type(node: Node | None) -> str | None:
    """A coarse type guess from an annotation like `int`, `list[int]` or `Optional[str]`."""
    if node is None:
        return None
    words = text(node).replace("[", " ").replace("|", " ").replace(",", " ").split()
    head = words[0].split(".")[-1] if words else ""
    if head == "Optional" and len(words) > 1:
        head = words[1]
    return _ANNOTATION_TYPES.get(head)


def target_names(node: Node) -> Iterator[Node]:
    """Identifiers bound by an assignment target (tuples and lists unpacked)."""
    if node.type == "identifier":
        yield node
    elif node.type in {
        "pattern_list",
        "tuple_pattern",
        "list_pattern",
        "tuple",
        "list",
        "expression_list",
        "list_splat_pattern",
        "parenthesized_expression",
        "as_pattern_target",
    }:
        for child in node.named_children:
            yield from target_names(child)


def _parameters(function: Node) -> Iterator[Binding]:
    params = function.child_by_field_name("parameters")
    for param in params.named_children if params is not None else ():
        name: Node | None
        if param.type == "identifier":
            name, type_ = param, None
        else:
            name = param.child_by_field_name("name") or next(
                (c for c in param.named_children if c.type == "identifier"), None
            )
            value = param.child_by_field_name("value")
            type_ = annotation_type(param.child_by_field_name("type")) or type_of(value)
            if type_ == "none":
                type_ = None
        if name is not None and text(name) not in {"self", "cls"}:
            yield Binding(text(name), "param", param.start_point.row, type_)


def _bound_in(node: Node) -> Iterator[tuple[Node, str | None]]:
    """(identifier, type guess) pairs a statement-level node binds."""
    if node.type == "assignment":
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        guess = annotation_type(node.child_by_field_name("type")) or type_of(right)
        for name in target_names(left) if left is not None else ():
            yield name, guess if left is not None and left.type == "identifier" else None
    elif node.type in {"for_statement", "for_in_clause"}:
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        counts = right is not None and right.type == "call" and type_of(right) is None \
            and text(right.child_by_field_name("function") or right) == "range"
        for name in target_names(left) if left is not None else ():
            yield name, "int" if counts and left is not None and left.type == "identifier" else None
    elif node.type == "augmented_assignment":
        left = node.child_by_field_name("left")
        for name in target_names(left) if left is not None else ():
            yield name, None
    elif node.type == "named_expression":
        target = node.child_by_field_name("name")
        if target is not None:
            yield target, type_of(node.child_by_field_name("value"))
    elif node.type == "as_pattern_target":
        yield from ((name, None) for name in target_names(node))


def _locals(function: Node, params: set[str]) -> Iterator[Binding]:
    body = function.child_by_field_name("body")
    seen = set(params)
    for node in walk(body, _NESTED) if body is not None else ():
        for name, guess in _bound_in(node):
            if text(name) not in seen:
                seen.add(text(name))
                loop = node.type in {"for_statement", "for_in_clause"}
                yield Binding(text(name), "local", name.start_point.row, guess, loop)


def _self_attributes(klass: Node) -> Iterator[Binding]:
    body = klass.child_by_field_name("body")
    methods = {
        text(n.child_by_field_name("name") or n)
        for n in (body.named_children if body is not None else ())
        if n.type == "function_definition"
    }
    seen: set[str] = set()
    for statement in body.named_children if body is not None else ():
        # class-level fields (dataclasses, attrs, NamedTuple): `name: type = default`
        inner = statement.named_children[0] if statement.named_children else None
        left = inner.child_by_field_name("left") if inner is not None else None
        if inner is not None and inner.type == "assignment" and left is not None \
                and left.type == "identifier" and inner.child_by_field_name("type") is not None:
            seen.add(text(left))
            guess = annotation_type(inner.child_by_field_name("type"))
            yield Binding(text(left), "attr", left.start_point.row, guess)
    for node in walk(klass):
        obj, attr = node.child_by_field_name("object"), node.child_by_field_name("attribute")
        if node.type != "attribute" or obj is None or attr is None or text(obj) != "self":
            continue
        name = text(attr)
        if name not in seen and name not in methods:
            seen.add(name)
            yield Binding(name, "attr", node.start_point.row)


def module_names(root: Node) -> frozenset[str]:
    """Names bound at module level: definitions, imports and assignments."""
    names: set[str] = set()
    for node in root.named_children:
        inner = node.child_by_field_name("definition") or node
        if inner.type in {"function_definition", "class_definition"}:
            names.add(text(inner.child_by_field_name("name") or inner))
        elif inner.type in {"import_statement", "import_from_statement"}:
            names.update(_imported(inner))
        elif inner.type == "expression_statement":
            for child in inner.named_children:
                names.update(text(n) for n, _ in _bound_in(child))
    return frozenset(names)


def _imported(node: Node) -> Iterator[str]:
    for child in node.named_children:
        if child.type == "aliased_import":
            alias = child.child_by_field_name("alias")
            yield text(alias) if alias is not None else ""
        elif child.type == "dotted_name" and node.child_by_field_name("module_name") != child:
            yield text(child).split(".")[0]


def return_type(function: Node) -> str | None:
    """The function's return type: annotated, or guessed from its non-None returns."""
    annotated = annotation_type(function.child_by_field_name("return_type"))
    if annotated is not None:
        return annotated
    body = function.child_by_field_name("body")
    for node in walk(body, SCOPES) if body is not None else ():
        if node.type == "return_statement" and node.named_children:
            guess = type_of(node.named_children[0])
            if guess not in {None, "none"}:
                return guess
    return None


def class_attributes(klass: Node | None) -> tuple[Binding, ...]:
    """The attributes of self a class uses, methods excluded."""
    return tuple(_self_attributes(klass)) if klass is not None else ()


def build_scope(
    function: Node | None, attributes: tuple[Binding, ...], module: frozenset[str]
) -> Scope:
    """The scope of a site inside `function` (whose class uses `attributes`), or at module
    level."""
    params = tuple(_parameters(function)) if function is not None else ()
    local = tuple(_locals(function, {p.name for p in params})) if function is not None else ()
    return Scope(
        params=params,
        locals=local,
        attributes=attributes,
        module=module,
        return_type=return_type(function) if function is not None else None,
    )
