"""The run directories' JSON-lines files: appended a line at a time and fsync'd (a result is
never lost to a kill), or rewritten whole through a temporary file (never seen half-written)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
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
