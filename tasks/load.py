"""Load tasks from JSONL, JSON (SWE-bench style), bundled task folders, or a folder of those.

    load_tasks(path) ─┬─ *.jsonl     one task per line
                      ├─ *.json      a list of tasks, or one task
                      ├─ task folder task.json + repo/ + gold.patch + hidden.patch
                      └─ folder      task folders (one or two levels down) + *.json / *.jsonl in it

A bad record never stops the others: it becomes one `TaskError` naming the file, the line (and
the item of a JSON list) and the offending field, and every good record still loads.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import ErrorDetails

from tasks.model import Task

TASK_FILE = "task.json"
"""The file that makes a folder a bundled task folder."""
BUNDLE_FILES = {
    "gold.patch": "patch",
    "hidden.patch": "hidden_tests_patch",
    "test.patch": "test_patch",
}
"""Files of a task folder read into a Task field (unless task.json sets that field itself)."""
BUNDLE_REPO = "repo"
"""The task folder's buggy source tree, which becomes `Task.path`."""
TASK_SUFFIXES = (".json", ".jsonl")


class TaskError(BaseModel):
    """One record that could not be loaded, and where it is."""

    model_config = ConfigDict(frozen=True)

    file: Path
    line: int | None = None
    """1-based line of the record (or of the offending key), where known."""
    field: str | None = None
    """Dotted field path, e.g. `FAIL_TO_PASS` or `FAIL_TO_PASS.0`."""
    message: str
    item: int | None = None
    """1-based index of the record in a JSON list."""

    def location(self) -> str:
        """`file:line: item N`, leaving out what is unknown."""
        return _format_location(self.file, self.line, self.item)

    def __str__(self) -> str:
        prefix = f"{self.field}: " if self.field else ""
        return f"{self.location()}: {prefix}{self.message}"


class LoadResult(BaseModel):
    """The tasks that loaded and the errors of those that did not."""

    tasks: list[Task] = Field(default_factory=list)
    errors: list[TaskError] = Field(default_factory=list)


class TaskLoadError(ValueError):
    """No single task could be chosen; carries the load errors that may explain why."""

    def __init__(self, message: str, errors: list[TaskError] | None = None) -> None:
        self.errors = list(errors or [])
        details = "".join(f"\n  {error}" for error in self.errors)
        super().__init__(message + details)


def _format_location(file: Path, line: int | None, item: int | None) -> str:
    text = f"{file}:{line}" if line is not None else str(file)
    return f"{text}: item {item}" if item is not None else text


@dataclass(frozen=True)
class _Where:
    """Where a record sits; becomes the location of its errors."""

    file: Path
    line: int | None = None
    item: int | None = None

    def __str__(self) -> str:
        return _format_location(self.file, self.line, self.item)

    def error(self, message: str, field: str | None = None, line: int | None = None) -> TaskError:
        line = line if line is not None else self.line
        return TaskError(file=self.file, line=line, item=self.item, field=field, message=message)


@dataclass
class _Collector:
    """Loaded tasks with their places, so a duplicate can name where the first one was."""

    found: dict[str, tuple[Task, _Where]] = field(default_factory=dict)
    errors: list[TaskError] = field(default_factory=list)

    def add(self, task: Task, where: _Where) -> None:
        first = self.found.get(task.instance_id)
        if first is None:
            self.found[task.instance_id] = (task, where)
            return
        message = f"duplicate instance_id {task.instance_id!r}, first at {first[1]}; first kept"
        self.errors.append(where.error(message, field="instance_id"))

    def result(self) -> LoadResult:
        return LoadResult(tasks=[task for task, _ in self.found.values()], errors=self.errors)


def load_tasks(path: Path) -> LoadResult:
    """Every task under `path` (see the module docstring); bad records become errors."""
    collector = _Collector()
    path = Path(path)
    if not path.exists():
        collector.errors.append(_Where(path).error("no such file or folder"))
    elif path.is_dir():
        _load_dir(path, collector)
    else:
        _load_file(path, collector)
    return collector.result()


