"""Parsing and rendering."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .filters import FILTERS, Markup, escape

_TAG_RE = re.compile(r"\{\{(.*?)\}\}|\{#.*?#\}", re.DOTALL)


class TemplateError(Exception):
    pass


def _lookup(context: Mapping[str, Any], path: str, strict: bool) -> Any:
    value: Any = context
    for part in path.split("."):
        if isinstance(value, Mapping) and part in value:
            value = value[part]
        elif hasattr(value, part) and not part.startswith("_"):
            value = getattr(value, part)
        elif strict:
            raise TemplateError(f"undefined variable {path!r}")
        else:
            return ""
    return value


def _parse_filter(spec: str) -> tuple[str, list[str]]:
    name, _, args = spec.partition(":")
    name = name.strip()
    if name not in FILTERS:
        raise TemplateError(f"unknown filter {name!r}")
    return name, [a.strip() for a in args.split(",")] if args.strip() else []


class Template:
    """A compiled template.

    ``{{ user.name | title }}`` inserts a (dotted) variable passed through
    filters; ``{# ... #}`` is a comment.  Output is HTML-escaped unless
    ``autoescape=False`` is given or the value is :class:`Markup` (see the
    ``safe`` filter).  With ``strict=True`` undefined variables raise
    :class:`TemplateError`; otherwise they render as empty strings.
    """

    def __init__(self, source: str, *, autoescape: bool = False, strict: bool = False):
        self.source = source
        self.autoescape = autoescape
        self.strict = strict
        self._parts: list[Any] = []
        pos = 0
        for match in _TAG_RE.finditer(source):
            self._parts.append(source[pos:match.start()])
            if match.group(1) is not None:
                expr, *filters = match.group(1).split("|")
                if not expr.strip():
                    raise TemplateError(f"empty expression at offset {match.start()}")
                self._parts.append((expr.strip(), [_parse_filter(f) for f in filters]))
            pos = match.end()
        self._parts.append(source[pos:])

    def render(self, context: Mapping[str, Any] | None = None, **kwargs: Any) -> str:
        ctx = dict(context or {}, **kwargs)
        out = []
        for part in self._parts:
            if isinstance(part, str):
                out.append(part)
                continue
            expr, filters = part
            value = _lookup(ctx, expr, self.strict)
            for name, args in filters:
                value = FILTERS[name](value, *args)
            if self.autoescape and not isinstance(value, Markup):
                value = escape(value)
            out.append(str(value))
        return "".join(out)


def render(source: str, context: Mapping[str, Any] | None = None, *, autoescape: bool = True,
           **kwargs: Any) -> str:
    """Compile and render ``source`` in one go."""
    return Template(source, autoescape=autoescape).render(context, **kwargs)
