"""Repair operators on small buggy programs: the expected fix is generated, its diff applies
with `git apply`, and the patched program behaves."""

from __future__ import annotations

import ast
import subprocess
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from solver.analysis import Location
from solver.generators.search import (
    OperatorPriors,
    ScoredEdit,
    apply_edits,
    combine_edits,
    generate_edits,
    render_diff,
)
from solver.generators.search.edits import apply_to_files

FILE = "pkg/mod.py"


def dump(source: str) -> str:
    return ast.dump(ast.parse(source))


def git_apply(tmp_path: Path, files: dict[str, str], diff: str) -> dict[str, str]:
    """Apply `diff` with git in a fresh repository holding `files`; the files afterwards."""
    for name, content in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(content)
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / "fix.patch").write_text(diff)
    subprocess.run(["git", "apply", "fix.patch"], cwd=tmp_path, check=True, capture_output=True)
    return {name: (tmp_path / name).read_text() for name in files}


def load(source: str) -> dict[str, Any]:
    namespace: dict[str, Any] = {}
    exec(compile(source, FILE, "exec"), namespace)
    return namespace


def find(candidates: list[ScoredEdit], files: dict[str, str], expected: dict[str, str]) -> int:
    """The rank of the candidate whose changed files equal `expected` as ASTs."""
    wanted = {name: dump(text) for name, text in expected.items()}
    for rank, candidate in enumerate(candidates):
        changed = apply_to_files(files, candidate.edits)
        if {name: dump(text) for name, text in changed.items()} == wanted:
            return rank
    raise AssertionError(f"expected fix not among {len(candidates)} candidates")


def check_fix(
    tmp_path: Path,
    buggy: str,
    fixed: str,
    line: int,
    behaves: Callable[[dict[str, Any]], None],
    operator: str,
) -> ScoredEdit:
    buggy, fixed = textwrap.dedent(buggy), textwrap.dedent(fixed)
    files = {FILE: buggy}
    candidates = generate_edits(files, [Location(FILE, line, 1.0, "test")], limit=400)
    candidate = candidates[find(candidates, files, {FILE: fixed})]
    assert operator in candidate.operators
    patched = git_apply(tmp_path, files, candidate.diff(files))[FILE]
    assert dump(patched) == dump(fixed)
    behaves(load(patched))
    return candidate


def test_comparison_replacement(tmp_path: Path) -> None:
    def behaves(ns: dict[str, Any]) -> None:
        assert [ns["is_non_positive"](n) for n in (-2, 0, 1)] == [True, True, False]

    buggy = """\
        def is_non_positive(n):
            if n < 0:
                return True
            return False
        """
    check_fix(tmp_path, buggy, buggy.replace("n < 0", "n <= 0"), 2, behaves, "comparison")


def test_range_bound_off_by_one(tmp_path: Path) -> None:
    def behaves(ns: dict[str, Any]) -> None:
        assert ns["total"](3) == 6

    buggy = """\
        def total(n):
            s = 0
            for i in range(1, n):
                s += i
            return s
        """
    check_fix(
        tmp_path, buggy, buggy.replace("range(1, n)", "range(1, n + 1)"), 3, behaves, "off_by_one"
    )


def test_slice_literal_off_by_one(tmp_path: Path) -> None:
    def behaves(ns: dict[str, Any]) -> None:
        assert ns["drop_first"]([1, 2, 3]) == [2, 3]

    buggy = "def drop_first(xs):\n    return xs[2:]\n"
    check_fix(tmp_path, buggy, buggy.replace("2:", "1:"), 2, behaves, "off_by_one")


def test_builtin_replacement(tmp_path: Path) -> None:
    def behaves(ns: dict[str, Any]) -> None:
        assert ns["largest"]([1, 3, 2]) == 3

    buggy = "def largest(xs):\n    return min(xs)\n"
    check_fix(tmp_path, buggy, buggy.replace("min", "max"), 2, behaves, "method")


def test_method_replacement(tmp_path: Path) -> None:
    def behaves(ns: dict[str, Any]) -> None:
        assert ns["clean"]("  a b  ") == "a b"

    buggy = "def clean(s):\n    return s.lstrip()\n"
    check_fix(tmp_path, buggy, buggy.replace("lstrip", "strip"), 2, behaves, "method")


