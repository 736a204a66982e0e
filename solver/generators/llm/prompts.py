"""Prompt templates (package files `prompts/*.j2`) and their rendering with StrictUndefined.

Each template lists the variables it needs in its opening comment; a missing one raises
jinja2.UndefinedError instead of silently rendering an empty string.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2

from sandbox.verdict import Verdict

TEMPLATES = (
    "system", "propose", "refine", "retry_mismatch", "distill", "reproduce", "judge", "agent",
)


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("solver.generators.llm", "prompts"),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
    env.filters["clip"] = clip
    env.filters["rstrip"] = str.rstrip
    return env


def render(name: str, **ctx: Any) -> str:
    """Render `prompts/<name>.j2` with `ctx`; every variable the template uses must be given."""
    return environment().get_template(f"{name}.j2").render(**ctx)


def clip(text: str, limit: int = 4000) -> str:
    """`text` cut to about `limit` characters, keeping its head and its (more telling) tail."""
    if len(text) <= limit:
        return text
    head = limit // 4
    tail = limit - head
    omitted = len(text) - head - tail
    return f"{text[:head]}\n[... {omitted} characters omitted ...]\n{text[-tail:]}"


def verdict_context(verdict: Verdict, max_tests: int = 10) -> dict[str, Any]:
    """What refine.j2 and distill.j2 show of a verdict: how it ended and the first failures."""
    failing = [
        {"id": t, "outcome": str(verdict.tests[t].outcome), "message": verdict.tests[t].message}
        for t in verdict.failing()[:max_tests]
    ]
    return {
        "applied": verdict.applied,
        "reason": verdict.reason,
        "timed_out": verdict.timed_out,
        "failing": failing,
        "more_failing": max(0, len(verdict.failing()) - max_tests),
        "log_tail": verdict.log_tail,
    }
