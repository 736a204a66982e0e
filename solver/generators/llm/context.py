"""What a prompt shows of the repository: the files that matter in full, an outline of the rest.

    localization ─┐
    issue text ───┼─► rank files ─► whole files (or the suspicious functions of a large one)
    test output ──┘                 within a token budget; a tree-sitter outline of the others

Tokens are estimated at four characters each: close enough to keep a prompt inside a window.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from solver.analysis import Location
from solver.analysis.syntax import parse, text

CHARS_PER_TOKEN = 4
WORD_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{2,}")
PATHISH_RE = re.compile(r"[\w./-]+\.py\b")
DEFINITION_TYPES = ("function_definition", "class_definition")
MENTION_SCORE = 0.5
"""A file the issue or a traceback names is worth half a top-ranked suspicious line."""
DEFINED_NAME_SCORE = 0.2
"""Each of its definitions the issue names by name adds this much."""


def estimate_tokens(text: str) -> int:
    return (len(text) + CHARS_PER_TOKEN - 1) // CHARS_PER_TOKEN


@dataclass(frozen=True)
class Hypothesis:
    """A place the fault may be: a function (or module level) of a file, and why."""

    file: str
    line: int
    scope: str
    """`Class.method`, `function`, or `<module>`."""
    score: float
    reason: str

    def describe(self) -> str:
        return f"{self.file}:{self.line} in {self.scope} ({self.reason} {self.score:.2f})"


@dataclass(frozen=True)
class Context:
    """What one prompt shows: files to edit (path, content), an outline, ranked hypotheses."""

    files: list[dict[str, str]]
    outline: str
    hypotheses: list[Hypothesis] = field(default_factory=list)

    def tokens(self) -> int:
        shown = sum(estimate_tokens(f["content"]) for f in self.files)
        return shown + estimate_tokens(self.outline)


def build_context(
    files: Mapping[str, str],
    locations: Sequence[Location],
    issue: str,
    test_output: str = "",
    max_tokens: int = 12000,
    focus: Hypothesis | None = None,
) -> Context:
    """The files most likely at fault (whole, or their suspicious functions when too large),
    then an outline of the rest, within about `max_tokens`. `focus` puts its file first."""
    hypotheses = rank_hypotheses(files, locations)
    ranking = rank_files(files, locations, f"{issue}\n{test_output}")
    if focus is not None and focus.file in files:
        ranking = [focus.file, *(p for p in ranking if p != focus.file)]
    outline_budget = max_tokens // 5
    shown: list[dict[str, str]] = []
    left = max_tokens - outline_budget
    for path in ranking:
        content = files[path]
        if estimate_tokens(content) > left:
            content = excerpt(content, [loc.line for loc in locations if loc.file == path])
        if not content or estimate_tokens(content) > left:
            continue
        shown.append({"path": path, "content": content})
        left -= estimate_tokens(content)
    rest = {p: c for p, c in files.items() if p not in {f["path"] for f in shown}}
    outline = outline_files(rest, (outline_budget + max(left, 0)) * CHARS_PER_TOKEN)
    return Context(shown, outline, hypotheses)


def rank_files(files: Mapping[str, str], locations: Sequence[Location], text_: str) -> list[str]:
    """Files worth showing whole, most suspicious first; files no evidence names are left out."""
    score: dict[str, float] = defaultdict(float)
    for loc in locations:
        if loc.file in files:
            score[loc.file] += max(loc.score, 0.05)
    mentioned = mentioned_files(files, text_)
    words = set(WORD_RE.findall(text_))
    for path in files:
        if path in mentioned:
            score[path] += MENTION_SCORE
        names = defined_names(files[path])
        score[path] += DEFINED_NAME_SCORE * len(words & names)
    return sorted((p for p, s in score.items() if s > 0), key=lambda p: (-score[p], p))


def mentioned_files(files: Mapping[str, str], text_: str) -> set[str]:
    """Files the text names by path, by a path suffix, or by dotted module name."""
    found: set[str] = set()
    paths = {p.lstrip("./") for p in PATHISH_RE.findall(text_)}
    for path in files:
        module = path.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
        if any(path.endswith(p) or p.endswith(path) for p in paths) or (
            "." in module and module in text_
        ):
            found.add(path)
    return found


def defined_names(source: str) -> set[str]:
    """Names of the functions and classes `source` defines (any depth)."""
    return {name for _, name, _ in definitions(source)}


def definitions(source: str) -> list[tuple[int, str, str]]:
    """(depth, name, one-line signature) of every class and function, in source order."""
    found: list[tuple[int, str, str]] = []

    def visit(node: object, depth: int) -> None:
        for child in node.named_children:  # type: ignore[attr-defined]
            target = child.child_by_field_name("definition") or child
            if target.type in DEFINITION_TYPES:
                name = text(target.child_by_field_name("name"))
                found.append((depth, name, signature(target)))
                body = target.child_by_field_name("body")
                if body is not None:
                    visit(body, depth + 1)

    visit(parse(source.encode()).root_node, 0)
    return found


def signature(node: object) -> str:
    """`def name(params) -> ret` or `class Name(bases)`, whitespace collapsed."""
    body = node.child_by_field_name("body")  # type: ignore[attr-defined]
    head = node.text[: body.start_byte - node.start_byte] if body else node.text  # type: ignore[attr-defined]
    return " ".join(head.decode(errors="replace").split()).rstrip(":").strip()


def outline_files(files: Mapping[str, str], max_chars: int) -> str:
    """Per file, its classes and functions with signatures, indented by nesting, cut at
    `max_chars` (whole files only; the rest named in a final line)."""
    parts: list[str] = []
    used = 0
    paths = sorted(files)
    for index, path in enumerate(paths):
        lines = [path] + [f"{'    ' * (d + 1)}{sig}" for d, _, sig in definitions(files[path])]
        block = "\n".join(lines)
        if used + len(block) > max_chars:
            parts.append(f"... and {len(paths) - index} more file(s)")
            break
        parts.append(block)
        used += len(block) + 1
    return "\n".join(parts)


def excerpt(source: str, lines: Sequence[int]) -> str:
    """The top-level definitions holding `lines` (1-based), with `...` between them; "" if none."""
    root = parse(source.encode()).root_node
    keep: list[tuple[int, int]] = []
    for child in root.named_children:
        start, end = child.start_point.row + 1, child.end_point.row + 1
        if any(start <= n <= end for n in lines) and (start, end) not in keep:
            keep.append((start, end))
    if not keep:
        return ""
    source_lines = source.splitlines()
    pieces = ["\n".join(source_lines[s - 1 : e]) for s, e in sorted(keep)]
    return "\n...\n".join(pieces) + "\n"


def rank_hypotheses(
    files: Mapping[str, str], locations: Sequence[Location], limit: int = 8
) -> list[Hypothesis]:
    """One hypothesis per enclosing function of the ranked lines, best first."""
    seen: dict[tuple[str, str], Hypothesis] = {}
    for loc in locations:
        if loc.file not in files:
            continue
        scope = scope_at(files[loc.file], loc.line)
        key = (loc.file, scope)
        if key not in seen:
            seen[key] = Hypothesis(loc.file, loc.line, scope, loc.score, loc.reason)
        if len(seen) >= limit:
            break
    return list(seen.values())


def scope_at(source: str, line: int) -> str:
    """The dotted name of the innermost class/function holding `line`, or `<module>`."""
    node = parse(source.encode()).root_node
    names: list[str] = []
    while True:
        inner = next((c for c in node.named_children
                      if c.start_point.row + 1 <= line <= c.end_point.row + 1), None)
        if inner is None:
            break
        target = inner.child_by_field_name("definition") or inner
        name = target.child_by_field_name("name")
        if target.type in DEFINITION_TYPES and name is not None:
            names.append(text(name))
        node = target.child_by_field_name("body") or inner
    return ".".join(names) or "<module>"
