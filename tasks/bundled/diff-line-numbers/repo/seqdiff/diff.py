"""Edit scripts and their textual renderings."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from .lcs import lcs_table


@dataclass(frozen=True)
class Op:
    """One line of an edit script.

    ``tag`` is ``" "`` (kept), ``"-"`` (only in ``a``) or ``"+"`` (only in ``b``).
    ``a_index`` / ``b_index`` are 0-based positions, ``None`` where the line
    does not exist on that side.
    """

    tag: str
    line: str
    a_index: int | None
    b_index: int | None


def diff_ops(a: Sequence[str], b: Sequence[str]) -> list[Op]:
    """A minimal edit script turning ``a`` into ``b`` (deletions before insertions)."""
    table = lcs_table(a, b)
    ops: list[Op] = []
    i = j = 0
    while i < len(a) or j < len(b):
        if i < len(a) and j < len(b) and a[i] == b[j]:
            ops.append(Op(" ", a[i], i, j))
            i += 1
            j += 1
        elif j >= len(b) or (i < len(a) and table[i + 1][j] >= table[i][j + 1]):
            ops.append(Op("-", a[i], i, None))
            i += 1
        else:
            ops.append(Op("+", b[j], None, j))
            j += 1
    return ops


def annotate(a: Sequence[str], b: Sequence[str]) -> list[str]:
    """Every line with its 1-based line numbers in ``a`` and ``b``."""
    rows = []
    for op in diff_ops(a, b):
        old = "" if op.a_index is None else str(op.a_index)
        new = "" if op.b_index is None else str(op.b_index)
        rows.append(f"{old:>4} {new:>4} {op.tag} {op.line}")
    return rows


def _groups(ops: list[Op], context: int) -> Iterator[list[Op]]:
    changed = [k for k, op in enumerate(ops) if op.tag != " "]
    if not changed:
        return
    start = max(0, changed[0] - context)
    end = min(len(ops), changed[0] + context + 1)
    for k in changed[1:]:
        if k - context <= end:
            end = min(len(ops), k + context + 1)
        else:
            yield ops[start:end]
            start, end = max(0, k - context), min(len(ops), k + context + 1)
    yield ops[start:end]


def _range(first: int, count: int) -> str:
    # ``first`` is the 1-based number of the first line; an empty range
    # names the line before it, as GNU diff does.
    if count == 1:
        return str(first)
    if count == 0:
        first -= 1
    return f"{first},{count}"


def _first_line(group: list[Op], attr: str, fallback: int) -> int:
    for op in group:
        index = getattr(op, attr)
        if index is not None:
            return index
    return fallback


def unified(a: Sequence[str], b: Sequence[str], fromfile: str = "a", tofile: str = "b",
            context: int = 3) -> list[str]:
    """Unified diff lines (without trailing newlines); empty if ``a == b``."""
    ops = diff_ops(a, b)
    out: list[str] = []
    for group in _groups(ops, context):
        # Lines before the group tell where an empty side would start.
        before = ops[: ops.index(group[0])]
        a_seen = sum(op.a_index is not None for op in before)
        b_seen = sum(op.b_index is not None for op in before)
        a_count = sum(op.a_index is not None for op in group)
        b_count = sum(op.b_index is not None for op in group)
        a_first = _first_line(group, "a_index", a_seen)
        b_first = _first_line(group, "b_index", b_seen)
        if not out:
            out += [f"--- {fromfile}", f"+++ {tofile}"]
        out.append(f"@@ -{_range(a_first, a_count)} +{_range(b_first, b_count)} @@")
        out += [f"{op.tag}{op.line}" for op in group]
    return out
