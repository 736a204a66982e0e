"""Candidate validation: parse errors, compile errors, new SyntaxWarnings, no-ops and duplicates
are refused; the region checked is the method around an edit, not the whole file."""

from __future__ import annotations

import pytest

from solver.analysis.syntax import parse
from solver.generators.search.edits import Edit
from solver.generators.search.validate import Region, Validator, region_of

SOURCE = """\
import os


class Shape:
    def area(self, x):
        return x

    def walk(self):
        for i in range(3):
            print(i)


def free(y):
    return y
"""
FILE = "shape.py"
X = SOURCE.index("return x") + len("return ")


def edit_at(start: int, end: int, replacement: str) -> Edit:
    return Edit(FILE, start, end, replacement, "test", "")


@pytest.mark.parametrize(
    "replacement",
    ["(x", "x is 1", "(x)"],
    ids=["parse error", "new SyntaxWarning", "same AST"],
)
def test_refused(replacement: str) -> None:
    assert not Validator({FILE: SOURCE}).accept([edit_at(X, X + 1, replacement)])


def test_compile_errors_are_refused() -> None:
    start = SOURCE.index("return x")
    assert not Validator({FILE: SOURCE}).accept([edit_at(start, start + 8, "break")])


def test_duplicates_are_refused_and_other_files_must_exist() -> None:
    validator = Validator({FILE: SOURCE})
    assert validator.accept([edit_at(X, X + 1, "x + 1")])
    assert not validator.accept([edit_at(X, X + 1, "x+1")])
    assert validator.accept([edit_at(X, X + 1, "x - 1")])
    assert not validator.accept([Edit("other.py", 0, 0, "x = 1\n", "test", "")])


def test_region_is_the_method_dedented() -> None:
    source = SOURCE.encode()
    root = parse(source).root_node
    region = region_of(source, root, X, X + 1)
    assert source[region.start : region.end].decode().startswith("    def area(self, x):")
    assert source[region.start : region.end].decode().endswith("return x\n")
    assert region.indent == 4
    end = source.index(b"free")
    assert region_of(source, root, end, end + 4) == Region(
        source.index(b"def free"), len(source), 0
    )
