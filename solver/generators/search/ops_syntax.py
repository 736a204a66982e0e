"""One-token repairs of a line Python refuses to compile (a SyntaxError named by a collection
error's traceback): a missing `:` after a compound statement's header, unclosed brackets at the
end of the line, `=` where a condition needs `==`.

Tree-sitter parses such a file into ERROR nodes, where statement sites are not found: these
edits work on the text of the line `compile` names (or the line before it, where an unclosed
bracket is reported), and only those that make the file compile are proposed.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator

from solver.generators.search.edits import Edit

OPERATOR = "syntax"
_HEADER = re.compile(
    r"^\s*(?:async\s+)?(?:if|elif|else|for|while|def|class|try|except|finally|with|match|case)\b"
)
_LONE_EQUALS = re.compile(r"(?<![=!<>+\-*/%&|^:@])=(?!=)")
_PAIRS = {"(": ")", "[": "]", "{": "}"}


def compile_error(source: str) -> tuple[int, str] | None:
    """(1-based line, message) of the SyntaxError compiling `source` raises, or None."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            compile(source, "<candidate>", "exec", dont_inherit=True)
        except SyntaxError as exc:
            return exc.lineno or 0, exc.msg
        except ValueError:  # a NUL byte: nothing a one-token edit fixes
            return None
    return None


def _code_end(text: str) -> int:
    """Where the line's code ends: before a trailing comment (on a line without quotes) and
    trailing blanks."""
    cut = text.index("#") if "#" in text and not any(q in text for q in "'\"") else len(text)
    return len(text[:cut].rstrip())


def _unclosed(code: str) -> str:
    """The closers that balance the line's brackets, innermost first ('' when balanced or
    when a closer has no opener)."""
    stack: list[str] = []
    for char in code:
        if char in _PAIRS:
            stack.append(_PAIRS[char])
        elif char in _PAIRS.values():
            if not stack or stack.pop() != char:
                return ""
    return "".join(reversed(stack))


def _variants(text: str, message: str) -> Iterator[tuple[int, int, str, str]]:
    """(start, end, replacement, description) within the line `text`."""
    end = _code_end(text)
    code = text[:end]
    closers = _unclosed(code)
    if closers:
        yield end, end, closers, f"close `{closers}` at the end of the line"
    if _HEADER.match(code) and not code.endswith(":"):
        yield end, end, closers + ":", "add the missing `:` after the statement's header"
    if "==" in message or _HEADER.match(code):
        for match in _LONE_EQUALS.finditer(code):
            yield match.start(), match.end(), "==", "`=` → `==` in the condition"


def repair_syntax(file: str, source: str) -> Iterator[Edit]:
    """Edits at the line `compile` names that make the file compile; nothing when it does."""
    error = compile_error(source)
    if error is None or error[0] < 1:
        return
    line, message = error
    lines = source.splitlines(keepends=True)
    for row in (line - 1, line - 2):  # an unclosed bracket is reported on the line after it
        if not 0 <= row < len(lines):
            continue
        text = lines[row].rstrip("\r\n")
        offset = len("".join(lines[:row]).encode("utf-8"))
        for start, end, replacement, description in _variants(text, message):
            fixed = text[:start] + replacement + text[end:]
            after = compile_error("".join([*lines[:row], fixed, lines[row][len(text):],
                                           *lines[row + 1:]]))
            if after is not None:
                continue
            begin = offset + len(text[:start].encode("utf-8"))
            stop = offset + len(text[:end].encode("utf-8"))
            yield Edit(file, begin, stop, replacement, OPERATOR, f"{description} (line {row + 1})")
