"""Greedy line breaking."""

from __future__ import annotations


def _chunks(word: str, size: int) -> list[str]:
    return [word[i:i + size] for i in range(0, len(word), size)]


def wrap(text: str, width: int = 70, indent: str = "", subsequent_indent: str = "",
         break_long_words: bool = True) -> list[str]:
    """Break ``text`` into lines of at most ``width`` characters.

    Whitespace runs collapse to single spaces.  ``indent`` prefixes the first
    line, ``subsequent_indent`` the others; both count towards ``width``.
    Words longer than the available space are split when
    ``break_long_words`` is true, otherwise they overflow on a line of their own.
    """
    if width <= max(len(indent), len(subsequent_indent)):
        raise ValueError("width must be larger than the indents")
    words = text.split()
    lines: list[str] = []
    current: list[str] = []
    length = 0

    def prefix() -> str:
        return indent if not lines else subsequent_indent

    def flush() -> None:
        nonlocal current, length
        if current:
            lines.append(prefix() + " ".join(current))
        current, length = [], 0

    for word in words:
        avail = width - len(prefix())
        needed = len(word) if not current else length + 1 + len(word)
        if needed <= avail:
            current.append(word)
            length = needed
            continue
        flush()
        avail = width - len(prefix())
        if len(word) > avail and break_long_words:
            *full, rest = _chunks(word, avail)
            for piece in full:
                lines.append(prefix() + piece)
            word = rest
        current, length = [word], len(word)
    flush()
    return lines