def load_task(path: Path, instance: str | None = None) -> Task:
    """Exactly one task: the one named `instance`, or the only one under `path`."""
    result = load_tasks(path)
    if instance is not None:
        for task in result.tasks:
            if task.instance_id == instance:
                return task
        known = _list_ids(result.tasks)
        raise TaskLoadError(f"{path}: no task {instance!r} (tasks there: {known})", result.errors)
    if len(result.tasks) == 1:
        return result.tasks[0]
    if not result.tasks:
        raise TaskLoadError(f"{path}: no task loaded", result.errors)
    known = _list_ids(result.tasks)
    raise TaskLoadError(f"{path}: {len(result.tasks)} tasks, choose one by instance_id: {known}")


def _list_ids(tasks: list[Task], limit: int = 10) -> str:
    ids = [task.instance_id for task in tasks[:limit]]
    more = f", … {len(tasks) - limit} more" if len(tasks) > limit else ""
    return (", ".join(ids) + more) if ids else "none"


def _load_dir(folder: Path, collector: _Collector) -> None:
    if (folder / TASK_FILE).is_file():
        _load_task_folder(folder, collector)
        return
    before = len(collector.found) + len(collector.errors)
    for child in sorted(folder.iterdir()):
        if child.name.startswith("."):
            continue
        if child.is_file() and child.suffix in TASK_SUFFIXES:
            _load_file(child, collector)
        elif child.is_dir():
            for task_folder in _task_folders(child):
                _load_task_folder(task_folder, collector)
    if len(collector.found) + len(collector.errors) == before:
        message = f"no tasks here: no {TASK_FILE} folders and no .json / .jsonl files"
        collector.errors.append(_Where(folder).error(message))


def _task_folders(folder: Path) -> Iterator[Path]:
    """`folder` itself if it is a task folder, else its task folders one level below."""
    if (folder / TASK_FILE).is_file():
        yield folder
        return
    for child in sorted(folder.iterdir()):
        if child.is_dir() and not child.name.startswith(".") and (child / TASK_FILE).is_file():
            yield child


def _load_file(path: Path, collector: _Collector) -> None:
    if path.suffix not in TASK_SUFFIXES:
        message = f"unsupported file type {path.suffix!r}: expected .jsonl, .json or a folder"
        collector.errors.append(_Where(path).error(message))
        return
    text = _read_text(path, collector)
    if text is None:
        return
    if path.suffix == ".jsonl":
        _load_jsonl(path, text, collector)
    else:
        _load_json(path, text, collector)


def _read_text(path: Path, collector: _Collector) -> str | None:
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        collector.errors.append(_Where(path).error(f"cannot read: {exc}"))
        return None


def _load_jsonl(path: Path, text: str, collector: _Collector) -> None:
    # Split on "\n" only: str.splitlines() also breaks at U+2028, which JSON strings may hold.
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if not line:
            continue
        where = _Where(path, line=number)
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            collector.errors.append(where.error(f"not JSON: {exc.msg} at column {exc.colno}"))
            continue
        _add_record(data, where, collector, base=path.parent)


def _load_json(path: Path, text: str, collector: _Collector) -> None:
    try:
        items = _decode_with_lines(text)
    except json.JSONDecodeError as exc:
        collector.errors.append(_Where(path, line=exc.lineno).error(f"not JSON: {exc.msg}"))
        return
    if items is None:
        _add_record(json.loads(text), _Where(path, line=1), collector, path.parent, text)
        return
    for index, (line, start, end, data) in enumerate(items, start=1):
        where = _Where(path, line=line, item=index)
        _add_record(data, where, collector, path.parent, text[start:end])


