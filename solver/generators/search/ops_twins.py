"""A missing statement with a twin in the same function: `seen.add(start)` at the top means
`seen.add(node)` where a node is reached; `out.extend(left[i:])` means `out.extend(right[j:])`
after it; `prev = None` means `prev = node` inside the loop.

A twin is a one-line call or assignment of the function. It is copied next to the site as is,
with its one argument (or assigned value) replaced by a name the site's context uses, or with
the function's parallel names swapped (`left`/`right` and `i`/`j` where the code tests
`i < len(left) and j < len(right)`).
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from solver.analysis.syntax import CLAUSES, COMPOUND, SCOPES, enclosing, field_of, text, walk
from solver.generators.search.edits import Edit
from solver.generators.search.ops_operators import rank_weight
from solver.generators.search.ops_results import COLLECTIONS
from solver.generators.search.ops_statements import LOOPS, TERMINAL
from solver.generators.search.site import Site

MAX_TWINS = 6
CONTEXT_NAMES = 3
UNRELATED = 0.4
CARRIED = 1.3
"""`prev = None` before a loop, `prev = node` inside it: the loop-carried update is the
likeliest missing twin of an initialisation."""
"""A twin acting on something neither the site nor its conditions mention is a long shot."""
_PARALLEL = frozenset({"boolean_operator", "comparison_operator"})


def _twins(site: Site) -> list[Node]:
    """One-line calls and assignments of the function, nearest the site first."""
    body = site.function.child_by_field_name("body") if site.function is not None else None
    row = site.statement.start_point.row
    found: dict[str, Node] = {}
    for node in walk(body, SCOPES) if body is not None else ():
        inner = node.named_children[0] if node.type == "expression_statement" \
            and node.named_children else None
        if inner is None or inner.type not in {"call", "assignment"} \
                or node.start_point.row != node.end_point.row:
            continue
        target = inner.child_by_field_name("left") if inner.type == "assignment" else None
        if inner.type == "assignment" and (target is None or target.type != "identifier"):
            continue
        found.setdefault(text(node), node)
    return sorted(found.values(), key=lambda n: abs(n.start_point.row - row))[:MAX_TWINS]


def _slot(twin: Node) -> Node | None:
    """The part of a twin that names what it acts on: a call's single argument, an assigned
    value that is a name or None."""
    inner = twin.named_children[0]
    if inner.type == "call":
        arguments = inner.child_by_field_name("arguments")
        args = arguments.named_children if arguments is not None else []
        return args[0] if len(args) == 1 and args[0].type in {"identifier", "none"} else None
    value = inner.child_by_field_name("right")
    return value if value is not None and value.type in {"identifier", "none"} else None


def _is_receiver(node: Node) -> bool:
    """`stack` in `stack.append(x)`: the collection acted on, not what is handed to it."""
    parent = node.parent
    return parent is not None and parent.type == "attribute" and field_of(node) == "object" \
        and parent.parent is not None and parent.parent.type == "call"


def _context(site: Site) -> list[str]:
    """What the site is about: the targets of its enclosing `for` loops, then the variables
    its statement and its enclosing conditions use (not collections it calls methods of)."""
    holders: list[Node] = []
    holder = enclosing(site.statement, COMPOUND | CLAUSES | SCOPES)
    while holder is not None and holder.type not in SCOPES and len(holders) < 4:
        holders.append(holder)
        holder = enclosing(holder, COMPOUND | CLAUSES | SCOPES)
    targets = [h.child_by_field_name("left") for h in holders if h.type == "for_statement"]
    headers = [site.statement, *(h.child_by_field_name("condition") for h in holders)]
    names: list[str] = []
    for header in [*targets, *headers]:
        for ident in walk(header, SCOPES) if header is not None else ():
            if ident.type == "identifier" and field_of(ident) != "attribute" \
                    and not _is_receiver(ident) and site.scope.variable(text(ident)) is not None \
                    and text(ident) not in names:
                names.append(text(ident))
    return names


def _subject(twin: Node) -> str:
    """What a twin acts on: the receiver of its call, the target of its assignment."""
    inner = twin.named_children[0]
    if inner.type == "assignment":
        return text(inner.child_by_field_name("left") or inner)
    callee = inner.child_by_field_name("function")
    receiver = callee.child_by_field_name("object") if callee is not None \
        and callee.type == "attribute" else None
    return text(receiver) if receiver is not None else ""


def _mentioned(site: Site) -> set[str]:
    """Every name the site and its enclosing headers mention."""
    found: set[str] = set()
    node: Node | None = site.statement
    while node is not None and node.type not in SCOPES:
        header = node if node is site.statement else node.child_by_field_name("condition")
        if header is not None:
            found.update(text(n) for n in walk(header, SCOPES) if n.type == "identifier")
        node = enclosing(node, COMPOUND | CLAUSES | SCOPES)
    return found


def _shape(node: Node) -> tuple[str, ...]:
    return tuple(n.type for n in walk(node))


def parallel_names(site: Site) -> dict[str, str]:
    """Names that play the same part in two operands of the same shape (`i < len(left) and
    j < len(right)`: i ↔ j, left ↔ right), both ways."""
    body = site.function.child_by_field_name("body") if site.function is not None else None
    pairs: dict[str, str] = {}
    for node in walk(body, SCOPES) if body is not None else ():
        if node.type not in _PARALLEL or len(node.named_children) != 2:
            continue
        left, right = node.named_children
        if left.type == "identifier" or _shape(left) != _shape(right):
            continue
        for a, b in zip(walk(left), walk(right), strict=True):
            if a.type == "identifier" and text(a) != text(b) and field_of(a) != "function":
                pairs.setdefault(text(a), text(b))
                pairs.setdefault(text(b), text(a))
    return pairs


def _mirrored(twin: Node, pairs: dict[str, str]) -> str | None:
    code = text(twin)
    spots = [n for n in walk(twin) if n.type == "identifier" and text(n) in pairs
             and field_of(n) != "attribute"]
    for node in sorted(spots, key=lambda n: n.start_byte, reverse=True):
        start, end = node.start_byte - twin.start_byte, node.end_byte - twin.start_byte
        code = code[:start] + pairs[text(node)] + code[end:]
    return code if spots else None


def _loop_of(node: Node) -> Node | None:
    loop = enclosing(node, LOOPS | SCOPES)
    return loop if loop is not None and loop.type in LOOPS else None


def _kind(site: Site, name: Node | str) -> str | None:
    """A name's kind where it is a collection (what a slot for one element must not take)."""
    binding = site.scope.variable(name if isinstance(name, str) else text(name))
    return binding.type if binding is not None and binding.type in COLLECTIONS else None


