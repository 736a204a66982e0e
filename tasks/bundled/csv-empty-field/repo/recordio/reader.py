"""Line splitting and record conversion."""

from __future__ import annotations

from collections.abc import Iterator

from .errors import RecordError
from .schema import Schema


def split_line(line: str, delimiter: str = ",", quote: str = '"') -> list[str]:
    """Split one line, honouring quoted fields and doubled quotes inside them."""
    fields: list[str] = []
    buf: list[str] = []
    in_quotes = False
    i = 0
    while i < len(line):
        ch = line[i]
        if in_quotes:
            if ch == quote and i + 1 < len(line) and line[i + 1] == quote:
                buf.append(quote)
                i += 1
            elif ch == quote:
                in_quotes = False
            else:
                buf.append(ch)
        elif ch == quote:
            in_quotes = True
        elif ch == delimiter:
            fields.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
        i += 1
    if in_quotes:
        raise ValueError("unterminated quoted field")
    fields.append("".join(buf))
    return fields


def read_records(text: str, schema: Schema, delimiter: str = ",",
                 header: bool = True) -> Iterator[dict]:
    """Yield one dict per non-blank line of ``text``.

    With ``header=True`` the first line names the columns (in any order; extra
    columns are ignored, missing schema columns are an error).  Lines starting
    with ``#`` are comments.
    """
    columns = schema.names()
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            values = split_line(line, delimiter)
        except ValueError as exc:
            raise RecordError(str(exc), lineno) from None
        if header:
            header = False
            missing = [name for name in schema.names() if name not in values]
            if missing:
                raise RecordError(f"missing columns {missing}", lineno)
            columns = [v.strip() for v in values]
            continue
        if len(values) != len(columns):
            raise RecordError(f"expected {len(columns)} fields, got {len(values)}", lineno)
        raw = dict(zip(columns, values))
        record = {}
        for field in schema.fields:
            try:
                record[field.name] = field.convert(raw[field.name])
            except ValueError as exc:
                raise RecordError(str(exc), lineno, field.name) from None
        yield record
