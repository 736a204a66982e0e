"""Prompt templates render with StrictUndefined, say what they must, and the package stays light."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import jinja2
import pytest

import solver.generators.llm
from sandbox import verdict as verdicts
from solver.generators.llm import apply_edits, parse_choice, parse_edits, render, verdict_context
from solver.generators.llm.agent import TOOLS, Action, observe
from solver.generators.llm.generator import STRATEGIES, STRATEGY_NAMES
from solver.generators.llm.prompts import TEMPLATES, clip

ISSUE = "Calc.div returns b / a instead of a / b."
FILES = [{"path": "calc.py", "content": "def div(a, b):\n    return b / a\n"}]


def failing_verdict() -> verdicts.Verdict:
    result = verdicts.TestResult(
        test_id="tests/test_calc.py::test_div",
        outcome=verdicts.Outcome.FAILED,
        message="assert 0.5 == 2.0",
    )
    return verdicts.Verdict(applied=True, tests={result.test_id: result}, log_tail="1 failed")


def contexts() -> dict[str, dict[str, object]]:
    verdict = verdict_context(failing_verdict())
    return {
        "system": {},
        "propose": {
            "issue": ISSUE,
            "failing_tests": [{"id": "tests/test_calc.py::test_div", "output": "assert 0.5 == 2"}],
            "hypotheses": ["calc.py:2 div (ochiai 0.91)"],
            "files": FILES,
            "outline": "calc.py: div(a, b)",
            "strategy": "fix the root cause, not the symptom",
            "note": "",
        },
        "refine": {
            "issue": ISSUE,
            "patch": "diff --git a/x b/x\n",
            "verdict": verdict,
            "files": FILES,
            "note": "attempt 2 swapped the wrong names",
        },
        "distill": {
            "issue": ISSUE,
            "attempts": [{"id": "c1", "patch": "diff --git a/x b/x\n", "verdict": verdict}],
            "max_words": 120,
        },
        "reproduce": {"issue": ISSUE, "files": FILES, "test_path": "tests/test_issue.py"},
        "agent": {"steps": 3, "functions": False, "tools": [
            {"name": "read_file", "description": "Show lines.", "parameters": "path"}]},
        "strategy": {"strategy": "root-cause"},
        "tools.json": {},
        "observation": {"tool": "run", "observation": "exit 0\n"},
        "answer_now": {},
        "reproduce_retry": {"feedback": "On the code as it is now no test failed"},
        "judge": {
            "issue": ISSUE,
            "candidates": [
                {"diff": "diff --git a/a b/a\n", "evidence": "2/2 tests pass"},
                {"diff": "diff --git a/b b/b\n", "evidence": ""},
            ],
        },
    }


@pytest.mark.parametrize("name", [n for n in TEMPLATES if n != "retry_mismatch"])
def test_every_template_renders(name: str) -> None:
    text = render(name, **contexts()[name])
    assert text.strip()
    assert "{{" not in text
    assert "{%" not in text


@pytest.mark.parametrize("name", ["propose", "refine", "distill", "reproduce", "judge"])
def test_a_missing_variable_is_an_error(name: str) -> None:
    context = dict(contexts()[name])
    context.pop("issue")
    with pytest.raises(jinja2.UndefinedError):
        render(name, **context)


def test_system_example_is_valid_edit_markup() -> None:
    blocks = parse_edits(render("system"))
    assert [b.path for b in blocks] == ["mathweb/flask/app.py"] * 2
    source = "from flask import Flask\n\ndef factorial(n):\n    if n == 0:\n        return 1\n"
    source += "    return n * factorial(n)\n"
    result = apply_edits({"mathweb/flask/app.py": source}, blocks)["mathweb/flask/app.py"]
    assert result.startswith("import math\nfrom flask import Flask\n")
    assert "return math.factorial(n)" in result


def test_propose_shows_issue_tests_files_and_strategy() -> None:
    text = render("propose", **contexts()["propose"])
    for fragment in (
        ISSUE,
        "tests/test_calc.py::test_div",
        "ochiai 0.91",
        "calc.py\n```\n",
        "    return b / a\n```",
        "fix the root cause",
    ):
        assert fragment in text
    assert "earlier attempts" not in text  # empty note: no section


def test_refine_shows_the_failure_and_the_note() -> None:
    text = render("refine", **contexts()["refine"])
    assert "tests/test_calc.py::test_div: failed" in text
    assert "assert 0.5 == 2.0" in text
    assert "attempt 2 swapped the wrong names" in text


def test_refine_for_a_patch_that_did_not_apply() -> None:
    verdict = verdict_context(verdicts.Verdict(applied=False, reason="hunk 1 failed at line 3"))
    text = render("refine", **{**contexts()["refine"], "verdict": verdict})
    assert "did not apply: hunk 1 failed at line 3" in text


def test_agent_instructions_in_both_tool_formats() -> None:
    text = render("agent", **contexts()["agent"])
    assert "up to 3 actions" in text
    assert "ACTION: <tool> <JSON object of arguments>" in text
    assert "- read_file(path): Show lines." in text
    functions = render("agent", **{**contexts()["agent"], "functions": True})
    assert "Call the functions offered to you: read_file." in functions
    assert "ACTION:" not in functions


def test_judge_asks_for_an_index_and_parse_choice_reads_it() -> None:
    text = render("judge", **contexts()["judge"])
    assert "## Candidate 0" in text
    assert "## Candidate 1" in text
    assert "from 0 to 1" in text
    assert parse_choice("Both work, but 1 is smaller.\nCHOICE: 1", 2) == 1
    assert parse_choice("CHOICE: [0]", 2) == 0
    assert parse_choice("CHOICE: 7", 2) is None
    assert parse_choice("no idea", 2) is None


def test_clip_keeps_head_and_tail() -> None:
    text = "HEAD" + "x" * 10_000 + "TAIL"
    clipped = clip(text, 400)
    assert clipped.startswith("HEAD")
    assert clipped.endswith("TAIL")
    assert "characters omitted" in clipped
    assert len(clipped) < 500
    assert clip("short", 400) == "short"


def test_verdict_context_caps_the_failures() -> None:
    results = {
        f"t{i}": verdicts.TestResult(test_id=f"t{i}", outcome=verdicts.Outcome.FAILED)
        for i in range(5)
    }
    context = verdict_context(verdicts.Verdict(applied=True, tests=results), max_tests=2)
    assert [t["id"] for t in context["failing"]] == ["t0", "t1"]
    assert context["more_failing"] == 3


def test_public_surface() -> None:
    assert sorted(solver.generators.llm.__all__) == solver.generators.llm.__all__
    for name in solver.generators.llm.__all__:
        assert getattr(solver.generators.llm, name) is not None


def test_importing_the_package_does_not_import_litellm() -> None:
    probe = "import sys, solver.generators.llm; sys.exit('litellm' in sys.modules)"
    subprocess.run([sys.executable, "-c", probe], check=True, timeout=60)


def test_strategies_tools_and_observations_come_from_templates() -> None:
    assert [s.name for s in STRATEGIES] == list(STRATEGY_NAMES)
    assert all(s.text and "\n" not in s.text for s in STRATEGIES)
    with pytest.raises(jinja2.UndefinedError):
        render("strategy", strategy="no-such-strategy")
    names = [t["function"]["name"] for t in TOOLS]
    assert names == [t["name"] for t in json.loads(render("tools.json"))]
    read_file = TOOLS[0]["function"]["parameters"]
    assert read_file["required"] == ["path"]
    message = observe(Action("run", {}), "exit 0\n", functions=False)
    assert message["content"] == "OBSERVATION (run):\nexit 0\n"
    assert render("reproduce_retry", feedback="F").strip().startswith("F\n\nWrite the test")


PROSE_CHARS = 60
"""A string literal longer than this, not a docstring, is prose that belongs in a template."""


def docstrings(tree: ast.Module) -> set[int]:
    """The ids of docstring constants: first statements of bodies, and strings after assignments
    (attribute docstrings)."""
    found = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if not isinstance(body, list):
            continue
        for before, statement in zip([None, *body], body, strict=False):
            first = before is None and isinstance(
                node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            after_assignment = isinstance(before, ast.Assign | ast.AnnAssign)
            if (first or after_assignment) and isinstance(statement, ast.Expr) and isinstance(
                    statement.value, ast.Constant):
                found.add(id(statement.value))
    return found


def test_no_prompt_prose_in_the_llm_modules() -> None:
    package = Path(solver.generators.llm.__file__).parent
    long = []
    for path in sorted(package.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = docstrings(tree)
        long += [f"{path.name}:{node.lineno}" for node in ast.walk(tree)
                 if isinstance(node, ast.Constant) and isinstance(node.value, str)
                 and id(node) not in skip and len(node.value) > PROSE_CHARS]
    assert not long, f"prose literals (move them to prompts/*.j2): {long}"
