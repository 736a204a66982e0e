"""Context building: which files a prompt shows, the outline of the rest, the hypotheses."""

from __future__ import annotations

from solver.analysis import Location
from solver.generators.llm.context import (
    build_context,
    definitions,
    estimate_tokens,
    excerpt,
    rank_files,
    rank_hypotheses,
    scope_at,
)

CALC = '''"""Arithmetic."""


class Calc:
    def add(self, a: int, b: int) -> int:
        return a + b

    def div(self, a, b):
        if b == 0:
            raise ZeroDivisionError
        return b / a


def helper(x, *args, key=None):
    return x
'''
UNITS = "def convert(value, unit='m') -> float:\n    return value\n"
BIG = "".join(f"def f{i}(x):\n    return x + {i}\n\n\n" for i in range(400))
FILES = {"pkg/calc.py": CALC, "pkg/units.py": UNITS, "pkg/big.py": BIG,
         "pkg/other.py": "class Other(Base):\n    pass\n"}


def test_definitions_give_nested_signatures() -> None:
    found = definitions(CALC)
    assert [(d, n) for d, n, _ in found] == [(0, "Calc"), (1, "add"), (1, "div"), (0, "helper")]
    assert found[1][2] == "def add(self, a: int, b: int) -> int"
    assert found[3][2] == "def helper(x, *args, key=None)"


def test_scope_of_a_line() -> None:
    assert scope_at(CALC, 11) == "Calc.div"
    assert scope_at(CALC, 9) == "Calc.div"
    assert scope_at(CALC, 1) == "<module>"
    assert scope_at(CALC, 15) == "helper"


def test_files_ranked_by_localization_then_mentions() -> None:
    locations = [Location("pkg/calc.py", 11, 1.0, "traceback")]
    ranking = rank_files(FILES, locations, "convert() in pkg/units.py returns metres")
    assert ranking[:2] == ["pkg/calc.py", "pkg/units.py"]
    assert "pkg/other.py" not in ranking


def test_context_shows_suspects_and_outlines_the_rest() -> None:
    locations = [Location("pkg/calc.py", 11, 1.0, "traceback"),
                 Location("pkg/big.py", 6, 0.4, "ochiai")]
    context = build_context(FILES, locations, "Calc.div is upside down", max_tokens=2000)
    shown = {f["path"]: f["content"] for f in context.files}
    assert shown["pkg/calc.py"] == CALC
    assert shown["pkg/big.py"].startswith("def f1(x):")  # too large: only its suspect function
    assert len(shown["pkg/big.py"]) < 100
    assert "pkg/other.py\n    class Other(Base)" in context.outline
    assert "pkg/calc.py" not in context.outline
    assert context.tokens() <= 2000
    assert [h.describe() for h in context.hypotheses] == [
        "pkg/calc.py:11 in Calc.div (traceback 1.00)", "pkg/big.py:6 in f1 (ochiai 0.40)"]


def test_focus_comes_first_and_the_outline_is_capped() -> None:
    hypotheses = rank_hypotheses(FILES, [Location("pkg/calc.py", 11, 1.0, "traceback"),
                                         Location("pkg/units.py", 2, 0.5, "ochiai")])
    context = build_context(FILES, [], "", max_tokens=200, focus=hypotheses[1])
    assert context.files[0]["path"] == "pkg/units.py"
    assert "more file(s)" in context.outline
    assert estimate_tokens(context.outline) <= 200


def test_excerpt_of_lines_outside_definitions_is_empty() -> None:
    assert excerpt(CALC, [1]) == '"""Arithmetic."""\n'
    assert excerpt(CALC, [999]) == ""
