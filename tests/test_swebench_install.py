"""The SWE-bench path end to end on a tiny local repository: specs → env → the repo installed
with `pip install -e .` at /testbed (a version from its tags, a file generated at install) →
pristine copy → sandbox runs that see the candidate's edits. Needs Docker and PyPI."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import docker
import git
import pytest

from sandbox import SandboxConfig, SandboxError, Session
from sandbox.network import INTERNAL_NETWORK, ensure_internal_network
from sandbox.swebench_env import SpecTables, prepare_swebench
from tasks.model import Task
from tests.fakellm import FakeLLM, fake_llm_fixture  # noqa: F401

pytestmark = pytest.mark.docker
AUTHOR = git.Actor("Test", "test@example.com")
FILES = {
    "pyproject.toml": '[build-system]\nrequires = ["setuptools>=64"]\n'
                      'build-backend = "setuptools.build_meta"\n',
    "setup.py": (
        "import os\nfrom setuptools import setup\n"
        "version = os.environ['SETUPTOOLS_SCM_PRETEND_VERSION']\n"
        "with open('tinypkg/_version.py', 'w') as f:\n"
        "    f.write(f'version = {version!r}\\n')\n"
        "setup(name='tinypkg', version=version, packages=['tinypkg'])\n"
    ),
    "tinypkg/__init__.py": "from tinypkg._version import version\n\n\ndef double(x):\n"
                           "    return x * 2\n",
    "tests/test_tiny.py": (
        "import importlib.metadata\n\nimport pytest\n\nimport tinypkg\n\n\n"
        "def test_double():\n    assert tinypkg.double(2) == 4\n\n\n"
        "def test_installed_in_place():\n    assert tinypkg.__file__.startswith('/testbed/')\n"
        "    assert importlib.metadata.version('tinypkg') == tinypkg.version\n\n\n"
        "@pytest.mark.parametrize('text', ['a b', 'c d'])\n"
        "def test_spaced(text):\n    assert ' ' in text\n"
    ),
}
TABLES = SpecTables(specs={"acme/tiny": {"1.2": {
    "python": "3.11", "install": "python -m pip install -e .", "test_cmd": "pytest -rA",
}}}, reqs_paths={})
EDIT = """\
--- a/tinypkg/__init__.py
+++ b/tinypkg/__init__.py
@@ -4,2 +4,2 @@ from tinypkg._version import version
 def double(x):
-    return x * 2
+    return x * 3
"""


@pytest.fixture(scope="module")
def tiny_task(tmp_path_factory: pytest.TempPathFactory) -> tuple[Task, Path]:
    repos = tmp_path_factory.mktemp("repos")
    path = repos / "acme" / "tiny"
    with git.Repo.init(path) as repo:
        for name, text in FILES.items():
            (path / name).parent.mkdir(parents=True, exist_ok=True)
            (path / name).write_text(text)
        repo.index.add(list(FILES))
        repo.index.commit("tiny", author=AUTHOR, committer=AUTHOR)
        repo.create_tag("1.2.0")
        (path / "README").write_text("tiny\n")
        repo.index.add(["README"])
        head = repo.index.commit("readme", author=AUTHOR, committer=AUTHOR).hexsha
    task = Task(instance_id="acme__tiny-1", repo="acme/tiny", version="1.2", base_commit=head)
    return task, repos


def test_an_installed_repo_runs_in_the_sandbox_and_is_cached(
    docker_client: docker.DockerClient, tiny_task: tuple[Task, Path]
) -> None:
    task, repos = tiny_task
    image, spec, recipe = prepare_swebench(docker_client, task, repos, tables=TABLES)
    assert spec.test_cmd == ("pytest", "-rA")
    assert recipe.python == "3.11"
    start = time.monotonic()
    assert prepare_swebench(docker_client, task, repos, tables=TABLES)[0] == image
    assert time.monotonic() - start < 5
    ids = ["tests/test_tiny.py::test_double", "tests/test_tiny.py::test_installed_in_place",
           "tests/test_tiny.py::test_spaced[a"]
    with Session(docker_client, image, SandboxConfig(), spec) as session:
        clean = session.verify("", ids)
        assert clean.passed(ids), clean.log_tail
        edited = session.verify(EDIT, ids)
        assert edited.outcome(ids[0]) == "failed"  # the editable install sees /testbed
        assert edited.passed(ids[1:])
        whole_file = session.verify("", ["tests/test_tiny.py"])
        assert whole_file.passed(["tests/test_tiny.py::test_spaced[c d]"])
    installed = docker_client.containers.run(
        image, ["python", "-c", "import tinypkg; print(tinypkg.version)"], remove=True,
        working_dir="/opt/pristine")
    assert installed.decode().strip().startswith("1.2.1.dev1+g")


def test_the_internal_network_is_made_once_and_a_sandbox_can_join_it(
    docker_client: docker.DockerClient, tiny_task: tuple[Task, Path]
) -> None:
    assert ensure_internal_network(docker_client) == INTERNAL_NETWORK
    assert ensure_internal_network(docker_client) == INTERNAL_NETWORK  # reused
    assert docker_client.networks.get(INTERNAL_NETWORK).attrs["Internal"]
    task, repos = tiny_task
    image, spec, _ = prepare_swebench(docker_client, task, repos, tables=TABLES)
    config = SandboxConfig(network=INTERNAL_NETWORK)
    with Session(docker_client, image, config, spec) as session:
        assert session.verify("", ["tests/test_tiny.py::test_double"]).passed(
            ["tests/test_tiny.py::test_double"])


def test_a_network_of_that_name_that_is_not_internal_is_refused(
    docker_client: docker.DockerClient,
) -> None:
    name = f"solver-test-open-{uuid.uuid4().hex[:8]}"
    network = docker_client.networks.create(name, driver="bridge")
    try:
        with pytest.raises(SandboxError, match="not internal"):
            ensure_internal_network(docker_client, name)
    finally:
        network.remove()


BUGGY = {
    **FILES,
    "tinypkg/__init__.py": "from tinypkg._version import version\n\n\n"
                           "def clamp(x, lo, hi):\n    return max(lo, min(x, lo))\n",
    "tests/test_tiny.py": "import tinypkg\n\n\ndef test_low():\n"
                          "    assert tinypkg.clamp(-5, 0, 10) == 0\n",
}
TEST_PATCH = """\
--- a/tests/test_tiny.py
+++ b/tests/test_tiny.py
@@ -4,2 +4,7 @@ import tinypkg
 def test_low():
     assert tinypkg.clamp(-5, 0, 10) == 0
