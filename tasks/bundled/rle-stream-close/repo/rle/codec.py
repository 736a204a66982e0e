"""One-shot encoding and decoding.

The format is a sequence of ``<count><char>`` pairs.  Counts are decimal and
at least 1; runs longer than ``max_run`` are split.  Digits cannot be encoded
(they would be ambiguous), so :func:`encode` rejects them.
"""

from __future__ import annotations

from collections.abc import Iterator

DEFAULT_MAX_RUN = 255


def iter_runs(text: str, max_run: int = DEFAULT_MAX_RUN) -> Iterator[tuple[str, int]]:
    """Yield ``(char, count)`` pairs with ``1 <= count <= max_run``."""
    if max_run < 1:
        raise ValueError("max_run must be at least 1")
    current = None
    count = 0
    for ch in text:
        if ch == current and count < max_run:
            count += 1
            continue
        if current is not None:
            yield current, count
        current, count = ch, 1
    if current is not None:
        yield current, count


def format_run(char: str, count: int) -> str:
    if char.isdigit():
        raise ValueError(f"cannot encode digit {char!r}")
    return f"{count}{char}"


def encode(text: str, max_run: int = DEFAULT_MAX_RUN) -> str:
    return "".join(format_run(ch, n) for ch, n in iter_runs(text, max_run))


def decode(data: str) -> str:
    """Inverse of :func:`encode`; raises ValueError on malformed input."""
    out = []
    digits = ""
    for ch in data:
        if ch.isdigit():
            digits += ch
            continue
        if not digits:
            raise ValueError(f"missing count before {ch!r}")
        count = int(digits)
        if count == 0:
            raise ValueError("zero-length run")
        out.append(ch * count)
        digits = ""
    if digits:
        raise ValueError("dangling count at end of input")
    return "".join(out)
