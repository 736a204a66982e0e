"""SEARCH/REPLACE edits: parsing answers, applying blocks, and git diffs that `git apply` takes."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from solver.generators.llm import (
    EditBlock,
    EditMismatch,
    EditParseError,
    apply_edits,
    diff_files,
    parse_edits,
    render,
)

CALC = """\
import math


class Calc:
    def div(self, a, b):
        return b / a

    def root(self, x):
        return math.sqrt(x)
"""

FENCED_PATH_OUTSIDE = """\
The division is upside down.

calc.py
```python
<<<<<<< SEARCH
    def div(self, a, b):
        return b / a
=======
    def div(self, a, b):
        return a / b
>>>>>>> REPLACE
```
"""

FENCED_PATH_INSIDE = """\
```
calc.py
<<<<<<< SEARCH
import math
=======
import cmath
import math
>>>>>>> REPLACE
```
"""

UNFENCED_MULTI = """\
**calc.py**
<<<<<<< SEARCH
        return math.sqrt(x)
=======
        return cmath.sqrt(x)
>>>>>>> REPLACE

<<<<<<< SEARCH
import math
=======
import cmath
>>>>>>> REPLACE

In `docs/notes.md`:
<<<<<<< SEARCH
=======
# Notes
>>>>>>> REPLACE
"""


def test_parse_fenced_with_path_before_the_fence() -> None:
    (block,) = parse_edits(FENCED_PATH_OUTSIDE)
    assert block == EditBlock(
        "calc.py",
        "    def div(self, a, b):\n        return b / a\n",
        "    def div(self, a, b):\n        return a / b\n",
        0,
    )


def test_parse_fenced_with_path_inside_the_fence() -> None:
    (block,) = parse_edits(FENCED_PATH_INSIDE)
    assert block.path == "calc.py"
    assert block.replace == "import cmath\nimport math\n"


def test_parse_unfenced_blocks_for_several_files() -> None:
    blocks = parse_edits(UNFENCED_MULTI)
    assert [(b.path, b.index) for b in blocks] == [
        ("calc.py", 0),
        ("calc.py", 1),  # no path line: the file of the block before
        ("docs/notes.md", 2),
    ]
    assert blocks[2].search == ""
    assert blocks[2].replace == "# Notes\n"


def test_parse_answer_without_blocks() -> None:
    assert parse_edits("I could not find the bug.") == []


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ("a.py\n<<<<<<< SEARCH\nx\n=======\ny\n", "REPLACE"),
        ("a.py\n<<<<<<< SEARCH\nx\n>>>>>>> REPLACE\n", "======="),
        ("<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n", "names no file"),
        ("../etc/passwd\n<<<<<<< SEARCH\n=======\ny\n>>>>>>> REPLACE\n", "unusable path"),
        ("/etc/passwd\n<<<<<<< SEARCH\n=======\ny\n>>>>>>> REPLACE\n", "unusable path"),
    ],
)
def test_parse_rejects_broken_blocks(answer: str, message: str) -> None:
    with pytest.raises(EditParseError, match=message):
        parse_edits(answer)


def test_apply_several_blocks_and_a_new_file() -> None:
    files = {"calc.py": CALC}
    blocks = parse_edits(FENCED_PATH_OUTSIDE + "\n" + UNFENCED_MULTI)
    result = apply_edits(files, blocks)
    assert result["calc.py"] == CALC.replace("b / a", "a / b").replace("math", "cmath")
    assert result["docs/notes.md"] == "# Notes\n"
    assert files == {"calc.py": CALC}


def test_empty_search_on_an_existing_file_inserts_at_its_start() -> None:
    block = EditBlock("calc.py", "", "# header\n")
    assert apply_edits({"calc.py": CALC}, [block])["calc.py"] == "# header\n" + CALC


def test_apply_ignores_trailing_spaces() -> None:
    block = EditBlock(
        "calc.py", "    def div(self, a, b):   \n        return b / a\n", "    pass\n"
    )
    assert "    pass\n" in apply_edits({"calc.py": CALC}, [block])["calc.py"]


def test_apply_carries_an_indentation_offset_to_the_replacement() -> None:
    block = EditBlock(
        "calc.py",
        "def div(self, a, b):\n    return b / a\n",
        "def div(self, a, b):\n    if a == 0:\n        raise ZeroDivisionError\n    return b / a\n",
    )
    result = apply_edits({"calc.py": CALC}, [block])["calc.py"]
    expected = (
        "    def div(self, a, b):\n"
        "        if a == 0:\n"
        "            raise ZeroDivisionError\n"
        "        return b / a\n"
    )
    assert expected in result


def test_apply_removes_excess_indentation_of_the_search() -> None:
    block = EditBlock("calc.py", "        import math\n", "        import cmath\n")
    result = apply_edits({"calc.py": CALC}, [block])["calc.py"]
    assert result.startswith("import cmath\n\n")


def test_apply_to_a_last_line_without_newline() -> None:
    block = EditBlock("a.py", "x = 1\n", "x = 2\n")
    assert apply_edits({"a.py": "y = 0\nx = 1"}, [block])["a.py"] == "y = 0\nx = 2"


def test_mismatch_names_the_block_and_the_closest_lines() -> None:
    blocks = [
        EditBlock("calc.py", "import math\n", "import cmath\n", 0),
        EditBlock("calc.py", "    def div(self, x, y):\n        return y / x\n", "", 1),
    ]
    with pytest.raises(EditMismatch) as mismatch:
        apply_edits({"calc.py": CALC}, blocks)
    error = mismatch.value
    assert error.block.index == 1
    assert error.closest_line == 5
    assert "    5 |     def div(self, a, b):" in error.closest
    assert "    6 |         return b / a" in error.closest
    assert "SEARCH block 2 for calc.py matches no lines" in str(error)
    prompt = render("retry_mismatch", mismatch=error)
    assert "def div(self, x, y):" in prompt
    assert "    5 |     def div(self, a, b):" in prompt


def test_mismatch_on_a_missing_file() -> None:
    with pytest.raises(EditMismatch, match="does not exist"):
        apply_edits({}, [EditBlock("nope.py", "x\n", "y\n")])


def git_apply(root: Path, diff: str) -> None:
    for args in (["--check"], []):
        subprocess.run(
            ["git", "apply", *args, "-"], cwd=root, input=diff, text=True, check=True, timeout=30
        )


def write_files(root: Path, files: dict[str, str]) -> None:
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)


def read_files(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): p.read_text()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.parts
    }


def test_diff_files_applies_with_git_apply(tmp_path: Path) -> None:
    before = {"calc.py": CALC, "pkg/old.py": "gone = True\n", "raw.txt": "no newline"}
    after = apply_edits(before, parse_edits(FENCED_PATH_OUTSIDE + UNFENCED_MULTI))
    after["raw.txt"] = "still no newline"
    del after["pkg/old.py"]
    diff = diff_files(before, after)
    assert "diff --git a/calc.py b/calc.py\n" in diff
    assert "--- a/calc.py\n+++ b/calc.py\n" in diff
    assert "--- /dev/null\n+++ b/docs/notes.md\n" in diff
    assert "--- a/pkg/old.py\n+++ /dev/null\n" in diff
    write_files(tmp_path, before)
    git_apply(tmp_path, diff)
    assert read_files(tmp_path) == after


def test_diff_files_of_equal_trees_is_empty() -> None:
    assert diff_files({"a.py": "x\n"}, {"a.py": "x\n"}) == ""
