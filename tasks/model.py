"""The task model: one typed record for SWE-bench instances and local checkouts alike."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from tasks.paths import test_file_of


def _parse_test_list(value: Any) -> Any:
    """SWE-bench publishes FAIL_TO_PASS / PASS_TO_PASS as JSON strings; accept lists too."""
    if value is None:
        return []
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return []
        parsed = json.loads(text)
        if not isinstance(parsed, list):
            raise ValueError("expected a JSON list of test ids")
        return parsed
    return value


TestList = Annotated[list[str], BeforeValidator(_parse_test_list)]


class Task(BaseModel):
    """What is to be fixed, and how its tests run.

    SWE-bench fields keep their published names; a local task sets `path` (a checkout or a folder)
    and its commands instead of `repo` / `base_commit`.
    """

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    instance_id: str
    """Unique id, `owner__name-NUMBER` for SWE-bench, a slug for local tasks."""
    repo: str = ""
    """`owner/name` of the upstream repository (SWE-bench); empty for local tasks."""
    base_commit: str = ""
    """Commit the repository is checked out at; empty: the tree at `path` as it is."""
    problem_statement: str = ""
    """The issue text as a user filed it."""
    patch: str = ""
    """The gold patch (never shown to a generator)."""
    test_patch: str = ""
    """Tests added by the fix, applied before verification (SWE-bench)."""
    fail_to_pass: TestList = Field(default_factory=list, alias="FAIL_TO_PASS")
    """Test ids that fail before the fix and must pass after it."""
    pass_to_pass: TestList = Field(default_factory=list, alias="PASS_TO_PASS")
    """Test ids that pass before the fix and must keep passing."""
    version: str = ""
    environment_setup_commit: str = ""
    hints_text: str = ""
    path: Path | None = None
    """Local source of the repository (a git checkout or a plain folder)."""
    test_cmd: str = "python -m pytest"
    """The runner command; test ids are appended to it."""
    install_cmd: str = ""
    """Run once when the environment image is built (e.g. `pip install -e .`)."""
    requirements: list[str] = Field(default_factory=list)
    """Extra PyPI requirements of the environment."""
    hidden_tests_patch: str = ""
    """Held-back tests that tell a correct fix from a plausible one (never shown to the solver)."""
    hidden_tests: TestList = Field(default_factory=list)
    """Test ids of the held-back tests."""
    test_files: list[str] = Field(default_factory=list)
    """Repo-relative paths of test files a candidate may not touch (besides the usual patterns)."""
    bug_class: str = ""
    """What kind of bug a bundled task seeds (e.g. `off-by-one`); empty for real issues."""
    locations: int = 1
    """How many places the gold patch touches (bundled tasks)."""


def test_files_of(task: Task) -> frozenset[str]:
    """The task's own test files: named in its test ids (doctests excepted: their module is
    library code), or listed explicitly."""
    ids = [*task.fail_to_pass, *task.pass_to_pass, *task.hidden_tests]
    named = (test_file_of(t) for t in ids)
    return frozenset({*task.test_files, *(path for path in named if path)})
