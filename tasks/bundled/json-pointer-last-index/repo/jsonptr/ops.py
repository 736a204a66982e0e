"""Mutating operations (in place), following RFC 6902 ``add`` / ``remove``."""

from __future__ import annotations

from typing import Any

from .errors import PointerError
from .pointer import array_index, parse, step


def _parent(document: Any, pointer: str) -> tuple[Any, str]:
    tokens = parse(pointer)
    if not tokens:
        raise PointerError(pointer, "the document root cannot be the target")
    node = document
    for token in tokens[:-1]:
        node = step(pointer, node, token)
    return node, tokens[-1]


def add(document: Any, pointer: str, value: Any) -> Any:
    """Insert into an array (shifting later elements) or set an object member."""
    parent, last = _parent(document, pointer)
    if isinstance(parent, dict):
        parent[last] = value
    elif isinstance(parent, list):
        parent.insert(array_index(pointer, last, parent, for_insert=True), value)
    else:
        raise PointerError(pointer, f"cannot add to {type(parent).__name__}")
    return document


def remove(document: Any, pointer: str) -> Any:
    """Remove the target and return it."""
    parent, last = _parent(document, pointer)
    if isinstance(parent, dict):
        if last not in parent:
            raise PointerError(pointer, f"no member {last!r}")
        return parent.pop(last)
    if isinstance(parent, list):
        return parent.pop(array_index(pointer, last, parent))
    raise PointerError(pointer, f"cannot remove from {type(parent).__name__}")
