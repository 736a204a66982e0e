"""Spectrum-based fault localization formulas over (ef, ep, nf, np) counts."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Counts:
    """Tests that executed a line (e) or not (n), and failed (f) or passed (p)."""

    ef: int
    ep: int
    nf: int
    np: int


Formula = Callable[[Counts], float]


def ochiai(c: Counts) -> float:
    """ef / sqrt((ef + nf) * (ef + ep))."""
    denominator = math.sqrt((c.ef + c.nf) * (c.ef + c.ep))
    return c.ef / denominator if denominator else 0.0


def tarantula(c: Counts) -> float:
    """(ef / F) / (ef / F + ep / P)."""
    if c.ef == 0:
        return 0.0
    failed = c.ef / (c.ef + c.nf)
    passed = c.ep / (c.ep + c.np) if c.ep + c.np else 0.0
    return failed / (failed + passed)


def dstar(c: Counts, star: int = 2) -> float:
    """ef^* / (ep + nf); a zero denominator counts as 1/2 so the score stays finite and top."""
    if c.ef == 0:
        return 0.0
    denominator = c.ep + c.nf
    numerator: int = c.ef**star  # typeshed: int ** int is Any (a negative power is a float)
    return numerator / (denominator if denominator else 0.5)


FORMULAS: dict[str, Formula] = {"ochiai": ochiai, "tarantula": tarantula, "dstar": dstar}
