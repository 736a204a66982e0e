"""Token kinds and the :class:`Token` record."""

from __future__ import annotations

from typing import NamedTuple

KEYWORDS = frozenset({"if", "else", "and", "or", "not", "true", "false", "null"})

# Longest operators first so that "==" wins over "=".
OPERATORS = ("==", "!=", "<=", ">=", "->", "+", "-", "*", "/", "%", "<", ">", "=",
             "(", ")", "[", "]", "{", "}", ",", ":", ".")


class Token(NamedTuple):
    kind: str      # NAME, KEYWORD, NUMBER, STRING, OP, NEWLINE, EOF
    value: str
    line: int      # 1-based
    col: int       # 1-based column of the first character