def _variants(site: Site, twin: Node, context: list[str],
              pairs: dict[str, str]) -> Iterator[tuple[str, float]]:
    slot = _slot(twin)
    if slot is not None:
        present = {text(n) for n in walk(twin) if n.type == "identifier"}
        kind = _kind(site, slot)
        fitting = [n for n in context if n not in present and _kind(site, n) in {kind, None}]
        for index, name in enumerate(fitting):
            if index >= CONTEXT_NAMES:
                break
            start, end = slot.start_byte - twin.start_byte, slot.end_byte - twin.start_byte
            carried = CARRIED if slot.type == "none" and _loop_of(site.statement) is not None \
                and _loop_of(twin) is None else 1.0
            yield text(twin)[:start] + name + text(twin)[end:], rank_weight(index) * carried
    mirrored = _mirrored(twin, pairs)
    if mirrored is not None:
        yield mirrored, 1.0
    if twin.start_byte != site.statement.start_byte and twin.named_children[0].type == "call":
        yield text(twin), 0.9  # a copied assignment would only re-initialise


def _anchors(site: Site) -> Iterator[tuple[Node, bool, float]]:
    """(statement, before?, weight): around the site; after the compound statement the site
    ends, or heads."""
    statement = site.statement
    if statement.type in CLAUSES:
        return
    if statement.type in COMPOUND:
        yield statement, False, 0.8
        return
    yield statement, True, 1.0
    if statement.type not in TERMINAL:
        yield statement, False, 1.0
    block = statement.parent
    holder = block.parent if block is not None and block.type == "block" else None
    if holder is not None and block is not None and holder.type in COMPOUND - SCOPES \
            and block.named_children and block.named_children[-1].id == statement.id:
        yield holder, False, 0.8


def insert_twin(site: Site) -> Iterator[Edit]:
    """A twin statement of the function, adapted, inserted next to the site."""
    if site.function is None or site.statement.type == "function_definition":
        return
    context, pairs, mentioned = _context(site), parallel_names(site), _mentioned(site)
    anchors = list(_anchors(site))
    seen: set[tuple[str, int, bool]] = set()
    twins = sorted(_twins(site), key=lambda t: _subject(t) not in mentioned)
    for rank, twin in enumerate(twins):
        relevant = 1.0 if _subject(twin) in mentioned else UNRELATED
        for code, variant in _variants(site, twin, context, pairs):
            weight = relevant * variant
            for anchor, before, place in anchors:
                if (code, anchor.id, before) in seen:
                    continue
                seen.add((code, anchor.id, before))
                insert = site.insert_before if before else site.insert_after
                edit = insert(anchor, [code], "twin", f"insert twin `{code}`"
                              f" {'before' if before else 'after'}",
                              rank_weight(rank) * weight * place)
                if edit is not None:
                    yield edit
