"""Exception-type operators: widen or retarget what an `except` clause catches."""

from __future__ import annotations

import re
from collections.abc import Iterator

from tree_sitter import Node

from solver.analysis.syntax import SCOPES, enclosing, text
from solver.generators.search.edits import Edit
from solver.generators.search.ops_operators import rank_weight
from solver.generators.search.site import Site

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
