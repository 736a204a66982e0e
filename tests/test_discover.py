import docker
import pytest

from solver.jobs.discover import discover_tests
from tasks.model import Task
from tests.sandbox_helpers import EVIL

pytestmark = pytest.mark.docker


def test_discovery_splits_failing_from_passing(docker_client: docker.DockerClient, tmp_path):
    repo = tmp_path / "repo"
    (repo / "evil").mkdir(parents=True)
    (repo / "tests").mkdir()
    for rel in ("evil/__init__.py", "tests/test_evil.py", "pyproject.toml"):
        (repo / rel).write_text((EVIL / rel).read_text())
    source = (repo / "evil/__init__.py").read_text()
    (repo / "evil/__init__.py").write_text(source.replace("2 * x", "2 + x"))
    task = discover_tests(docker_client, Task(instance_id="ci-mode", path=repo))
    assert task.fail_to_pass == ["tests/test_evil.py::test_double_zero"]
    assert task.pass_to_pass == ["tests/test_evil.py::test_double", "tests/test_evil.py::test_run"]