def test_none_guard(tmp_path: Path) -> None:
    def behaves(ns: dict[str, Any]) -> None:
        assert ns["shout"](None) is None
        assert ns["shout"]("hi") == "HI!"

    buggy = """\
        def shout(text):
            return text.upper() + "!"
        """
    fixed = """\
        def shout(text):
            if text is None:
                return None
            return text.upper() + "!"
        """
    check_fix(tmp_path, buggy, fixed, 2, behaves, "guard")


def test_swapped_arguments(tmp_path: Path) -> None:
    def behaves(ns: dict[str, Any]) -> None:
        assert ns["power"](2, 3) == 8

    buggy = "def power(base, exp):\n    return pow(exp, base)\n"
    check_fix(
        tmp_path, buggy, buggy.replace("pow(exp, base)", "pow(base, exp)"), 2, behaves, "swap"
    )


def test_wrong_variable(tmp_path: Path) -> None:
    def behaves(ns: dict[str, Any]) -> None:
        assert ns["area"](2, 3) == 6

    buggy = "def area(width, height):\n    return width * width\n"
    check_fix(
        tmp_path, buggy, buggy.replace("width * width", "width * height"), 2, behaves, "identifier"
    )


def test_missing_increment(tmp_path: Path) -> None:
    def behaves(ns: dict[str, Any]) -> None:
        assert ns["index_of"]([5, 6, 7], 7) == 2
        assert ns["index_of"]([1], 3) == -1

    buggy = """\
        def index_of(xs, target):
            i = 0
            while i < len(xs):
                if xs[i] == target:
                    return i
            return -1
        """
    fixed = """\
        def index_of(xs, target):
            i = 0
            while i < len(xs):
                if xs[i] == target:
                    return i
                i += 1
            return -1
        """
    check_fix(tmp_path, buggy, fixed, 4, behaves, "increment")


def test_wrong_exception_type(tmp_path: Path) -> None:
    def behaves(ns: dict[str, Any]) -> None:
        assert ns["parse_int"](None) is None
        assert ns["parse_int"]("x") is None
        assert ns["parse_int"]("3") == 3

    buggy = """\
        def parse_int(text):
            try:
                return int(text)
            except ValueError:
                return None
        """
    fixed = buggy.replace("except ValueError", "except (ValueError, TypeError)")
    check_fix(tmp_path, buggy, fixed, 3, behaves, "exception")


def test_boolean_operator_swap(tmp_path: Path) -> None:
    def behaves(ns: dict[str, Any]) -> None:
        assert [ns["within"](x, 0, 10) for x in (-1, 5, 11)] == [False, True, False]

    buggy = "def within(x, lo, hi):\n    return x >= lo or x <= hi\n"
    check_fix(tmp_path, buggy, buggy.replace(" or ", " and "), 2, behaves, "boolean")


def test_remove_negation(tmp_path: Path) -> None:
    def behaves(ns: dict[str, Any]) -> None:
        assert ns["first_or_none"]([4, 5]) == 4
        assert ns["first_or_none"]([]) is None

    buggy = """\
        def first_or_none(items):
            if not items:
                return items[0]
            return None
        """
    check_fix(tmp_path, buggy, buggy.replace("if not items", "if items"), 2, behaves, "negation")


def test_arithmetic_replacement(tmp_path: Path) -> None:
    def behaves(ns: dict[str, Any]) -> None:
        assert ns["average"]([1, 2, 3]) == 2

    buggy = "def average(xs):\n    return sum(xs) * len(xs)\n"
    check_fix(tmp_path, buggy, buggy.replace(" * ", " / "), 2, behaves, "arithmetic")


def test_default_argument(tmp_path: Path) -> None:
    def behaves(ns: dict[str, Any]) -> None:
        assert ns["greet"]("bob") == "hi bob"

    buggy = """\
        def greet(name, punct=None):
            return "hi " + name + punct
        """
    check_fix(tmp_path, buggy, buggy.replace("=None", '=""'), 2, behaves, "default_argument")


def test_missing_return(tmp_path: Path) -> None:
    def behaves(ns: dict[str, Any]) -> None:
        assert ns["doubled"]([1, 2]) == [2, 4]

    buggy = """\
        def doubled(xs):
            out = []
            for x in xs:
                out.append(2 * x)
        """
    fixed = buggy + "    return out\n"
    check_fix(tmp_path, buggy, fixed, 4, behaves, "return_value")


