"""The run directories' JSON-lines files: appended a line at a time and fsync'd (a result is
never lost to a kill), or rewritten whole through a temporary file (never seen half-written)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from pydantic import BaseModel


def append_line(path: Path, model: BaseModel) -> None:
    with path.open("a", encoding="utf-8") as fh:
        fh.write(model.model_dump_json() + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def write_lines(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row) + "\n")
    tmp.replace(path)


def keep_lines(path: Path, keep: Callable[[bytes], bool]) -> int:
    """Rewrite `path` with only the lines `keep` accepts, each byte for byte as it was (through
    a temporary file, fsync'd); how many were dropped."""
    lines = path.read_bytes().splitlines(keepends=True)
    kept = [line for line in lines if keep(line)]
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as fh:
        fh.writelines(kept)
        fh.flush()
        os.fsync(fh.fileno())
    tmp.replace(path)
    return len(lines) - len(kept)
