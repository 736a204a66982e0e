"""The tokenizer."""

from __future__ import annotations

from collections.abc import Iterator

from .errors import LexError
from .tokens import KEYWORDS, OPERATORS, Token

_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def tokenize(source: str) -> Iterator[Token]:
    """Yield tokens for ``source``, ending with an ``EOF`` token.

    * ``#`` starts a comment that runs to the end of the line;
    * newlines produce ``NEWLINE`` tokens (consecutive ones collapse);
    * strings are double-quoted, may span lines and support ``\n \t \" \\``;
    * numbers are integers or decimals (``12``, ``3.5``).
    """
    pos = 0
    line = 1
    line_start = 0  # offset of the first character of the current line
    n = len(source)

    def col(at: int) -> int:
        return at - line_start + 1

    last_kind = None
    while pos < n:
        ch = source[pos]
        if ch == "\n":
            if last_kind not in (None, "NEWLINE"):
                yield Token("NEWLINE", "\n", line, col(pos))
                last_kind = "NEWLINE"
            pos += 1
            line += 1
            continue
        if ch in " \t\r":
            pos += 1
            continue
        if ch == "#":
            while pos < n and source[pos] != "\n":
                pos += 1
            continue
        start = pos
        if ch.isdigit():
            while pos < n and source[pos].isdigit():
                pos += 1
            if pos + 1 < n and source[pos] == "." and source[pos + 1].isdigit():
                pos += 1
                while pos < n and source[pos].isdigit():
                    pos += 1
            tok = Token("NUMBER", source[start:pos], line, col(start))
        elif ch.isalpha() or ch == "_":
            while pos < n and (source[pos].isalnum() or source[pos] == "_"):
                pos += 1
            word = source[start:pos]
            tok = Token("KEYWORD" if word in KEYWORDS else "NAME", word, line, col(start))
        elif ch == '"':
            tok_line, tok_col = line, col(start)
            pos += 1
            chars = []
            while True:
                if pos >= n:
                    raise LexError("unterminated string", tok_line, tok_col)
                c = source[pos]
                if c == '"':
                    pos += 1
                    break
                if c == "\\":
                    if pos + 1 >= n or source[pos + 1] not in _ESCAPES:
                        raise LexError("invalid escape sequence", line, col(pos))
                    chars.append(_ESCAPES[source[pos + 1]])
                    pos += 2
                    continue
                if c == "\n":
                    line += 1
                chars.append(c)
                pos += 1
            tok = Token("STRING", "".join(chars), tok_line, tok_col)
        else:
            op = next((o for o in OPERATORS if source.startswith(o, pos)), None)
            if op is None:
                raise LexError(f"unexpected character {ch!r}", line, col(pos))
            pos += len(op)
            tok = Token("OP", op, line, col(start))
        last_kind = tok.kind
        yield tok
    yield Token("EOF", "", line, col(pos))