def test_raise_insertion(tmp_path: Path) -> None:
    def behaves(ns: dict[str, Any]) -> None:
        assert ns["root"](4) == 2
        with pytest.raises(ValueError, match="invalid x"):
            ns["root"](-1)

    buggy = "def root(x):\n    return x ** 0.5\n"
    fixed = (
        'def root(x):\n    if x < 0:\n        raise ValueError(f"invalid x: {x!r}")\n'
        "    return x ** 0.5\n"
    )
    check_fix(tmp_path, buggy, fixed, 2, behaves, "raise")


def test_statement_copied_with_renaming(tmp_path: Path) -> None:
    def behaves(ns: dict[str, Any]) -> None:
        assert ns["normalize"]("  Ab ") == "ab"

    buggy = textwrap.dedent("""\
        def lower(word):
            word = word.lower()
            return word


        def normalize(text):
            text = text.strip()
            return text
        """)
    fixed = buggy.replace(
        "    text = text.strip()\n", "    text = text.strip()\n    text = text.lower()\n"
    )
    check_fix(tmp_path, buggy, fixed, 7, behaves, "insertion")


def test_condition_expansion(tmp_path: Path) -> None:
    def behaves(ns: dict[str, Any]) -> None:
        assert ns["describe"](None) == "empty"
        assert ns["describe"]([]) == "empty"
        assert ns["describe"]([1]) == "1 items"

    buggy = """\
        def describe(items):
            if len(items) == 0:
                return "empty"
            return f"{len(items)} items"
        """
    fixed = buggy.replace("if len(items) == 0", "if items is None or len(items) == 0")
    check_fix(tmp_path, buggy, fixed, 2, behaves, "condition_expansion")


def test_second_order_edit_across_two_files(tmp_path: Path) -> None:
    files = {
        "pkg/a.py": "def inc(x):\n    return x - 1\n",
        "pkg/b.py": "def is_big(x):\n    return x > 10\n",
    }
    firsts = generate_edits(files, [Location("pkg/a.py", 2, 1.0, "t")], limit=200)
    seconds = generate_edits(files, [Location("pkg/b.py", 2, 0.9, "t")], limit=200)
    combined = combine_edits(files, firsts, seconds, limit=100_000)
    expected = {
        "pkg/a.py": "def inc(x):\n    return x + 1\n",
        "pkg/b.py": "def is_big(x):\n    return x >= 10\n",
    }
    candidate = combined[find(combined, files, expected)]
    assert len(candidate.edits) == 2
    diff = candidate.diff(files)
    assert diff.count("diff --git") == 2
    patched = git_apply(tmp_path, files, diff)
    assert {name: dump(text) for name, text in patched.items()} == {
        name: dump(text) for name, text in expected.items()
    }


def test_candidates_parse_are_distinct_and_deterministic() -> None:
    source = textwrap.dedent("""\
        class Counter:
            def __init__(self, start=0):
                self.count = start
                self.step = 1

            def bump(self, times):
                for _ in range(times):
                    self.count += self.step
                return self.count
        """)
    files = {FILE: source}
    locations = [Location(FILE, 8, 1.0, "t"), Location(FILE, 9, 0.5, "t")]
    candidates = generate_edits(files, locations, limit=300)
    assert candidates == generate_edits(files, locations, limit=300)
    assert [c.score for c in candidates] == sorted((c.score for c in candidates), reverse=True)
    dumps = {dump(apply_edits(source, c.edits)) for c in candidates}
    assert len(dumps) == len(candidates)
    assert dump(source) not in dumps
    assert "`self.count` → `self.step`" in {c.description.split(" at ")[0] for c in candidates}


def test_priors_reorder_candidates() -> None:
    files = {FILE: "def f(a, b):\n    return a < b\n"}
    locations = [Location(FILE, 2, 1.0, "t")]
    before = generate_edits(files, locations, limit=50)
    priors = OperatorPriors()
    for _ in range(20):
        priors.update("swap", success=True)
        priors.update("comparison", success=False)
    after = generate_edits(files, locations, priors, limit=50)
    assert before[0].operators != ("swap",)
    assert after[0].operators == ("swap",)
    assert priors.weight("swap") > 1.0 > priors.weight("comparison")
    assert priors.weight("never_seen") == 1.0
    assert OperatorPriors.from_dict(priors.to_dict()) == priors


