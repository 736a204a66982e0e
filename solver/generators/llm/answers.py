"""Reading the small structured parts of a model's answer (not edits: see edits.py)."""

from __future__ import annotations

import re

CHOICE_RE = re.compile(r"CHOICE:\s*\[?(\d+)\]?", re.IGNORECASE)


def parse_choice(answer: str, count: int) -> int | None:
    """The index a judge answered with (`CHOICE: <i>`, the last one wins), None if out of range."""
    found = CHOICE_RE.findall(answer)
    if not found:
        return None
    index = int(found[-1])
    return index if 0 <= index < count else None
