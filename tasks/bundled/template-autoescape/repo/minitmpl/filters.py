"""Built-in filters and the :class:`Markup` marker type."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any


class Markup(str):
    """A string that is already safe HTML and must not be escaped again."""


def escape(value: Any) -> Markup:
    if isinstance(value, Markup):
        return value
    return Markup(html.escape(str(value), quote=True))


def _truncate(value: Any, length: str = "20") -> str:
    text = str(value)
    n = int(length)
    return text if len(text) <= n else text[: max(0, n - 1)] + "…"


def _default(value: Any, fallback: str = "") -> Any:
    return fallback if value in (None, "") else value


FILTERS: dict[str, Callable[..., Any]] = {
    "upper": lambda v: str(v).upper(),
    "lower": lambda v: str(v).lower(),
    "title": lambda v: str(v).title(),
    "strip": lambda v: str(v).strip(),
    "length": lambda v: len(v),
    "join": lambda v, sep=", ": sep.join(map(str, v)),
    "truncate": _truncate,
    "default": _default,
    "escape": escape,
    "safe": lambda v: Markup(str(v)),
}
