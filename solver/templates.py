"""The one Jinja environment: templates are package files, rendered with StrictUndefined.

    render("solver.jobs", "templates/ci_summary.md.j2", **ctx)
    render("solver.generators.llm", "prompts/system.j2")

One environment per package, the same options for every template: a variable the template uses
and the caller does not give raises jinja2.UndefinedError; a block tag takes the newline after it
(`trim_blocks`, `lstrip_blocks`; `+%}` keeps it); the file's last newline is kept; `.html`
templates are autoescaped, the others (markdown, prompts) are not.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2

AUTOESCAPED = ("html", "html.j2", "htm", "xml")


def clip(text: str, limit: int = 4000) -> str:
    """`text` cut to about `limit` characters, keeping its head and its (more telling) tail."""
    if len(text) <= limit:
        return text
    head = limit // 4
    tail = limit - head
    omitted = len(text) - head - tail
    return f"{text[:head]}\n[... {omitted} characters omitted ...]\n{text[-tail:]}"


@cache
def environment(package: str) -> jinja2.Environment:
    """The environment of the templates under `package`'s folder (names are paths inside it)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader(package, ""),
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(AUTOESCAPED, default_for_string=False),
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["clip"] = clip
    env.filters["rstrip"] = str.rstrip
    return env


def render(package: str, name: str, /, **ctx: Any) -> str:
    """`name` (a path in `package`) rendered with `ctx`; every variable it uses must be given."""
    return environment(package).get_template(name).render(**ctx)
