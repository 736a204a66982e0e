"""Parsing and resolving pointers."""

from __future__ import annotations

import re
from typing import Any

from .errors import PointerError

_INDEX_RE = re.compile(r"^(0|[1-9][0-9]*)$")


def escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def unescape(token: str) -> str:
    # Order matters: "~01" must become "~1", not "/".
    return token.replace("~1", "/").replace("~0", "~")


def parse(pointer: str) -> list[str]:
    """Split a pointer into unescaped reference tokens (``""`` is the whole document)."""
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise PointerError(pointer, "a pointer must be empty or start with '/'")
    if re.search(r"~(?![01])", pointer):
        raise PointerError(pointer, "invalid escape sequence")
    return [unescape(t) for t in pointer[1:].split("/")]


def array_index(pointer: str, token: str, array: list, *, for_insert: bool = False) -> int:
    """Validate ``token`` as an index into ``array``.

    Existing elements are ``0 .. len - 1``; when inserting, ``len`` (or ``-``)
    is also allowed and means "append".
    """
    if token == "-":
        if for_insert:
            return len(array)
        raise PointerError(pointer, "'-' refers to the (nonexistent) element after the last")
    if not _INDEX_RE.match(token):
        raise PointerError(pointer, f"invalid array index {token!r}")
    index = int(token)
    upper = len(array) if for_insert else len(array) - 1
    if index >= upper:
        raise PointerError(pointer, f"index {index} out of range for array of length {len(array)}")
    return index


def step(pointer: str, node: Any, token: str) -> Any:
    if isinstance(node, dict):
        if token not in node:
            raise PointerError(pointer, f"no member {token!r}")
        return node[token]
    if isinstance(node, list):
        return node[array_index(pointer, token, node)]
    raise PointerError(pointer, f"cannot descend into {type(node).__name__}")


_MISSING = object()


def resolve(document: Any, pointer: str, default: Any = _MISSING) -> Any:
    """The value ``pointer`` refers to; ``default`` (if given) when it does not exist."""
    node = document
    try:
        for token in parse(pointer):
            node = step(pointer, node, token)
    except PointerError:
        if default is _MISSING or not pointer.startswith("/"):
            raise
        return default
    return node
