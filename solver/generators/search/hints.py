"""What failing tests' messages say about the fix, as weights on edits (the message-driven
fix templates of PAR and TBar): an attribute looked up on None asks for a None check of its
receiver; an exception that escapes asks for a handler that catches it; a float where an integer
was wanted asks for another operator than `/`; an operator applied to the wrong types asks for a
change of that operator; an assertion that got the other boolean asks for a condition edit, and
one that got a number off by one or two asks for a bound or an operator edit; a pop from an
empty collection asks for a loop condition that tests it. The failing tests'
parameters are the inputs the code gets wrong: an integer literal one off from one of them asks
to become it (a boundary written as its neighbour: `in (11, 12, 14)` failing for 13).

    failure messages ─► Hints (attributes None lacked, exceptions that escaped + project bases,
    + failing test ids         operators at fault, what kind of value came out wrong, the
                               integers the failing tests are parametrized with)
    edit ─► factor: a None check of `x` where `x.attr` fails, a handler naming the exception,
            an edit of the operator at fault, a literal turned into a failing input, an edit of
            the family the wrong value suggests
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from solver.generators.search.edits import Edit
from solver.generators.search.generate import ScoredEdit

HINT_FACTOR = 2.0
"""An edit the messages point at weighs this much more."""
CATCH_ALL_FACTOR = 1.5
"""A handler widened to `Exception` catches the escaped exception too, among everything."""
_NONE_ATTRIBUTE = re.compile(r"'NoneType' object has no attribute '(\w+)'")
_EXCEPTION_LINE = re.compile(r"^(?:E\s+)?(?:[\w.]+\.)?(?P<name>[A-Z]\w*): ", re.MULTILINE)
_EXCEPTION_SUFFIXES = ("Error", "Exception", "Warning", "Exit", "Interrupt")
_DID_NOT_RAISE = re.compile(r"DID NOT RAISE <class '(?:[\w.]+\.)?(\w+)'>")
_CLASS = re.compile(r"^\s*class (\w+)\(([^)]*)\)\s*:", re.MULTILINE)
_NONE_CHECK = re.compile(r"\b([A-Za-z_][\w.]*) is (?:not )?None\b|\bnot ([A-Za-z_][\w.]*)")
_CATCH_ALL = frozenset({"Exception", "BaseException"})
_FLOAT_FOR_INT = re.compile(
    r"'float' object cannot be interpreted as an integer|integers or slices, not float"
    r"|integer argument expected, got float|must be integers or None or have an __index__")
_OPERANDS = re.compile(r"unsupported operand type\(s\) for (\S+):")
_BOOLEAN_MISS = re.compile(
    r"^(?:E\s+)?assert (?:(?:True|False) (?:==|is|!=|is not) (?:True|False)|not (?:True|1)\b"
    r"|False$)", re.MULTILINE)
_NUMBER_MISS = re.compile(r"^(?:E\s+)?assert (-?\d+) == (-?\d+)$", re.MULTILINE)
VALUE_FACTOR = 1.5
"""An edit of the family a wrong value suggests (a flipped boolean, a number one off): weaker
than a hint naming the code, as the value says what went wrong, not where."""
CONDITION_FAMILIES = frozenset({"comparison", "negation", "boolean", "condition_reduction",
                                "condition_expansion"})
BOUND_FAMILIES = frozenset({"off_by_one", "arithmetic", "constant", "comparison"})
NEAR_MISS = 2
_EMPTY_TAKE = re.compile(r"pop from (?:an )?empty|popitem\(\): dictionary is empty")
EMPTY_FAMILIES = frozenset({"loop_condition", "condition_expansion"})
"""Taking from an empty collection: the loop (or condition) should have tested it first."""
LITERAL_FAMILIES = frozenset({"off_by_one", "constant"})
"""Operators that turn an integer literal into another one."""
"""A number at most this far from the expected one is a near miss."""


@dataclass(frozen=True)
class Hints:
    none_attributes: frozenset[str] = frozenset()
    """Attributes the failing code looked up on None."""
    escaped: frozenset[str] = frozenset()
    """Exception classes that escaped, with their project base classes: a handler should
    catch one of them."""
    expected: frozenset[str] = frozenset()
    """Exception classes a test expected and did not get: something should raise one."""
    operators: frozenset[str] = frozenset()
    """Operators the messages blame: applied to the wrong types, or `/` where a float came out
    that should have been an integer."""
    families: frozenset[str] = frozenset()
    """Edit families the wrong values suggest."""
    inputs: frozenset[int] = frozenset()
    """Integers among the failing tests' parameters (`test_ordinal[13-13th]` → 13)."""

    def factor(self, files: Mapping[str, str], edit: Edit) -> float:
        """How much the messages favour `edit` (1.0: they say nothing about it)."""
        if self.none_attributes and _checks_a_none_receiver(files, edit, self.none_attributes):
            return HINT_FACTOR
        names = set(re.findall(r"\w+", edit.replacement))
        if edit.operator == "exception" and self.escaped:
            if names & self.escaped:
                return HINT_FACTOR
            if names & _CATCH_ALL:
                return CATCH_ALL_FACTOR
        if edit.operator in ("exception", "raise", "insertion") and names & self.expected:
            return HINT_FACTOR
        if edit.operator == "arithmetic" and _replaced(files, edit).strip() in self.operators:
            return HINT_FACTOR
        if self.inputs and edit.operator in LITERAL_FAMILIES and _integer(
                _replaced(files, edit)) is not None and _integer(edit.replacement) in self.inputs:
            return HINT_FACTOR
        if edit.operator in self.families:
            return VALUE_FACTOR
        return 1.0