+
+
+def test_inside():
+    assert tinypkg.clamp(5, 0, 10) == 5
+    assert tinypkg.clamp(15, 0, 10) == 10
"""


def buggy_instance(root: Path) -> Task:
    path = root / "acme" / "tiny"
    with git.Repo.init(path) as repo:
        for name, text in BUGGY.items():
            (path / name).parent.mkdir(parents=True, exist_ok=True)
            (path / name).write_text(text)
        repo.index.add(list(BUGGY))
        head = repo.index.commit("buggy", author=AUTHOR, committer=AUTHOR).hexsha
        repo.create_tag("1.2.0")
    return Task(instance_id="acme__tiny-2", repo="acme/tiny", version="1.2", base_commit=head,
                test_patch=TEST_PATCH, fail_to_pass=["tests/test_tiny.py::test_inside"],
                pass_to_pass=["tests/test_tiny.py::test_low"])


def test_an_instance_is_solved_from_its_mirror_with_swebench_ids_and_coverage(
    docker_client: docker.DockerClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`solve_task` on a SWE-bench-shaped instance: the repo from --repos-dir, the harness's
    spec (its own env, so coverage comes from the side image), the search generator."""
    import anyio

    import sandbox.swebench_env
    from solver.config import SolverConfig
    from solver.jobs.run import solve_task

    monkeypatch.setattr(sandbox.swebench_env, "load_tables", lambda *_: TABLES)
    task = buggy_instance(tmp_path)
    config = SolverConfig(width=8, depth=2, test_timeout=60, generator="search")
    result, locations = anyio.run(lambda: solve_task(task, config, repos_dir=tmp_path))
    assert any(loc.reason != "traceback" for loc in locations), locations  # coverage ran
    assert result.plausible, [(c.note, c.verdict.failing) for c in result.candidates]
    assert "min(x, hi)" in result.patch


def test_an_instance_is_solved_by_the_llm_generator(
    docker_client: docker.DockerClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    fake_llm: FakeLLM,
) -> None:
    import anyio

    import sandbox.swebench_env
    from solver.compose import closing_model_clients
    from solver.config import SolverConfig
    from solver.jobs.run import solve_task

    monkeypatch.setattr(sandbox.swebench_env, "load_tables", lambda *_: TABLES)
    monkeypatch.setenv("SOLVER_API_KEY", "sk-test")
    monkeypatch.setenv("SOLVER_MODEL_BACKOFF", "0.01")
    fake_llm.script(["Clamp to the upper bound.\n\ntinypkg/__init__.py\n```python\n"
                     "<<<<<<< SEARCH\n    return max(lo, min(x, lo))\n=======\n"
                     "    return max(lo, min(x, hi))\n>>>>>>> REPLACE\n```\n"])
    config = SolverConfig(width=1, depth=1, test_timeout=60, generator="llm",
                          model="openai/fake", api_base=fake_llm.base_url)
    task = buggy_instance(tmp_path)

    async def run() -> bool:
        async with closing_model_clients(config):
            result, _ = await solve_task(task, config, repos_dir=tmp_path)
        return result.plausible

    assert anyio.run(run)
    assert "tinypkg/__init__.py" in str(fake_llm.requests[0]["messages"])


def test_httpbin_org_answers_on_the_internal_network_from_the_local_stand_in(
    docker_client: docker.DockerClient,
) -> None:
    from sandbox.services import HTTPBIN, ensure_httpbin

    assert ensure_httpbin(docker_client, INTERNAL_NETWORK) == HTTPBIN
    assert ensure_httpbin(docker_client, INTERNAL_NETWORK) == HTTPBIN  # the running one, reused
    probe = ("import json, urllib.request; "
             "print(json.load(urllib.request.urlopen('http://httpbin.org/get?x=1'))['args'])")
    output = docker_client.containers.run(
        "python:3.11-slim", ["python3", "-c", probe], network=INTERNAL_NETWORK, remove=True)
    assert output.decode().strip() == "{'x': '1'}"
