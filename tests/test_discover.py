import docker
import pytest

from sandbox.verdict import Outcome, Verdict
from sandbox.verdict import TestResult as Result
from solver.jobs.discover import discover_tests, runner_error, split_outcomes
from tasks.model import Task
from tests.sandbox_helpers import EVIL

UNSTABLE = '''\
import time

import pytest


@pytest.mark.parametrize("stamp", [str(time.time_ns())])
def test_stamped(stamp):
    assert stamp
'''


@pytest.mark.docker
def test_discovery_splits_failing_from_passing(docker_client: docker.DockerClient, tmp_path):
    """A test whose id changes between two runs of the suite (a parameter holding the time)
    is left out of both lists (issue 17)."""
    repo = tmp_path / "repo"
    (repo / "evil").mkdir(parents=True)
    (repo / "tests").mkdir()
    for rel in ("evil/__init__.py", "tests/test_evil.py", "pyproject.toml"):
        (repo / rel).write_text((EVIL / rel).read_text())
    (repo / "tests/test_unstable.py").write_text(UNSTABLE)
    source = (repo / "evil/__init__.py").read_text()
    (repo / "evil/__init__.py").write_text(source.replace("2 * x", "2 + x"))
    found = discover_tests(docker_client, Task(instance_id="ci-mode", path=repo))
    assert found.task.fail_to_pass == ["tests/test_evil.py::test_double_zero"]
    assert found.task.pass_to_pass == ["tests/test_evil.py::test_double",
                                       "tests/test_evil.py::test_run"]
    assert [t.partition("[")[0] for t in found.unstable] == ["tests/test_unstable.py::test_stamped"]


def verdict(**outcomes: str) -> Verdict:
    return Verdict(candidate_id="base", applied=True, tests={
        t: Result(test_id=t, outcome=Outcome(o)) for t, o in outcomes.items()})


def test_only_what_both_runs_agree_on_counts() -> None:
    first = verdict(a="passed", b="failed", c="failed", d="passed", e="skipped", f="error")
    second = verdict(a="passed", b="failed", c="passed", d="failed", e="skipped", g="passed",
                     f="failed")
    assert split_outcomes(first, second) == (["b", "f"], ["a"], ["c", "d"])


def test_a_conftest_that_cannot_import_a_dependency_names_it(tmp_path) -> None:
    """marshmallow's conftest imports pytz, which `pip install -e .` leaves out: pytest exits 4
    before collecting; the error names the module, without the colour codes of --color=yes."""
    (tmp_path / "src" / "marshmallow").mkdir(parents=True)
    tail = ("ImportError while loading conftest '/testbed/tests/conftest.py'.\n"
            "tests/base.py:8: in <module>\n    import pytz\n"
            "\x1b[31mE   ModuleNotFoundError: No module named 'pytz'\x1b[0m\n")
    base = Verdict(candidate_id="base", applied=True, exit_code=4, log_tail=tail)
    error = runner_error(base, "python -m pytest", tmp_path)
    assert error.startswith("the test command `python -m pytest` cannot import `pytz`")
    assert "\x1b" not in error
    assert "with none, solver ci would run" not in error  # nothing declared here
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "marshmallow"\n[project.optional-dependencies]\ntests = ["pytz"]\n')
    hinted = runner_error(base, "python -m pytest", tmp_path)
    assert "with none, solver ci would run `pip install -e '.[tests]'`" in hinted
    own = base.model_copy(update={"log_tail": tail.replace("pytz", "marshmallow")})
    assert "cannot import" not in runner_error(own, "python -m pytest", tmp_path)