def hints_from(messages: Iterable[str], files: Mapping[str, str],
               test_ids: Iterable[str] = ()) -> Hints:
    """Hints from failing tests' messages and ids; exception names are widened to their
    ancestors among the classes the project defines (by name)."""
    text = "\n".join(messages)
    bases = class_bases(files)
    escaped = {name for name in (m["name"] for m in _EXCEPTION_LINE.finditer(text))
               if name in bases or name.endswith(_EXCEPTION_SUFFIXES)} - {"AssertionError"}
    expected = set(_DID_NOT_RAISE.findall(text))
    operators = {op.rstrip("=") for op in _OPERANDS.findall(text)}
    if _FLOAT_FOR_INT.search(text):
        operators.add("/")
    operators |= {f"{op}=" for op in operators}  # the augmented form is at fault as well
    return Hints(frozenset(_NONE_ATTRIBUTE.findall(text)),
                 frozenset(with_ancestors(escaped, bases)),
                 frozenset(with_ancestors(expected, bases)),
                 frozenset(operators), value_families(text), parametrized_integers(test_ids))


def parametrized_integers(test_ids: Iterable[str]) -> frozenset[int]:
    """The integers among the parameters of test ids (`t[13-13th]` → 13; pytest joins a
    case's parameter ids with `-`, so a negative number reads as its magnitude)."""
    found = set()
    for test_id in test_ids:
        params = test_id.partition("[")[2].rpartition("]")[0]
        found |= {value for token in params.split("-") if (value := _integer(token)) is not None}
    return frozenset(found)


def _integer(literal: str) -> int | None:
    """The value of a decimal integer literal (`13`, `1_000`), else None."""
    literal = literal.strip()
    if not (literal.isascii() and literal.replace("_", "").isdigit() and literal[0].isdigit()):
        return None
    try:
        return int(literal)
    except ValueError:
        return None


def value_families(text: str) -> frozenset[str]:
    """Edit families suggested by what the failing assertions got: the other boolean → a
    condition edit; a number at most NEAR_MISS off → a bound or operator edit."""
    families: set[str] = set()
    if _BOOLEAN_MISS.search(text):
        families |= CONDITION_FAMILIES
    if any(0 < abs(int(a) - int(b)) <= NEAR_MISS for a, b in _NUMBER_MISS.findall(text)):
        families |= BOUND_FAMILIES
    if _EMPTY_TAKE.search(text):
        families |= EMPTY_FAMILIES
    return frozenset(families)


def _replaced(files: Mapping[str, str], edit: Edit) -> str:
    """The source text an edit replaces."""
    source = files.get(edit.file)
    if source is None:
        return ""
    return source.encode("utf-8")[edit.start_byte:edit.end_byte].decode("utf-8", "replace")


def class_bases(files: Mapping[str, str]) -> dict[str, set[str]]:
    """Class name → the names of its bases, over every file (names only: good enough to walk
    a project's exception hierarchy)."""
    bases: dict[str, set[str]] = {}
    for source in files.values():
        for match in _CLASS.finditer(source):
            names = {part.strip().split(".")[-1] for part in match[2].split(",")}
            bases.setdefault(match[1], set()).update(n for n in names if n.isidentifier())
    return bases


def with_ancestors(names: Iterable[str], bases: Mapping[str, set[str]]) -> set[str]:
    """`names` and every project class they derive from (builtins stop the walk)."""
    found: set[str] = set()
    todo = [n for n in names if n]
    while todo:
        name = todo.pop()
        if name in found:
            continue
        found.add(name)
        todo.extend(b for b in bases.get(name, ()) if b not in _CATCH_ALL)
    return found


def _checks_a_none_receiver(files: Mapping[str, str], edit: Edit,
                            attributes: frozenset[str]) -> bool:
    """Whether the edit adds a None (or falsy) check of a variable whose attribute, one the
    messages say None lacked, the edited statement looks up."""
    if edit.operator not in ("guard", "condition_expansion", "raise", "wrap"):
        return False
    checked = {a or b for a, b in _NONE_CHECK.findall(edit.replacement)}
    if not checked or edit.file not in files:
        return False
    source = files[edit.file].encode("utf-8")
    start = source.rfind(b"\n", 0, edit.start_byte) + 1
    end = source.find(b"\n", source.find(b"\n", edit.end_byte) + 1)
    statement = source[start : end if end >= 0 else len(source)].decode("utf-8", "replace")
    return any(f"{name}.{attr}" in statement for name in checked for attr in attributes)


def widened_handlers(
    files: Mapping[str, str], edits: Iterable[ScoredEdit], hints: Hints
) -> list[ScoredEdit]:
    """For each handler the exception operator edits (`except X`), one more edit: `except B`
    with B a project base class of X that an escaped exception also derives from (the common
    base the handler likely meant); scored as the best edit of that handler, with its own hint
    in place of that edit's (`edits` carry their hint in their score)."""
    if not hints.escaped:
        return []
    bases = class_bases(files)
    best: dict[tuple[str, int, int], ScoredEdit] = {}
    for scored in edits:
        edit = scored.edits[0]
        key = (edit.file, edit.start_byte, edit.end_byte)
        if edit.operator == "exception" and len(scored.edits) == 1 and (
                key not in best or scored.score > best[key].score):
            best[key] = scored
    out = []
    for (file, start, end), scored in best.items():
        caught = files[file].encode("utf-8")[start:end].decode("utf-8", "replace").strip()
        for base in sorted(with_ancestors({caught}, bases) & hints.escaped - {caught}):
            edit = Edit(file, start, end, base, "exception", f"`except {caught}` → "
                        f"`except {base}` at {scored.edits[0].description.rsplit(' at ', 1)[-1]}")
            score = scored.score / hints.factor(files, scored.edits[0]) * hints.factor(files, edit)
            out.append(ScoredEdit((edit,), score, scored.location))
    return out
