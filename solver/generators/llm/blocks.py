"""A SEARCH/REPLACE block of a model's answer."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EditBlock:
    """One SEARCH/REPLACE block. `search` and `replace` end with a newline unless empty."""

    path: str
    search: str
    replace: str
    index: int = 0
    """Position of the block in its answer, from 0."""
