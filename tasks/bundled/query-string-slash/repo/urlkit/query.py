"""Query-string encoding and decoding."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from urllib.parse import quote, unquote_plus


def _pairs(params: Mapping | Iterable[tuple[str, object]]) -> Iterable[tuple[str, object]]:
    if isinstance(params, Mapping):
        return params.items()
    return params


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def encode_query(params, *, safe: str = "/", sort: bool = False, skip_none: bool = True) -> str:
    """Encode ``params`` (a mapping or a sequence of pairs) as a query string.

    * list / tuple values repeat the key (``a=1&a=2``);
    * ``None`` values are dropped unless ``skip_none`` is false (then ``key=``);
    * booleans become ``true`` / ``false``;
    * every character except the unreserved ones (letters, digits, ``-._~``)
      and those in ``safe`` is percent-encoded, spaces as ``%20``.
    """
    items = []
    for key, value in _pairs(params):
        values = value if isinstance(value, (list, tuple)) else [value]
        for v in values:
            if v is None:
                if skip_none:
                    continue
                v = ""
            items.append((quote(str(key), safe=safe), quote(_text(v), safe=safe)))
    if sort:
        items.sort()
    return "&".join(f"{k}={v}" for k, v in items)


def parse_query(query: str) -> dict[str, list[str]]:
    """Inverse of :func:`encode_query`: every key maps to the list of its values."""
    result: dict[str, list[str]] = {}
    query = query.lstrip("?")
    for part in query.split("&"):
        if not part:
            continue
        key, _, value = part.partition("=")
        result.setdefault(unquote_plus(key), []).append(unquote_plus(value))
    return result
