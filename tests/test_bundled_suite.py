"""The bundled suite: loads, is varied, and every task validates in the real sandbox."""

from collections import Counter
from pathlib import Path

import anyio
import pytest

from solver.harness.validate import validate_all
from tasks.load import load_tasks

BUNDLED = Path(__file__).parents[1] / "tasks" / "bundled"


def test_suite_loads_and_is_varied():
    result = load_tasks(BUNDLED)
    assert result.errors == []
    assert len(result.tasks) >= 20
    classes = Counter(t.bug_class for t in result.tasks)
    assert len(classes) >= 9
    assert sum(t.locations >= 2 for t in result.tasks) >= 4
    for task in result.tasks:
        assert task.patch
        assert task.hidden_tests
        assert task.hidden_tests_patch
        assert task.problem_statement


@pytest.mark.docker
def test_every_bundled_task_validates(docker_client):
    tasks = load_tasks(BUNDLED).tasks
    checks = anyio.run(lambda: validate_all(tasks))
    broken = {c.instance_id: c.problems for c in checks if not c.ok}
    assert broken == {}
    assert len(checks) == len(tasks)