def test_render_diff_without_trailing_newline(tmp_path: Path) -> None:
    files = {"m.py": "x = 1\ny = 2"}
    edit = generate_edits(files, [Location("m.py", 2, 1.0, "t")], limit=1)[0]
    diff = render_diff(files, list(edit.edits))
    assert diff.startswith("diff --git a/m.py b/m.py\n--- a/m.py\n+++ b/m.py\n@@")
    assert "\\ No newline at end of file" in diff
    patched = git_apply(tmp_path, files, diff)
    assert patched["m.py"] == apply_edits(files["m.py"], edit.edits)


def test_missing_base_case_of_recursion(tmp_path: Path) -> None:
    def behaves(ns: dict[str, Any]) -> None:
        assert ns["fact"](4) == 24

    buggy = "def fact(n):\n    return n * fact(n - 1)\n"
    fixed = "def fact(n):\n    if n <= 1:\n        return 1\n    return n * fact(n - 1)\n"
    check_fix(tmp_path, buggy, fixed, 2, behaves, "guard")


def test_public_surface() -> None:
    import solver.generators.search as search

    assert sorted(search.__all__) == sorted(set(search.__all__))
    assert all(hasattr(search, name) for name in search.__all__)
    assert len(search.OPERATORS) == 30


def test_recomputation_replaced_by_the_variable(tmp_path: Path) -> None:
    def behaves(ns: dict[str, Any]) -> None:
        assert ns["per_gap"](["a", "b", "c"], 6) == 3

    buggy = """\
        def per_gap(words, spaces):
            gaps = len(words) - 1
            return spaces // len(words)
        """
    check_fix(tmp_path, buggy, buggy.replace("// len(words)", "// gaps"), 3, behaves,
              "identifier")


def test_handler_catches_the_configured_exceptions(tmp_path: Path) -> None:
    def behaves(ns: dict[str, Any]) -> None:
        with pytest.raises(KeyError):
            ns["attempt"](lambda: {"y": 1}["x"], retry_on=(ValueError,))

    buggy = """\
        def attempt(fn, retry_on=(Exception,)):
            try:
                return fn()
            except Exception:
                return None
        """
    fixed = buggy.replace("except Exception:", "except retry_on:")
    check_fix(tmp_path, buggy, fixed, 3, behaves, "exception")


def test_guard_returns_a_dataclass_field(tmp_path: Path) -> None:
    def behaves(ns: dict[str, Any]) -> None:
        assert ns["Field"](default=7).convert("") == 7
        assert ns["Field"]().convert("3") == 3

    buggy = """\
        from dataclasses import dataclass


        @dataclass
        class Field:
            default: int | None = None

            def convert(self, raw):
                raw = raw.strip()
                return int(raw)
        """
    tail = "                return int(raw)"
    guard = "                if not raw:\n                    return self.default\n"
    fixed = buggy.replace(tail, guard + tail)
    check_fix(tmp_path, buggy, fixed, 10, behaves, "guard")


def test_loop_element_replaces_the_parameter_first() -> None:
    source = textwrap.dedent("""\
        def parents(graph, start):
            parent = {}
            queue = [start]
            while queue:
                current = queue.pop()
                for nbr in graph[current]:
                    parent[nbr] = start
            return parent
        """)
    files = {FILE: source}
    edits = generate_edits(files, [Location(FILE, 7, 1.0, "t")], limit=50)
    identifiers = [e.description.split(" at ")[0] for e in edits if e.operators == ("identifier",)]
    assert identifiers[0] == "`start` → `current`"


def test_a_variable_derived_from_the_expression_ranks_first() -> None:
    source = textwrap.dedent("""\
        def f(words, spaces):
            gaps = len(words) - 1
            n = 2
            return spaces // len(words)
        """)
    files = {FILE: source}
    edits = generate_edits(files, [Location(FILE, 4, 1.0, "t")], limit=80)
    replaced = [e for e in edits if e.description.startswith("`len(words)` →")]
    assert replaced[0].description.startswith("`len(words)` → `gaps`")
