"""Hints from failure messages: None receivers to check, exceptions a handler should catch."""

from __future__ import annotations

from solver.analysis import Location
from solver.generators.search.edits import Edit
from solver.generators.search.generator import SearchGenerator
from solver.generators.search.hints import (
    HINT_FACTOR,
    VALUE_FACTOR,
    Hints,
    hints_from,
    parametrized_integers,
    widened_handlers,
)

ERRORS = """\
class AppError(Exception):
    pass


class Closed(AppError):
    pass


class Short(AppError):
    pass
"""
BOOK = """\
from errors import Closed, Short


def move(a, b):
    try:
        a.take(b)
    except Short:
        return False
    return a.name.lower() == b
"""


def test_messages_name_none_receivers_and_escaped_exceptions() -> None:
    files = {"errors.py": ERRORS, "book.py": BOOK}
    hints = hints_from(["errors.Closed: account 3 is closed\nsome traceback",
                        "AttributeError: 'NoneType' object has no attribute 'lower'",
                        "Failed: DID NOT RAISE <class 'errors.Short'>"], files)
    assert hints.escaped == {"Closed", "AppError", "AttributeError"}
    assert hints.expected == {"Short", "AppError"}
    assert hints.none_attributes == {"lower"}
    line = BOOK.encode().index(b"    return a.name")
    guard = Edit("book.py", line, line, "    if a.name is None:\n        return False\n",
                 "guard", "")
    other = Edit("book.py", line, line, "    if b is None:\n        return False\n", "guard", "")
    assert hints.factor(files, guard) == HINT_FACTOR
    assert hints.factor(files, other) == 1.0
    assert Hints().factor(files, guard) == 1.0


def test_a_handler_is_widened_to_the_base_the_escaped_exception_shares() -> None:
    files = {"errors.py": ERRORS, "book.py": BOOK}
    baseline = {"t": "failed|errors.Closed: account 3 is closed"}
    generator = SearchGenerator(files, [Location("book.py", 7, 1.0, "traceback")],
                                baseline=baseline)
    widened = [e for e in generator.first_order if "`except AppError`" in e.description]
    assert len(widened) == 1
    assert widened[0].diff(files).count("+    except AppError:") == 1
    assert generator.ranked_first_order()[0].edits == widened[0].edits  # hint: first
    assert widened_handlers(files, generator.first_order, Hints()) == []


DIVIDE = """\
def halves(n, p):
    return list(range(n / p, n + p))
"""


def test_the_operator_a_type_error_blames_is_favoured() -> None:
    files = {"d.py": DIVIDE}
    source = DIVIDE.encode()
    divide, plus = source.index(b"/"), source.index(b"+")
    to_floor = Edit("d.py", divide, divide + 1, "//", "arithmetic", "")
    to_minus = Edit("d.py", plus, plus + 1, "-", "arithmetic", "")
    floats = hints_from(["TypeError: 'float' object cannot be interpreted as an integer"], files)
    assert floats.factor(files, to_floor) == HINT_FACTOR
    assert floats.factor(files, to_minus) == 1.0
    operands = hints_from(["TypeError: unsupported operand type(s) for +: 'int' and 'str'"],
                          files)
    assert operands.factor(files, to_minus) == HINT_FACTOR
    assert operands.factor(files, to_floor) == 1.0


def test_wrong_values_favour_the_edit_family_they_suggest() -> None:
    files = {"d.py": DIVIDE}
    negate = Edit("d.py", 0, 0, "", "negation", "")
    bound = Edit("d.py", 0, 0, "", "off_by_one", "")
    flipped = hints_from(["assert True is False\n +  where True = f(2)"], files)
    assert flipped.factor(files, negate) == VALUE_FACTOR
    assert flipped.factor(files, bound) == 1.0
    near = hints_from(["assert 365 == 366\n +  where 365 = yearlen(2024)"], files)
    assert near.factor(files, bound) == VALUE_FACTOR
    assert near.factor(files, negate) == 1.0
    far = hints_from(["assert 3 == 300"], files)
    assert far.factor(files, bound) == 1.0


SUFFIX = """\
def suffix(n):
    if n % 100 in (11, 12, 14):
        return "th"
    return ("th", "st", "nd", "rd", "th", "th", "th", "th", "th", "th")[n % 10]
"""


def test_failing_parameters_turn_a_neighbouring_literal_into_them() -> None:
    assert parametrized_integers(["t.py::test_s[13-13th]", "t.py::test_s[test_args0-1_000]",
                                  "t.py::test_s[1.5-x]", "t.py::test_plain"]) == {13, 1000}
    files = {"s.py": SUFFIX}
    at = SUFFIX.encode().index(b"14")
    to_13 = Edit("s.py", at, at + 2, "13", "off_by_one", "")
    to_15 = Edit("s.py", at, at + 2, "15", "off_by_one", "")
    hints = hints_from(["AssertionError: assert 'rd' == 'th'"], files, ["t.py::test_s[13-th]"])
    assert hints.factor(files, to_13) == HINT_FACTOR
    assert hints.factor(files, to_15) == 1.0
    assert hints_from([], files).factor(files, to_13) == 1.0


def test_a_favoured_runner_up_leads_its_site() -> None:
    """`14` → `13` is the off-by-one operator's second choice for `14`, after `15`, and the
    third literal of its line: with 13 failing, it comes right after `12` → `13` (which breaks
    12) instead of behind a hundred other edits (humanize's ordinal, issue 17)."""
    files = {"s.py": SUFFIX}
    locations = [Location("s.py", 4, 1.0, "ochiai"), Location("s.py", 2, 0.85, "ochiai")]
    baseline = {"t.py::test_s[13-th]": "failed|AssertionError: assert 'rd' == 'th'"}
    ranked = SearchGenerator(files, locations, baseline=baseline).ranked_first_order()
    unhinted = SearchGenerator(files, locations).ranked_first_order()
    gold = next(i for i, e in enumerate(ranked) if e.description.startswith("`14` → `13`"))
    before = next(i for i, e in enumerate(unhinted) if e.description.startswith("`14` → `13`"))
    assert gold < 4 < 10 < before


def test_a_pop_from_an_empty_collection_asks_for_a_loop_condition() -> None:
    from solver.generators.search.hints import value_families

    assert "loop_condition" in value_families("E   IndexError: pop from an empty deque")
    assert "loop_condition" in value_families("IndexError: pop from empty list")
    assert "loop_condition" not in value_families("IndexError: list index out of range")
