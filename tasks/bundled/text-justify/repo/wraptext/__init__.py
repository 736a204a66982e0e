"""Greedy word wrapping, filling and justification."""

from .justify import fill, justify
from .wrap import wrap

__all__ = ["wrap", "fill", "justify"]
