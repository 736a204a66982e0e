"""Prompt templates (package files `prompts/*.j2`), rendered by solver.templates (StrictUndefined).

Each template lists the variables it needs in its opening comment; a missing one raises
jinja2.UndefinedError instead of silently rendering an empty string.
"""

from __future__ import annotations

from typing import Any

from sandbox.verdict import Verdict
from solver import templates
from solver.templates import clip

PACKAGE = "solver.generators.llm"

__all__ = ["TEMPLATES", "clip", "render", "verdict_context"]

TEMPLATES = (
    "system", "propose", "refine", "retry_mismatch", "distill", "reproduce", "judge", "agent",
    "strategy", "tools.json", "observation", "answer_now", "reproduce_retry",
)


def render(name: str, /, **ctx: Any) -> str:
    """Render `prompts/<name>.j2` with `ctx`; every variable the template uses must be given."""
    return templates.render(PACKAGE, f"prompts/{name}.j2", **ctx)


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