def _decode_with_lines(text: str) -> list[tuple[int, int, int, Any]] | None:
    """The items of a top-level JSON list as (line, start, end, value); None if not a list.

    Raises json.JSONDecodeError (with its line) on malformed JSON.
    """
    decoder = json.JSONDecoder()
    index = _skip_space(text, 0)
    if not text.startswith("[", index):
        json.loads(text)  # validates, so a malformed file raises here
        return None
    items: list[tuple[int, int, int, Any]] = []
    index = _skip_space(text, index + 1)
    line, counted = 1, 0
    while not text.startswith("]", index):
        line, counted = line + text.count("\n", counted, index), index
        value, end = decoder.raw_decode(text, index)
        items.append((line, index, end, value))
        index = _skip_space(text, end)
        if text.startswith(",", index):
            index = _skip_space(text, index + 1)
        elif not text.startswith("]", index):
            raise json.JSONDecodeError("expected ',' or ']'", text, index)
    if text[_skip_space(text, index + 1) :]:
        raise json.JSONDecodeError("extra data after the list", text, index + 1)
    return items


def _skip_space(text: str, index: int) -> int:
    while index < len(text) and text[index] in " \t\r\n":
        index += 1
    return index


def _load_task_folder(folder: Path, collector: _Collector) -> None:
    path = folder / TASK_FILE
    text = _read_text(path, collector)
    if text is None:
        return
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        collector.errors.append(_Where(path, line=exc.lineno).error(f"not JSON: {exc.msg}"))
        return
    if isinstance(data, dict):
        data = _with_bundle_files(folder, data)
    _add_record(data, _Where(path, line=1), collector, folder, text)


def _with_bundle_files(folder: Path, data: dict[str, Any]) -> dict[str, Any]:
    """task.json's fields, completed by the folder's repo/ and patch files."""
    data = dict(data)
    if "path" not in data and (folder / BUNDLE_REPO).is_dir():
        data["path"] = BUNDLE_REPO
    for name, task_field in BUNDLE_FILES.items():
        if not data.get(task_field) and (folder / name).is_file():
            data[task_field] = (folder / name).read_text(encoding="utf-8")
    return data


def _add_record(
    data: Any, where: _Where, collector: _Collector, base: Path, text: str = ""
) -> None:
    """Validate one record; `text` is its JSON source, used to find the line of a bad key."""
    if not isinstance(data, dict):
        kind = type(data).__name__
        collector.errors.append(where.error(f"expected a JSON object (a task), got {kind}"))
        return
    try:
        task = Task.model_validate(_resolve_path(data, base))
    except ValidationError as exc:
        collector.errors.append(_validation_error(exc, where, text))
        return
    collector.add(task, where)


def _resolve_path(data: dict[str, Any], base: Path) -> dict[str, Any]:
    """A relative `path` is relative to the file (or task folder) that names it; made absolute."""
    value = data.get("path")
    if not isinstance(value, str) or not value:
        return data
    path = Path(value).expanduser()
    return {**data, "path": str(path if path.is_absolute() else base.absolute() / path)}


def _validation_error(exc: ValidationError, where: _Where, text: str) -> TaskError:
    """One error for the record: the first bad field, the others named in the message."""
    errors = exc.errors(include_url=False)
    first = errors[0]
    dotted = ".".join(str(part) for part in first["loc"]) or None
    message = _describe(first)
    if len(errors) > 1:
        others = ", ".join(".".join(str(p) for p in e["loc"]) or "(record)" for e in errors[1:])
        message += f" (also invalid: {others})"
    key = str(first["loc"][0]) if first["loc"] else ""
    line = _key_line(text, key, where.line) if key and first["type"] != "missing" else None
    return where.error(message, field=dotted, line=line)


def _describe(error: ErrorDetails) -> str:
    if error["type"] == "missing":
        return "required field is missing"
    shown = repr(error["input"])
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    return f"{error['msg']} (got {type(error['input']).__name__} {shown})"


def _key_line(text: str, key: str, start_line: int | None) -> int | None:
    """The line of `"key":` in a record's JSON text, counted from the record's first line."""
    match = re.search(r'(?<!\\)"' + re.escape(key) + r'"\s*:', text)
    if match is None or start_line is None:
        return None
    return start_line + text.count("\n", 0, match.start())
