"""The image cache's disk budget: least recently used images go first, never one a container
uses, never one used within the grace period; `solver images ls` answers in JSON."""

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest
from typer.testing import CliRunner

from sandbox.image_cache import enforce_budget, list_cached, read_ledger, record_use
from sandbox.swebench_build import env_tools
from solver.cli import app

REPO = "solver-test-cache"
"""A repository of its own: the budget never touches the shared cache from a test."""


@pytest.fixture
def ledger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOLVER_CACHE_DIR", str(tmp_path))
    return tmp_path / "image-use.json"


@pytest.fixture
def three_images(docker_client: docker.DockerClient, env_image: str) -> Iterator[list[str]]:
    """Three images of 1, 2 and 3 MB of their own, on env_image."""
    tags = []
    for size in (1, 2, 3):
        tag = f"{REPO}:{uuid.uuid4().hex[:12]}"
        box = docker_client.containers.create(
            env_image, ["sh", "-c", f"head -c {size}000000 /dev/urandom > /blob"])
        box.start()
        box.wait()
        repository, _, version = tag.partition(":")
        box.commit(repository=repository, tag=version)
        box.remove()
        tags.append(tag)
    yield tags
    for tag in tags:
        try:
            docker_client.images.remove(tag)
        except docker.errors.ImageNotFound:
            pass


def test_env_tools_leave_out_what_the_requirements_pin():
    assert "setuptools>=65,<71" not in env_tools(("setuptools==38.2.4",))
    assert "setuptools>=65,<71" in env_tools(("numpy==1.16.0",))


@pytest.mark.docker
def test_the_budget_removes_the_least_recently_used_unused_images_first(
    docker_client: docker.DockerClient, three_images: list[str], ledger: Path,
):
    oldest, used_now, busy = three_images
    record_use(docker_client, used_now)
    assert set(read_ledger()) >= {docker_client.images.get(used_now).id}
    holder = docker_client.containers.create(busy, ["true"])
    try:
        cached = {image.tag: image for image in list_cached(docker_client, (REPO,))}
        assert [round(cached[t].own / 1e6) for t in three_images] == [1, 2, 3]
        assert cached[busy].containers == 1
        removed = enforce_budget(docker_client, 0, repositories=(REPO,), grace_s=0)
        # The busy one is kept whoever asks; the others go, least recently used first.
        assert [image.tag for image in removed] == [oldest, used_now]
        assert [image.tag for image in list_cached(docker_client, (REPO,))] == [busy]
    finally:
        holder.remove()
    assert enforce_budget(docker_client, 0, repositories=(REPO,), grace_s=3600) == []


@pytest.mark.docker
def test_images_ls_answers_in_json(docker_client: docker.DockerClient, ledger: Path):
    result = CliRunner().invoke(app, ["images", "ls", "--json"])
    assert result.exit_code == 0, result.stderr
    listed = json.loads(result.stdout)
    assert all({"tag", "own", "size", "containers", "last_used"} <= set(i) for i in listed)


@pytest.mark.docker
def test_the_budget_comes_from_the_variable_else_from_the_free_disk(
    docker_client: docker.DockerClient, monkeypatch: pytest.MonkeyPatch,
):
    from sandbox.image_cache import BUDGET_ENV, budget_bytes

    monkeypatch.setenv(BUDGET_ENV, "2.5")
    assert budget_bytes(docker_client) == 2_500_000_000
    monkeypatch.setenv(BUDGET_ENV, "0")
    assert budget_bytes(docker_client) is None
    monkeypatch.setenv(BUDGET_ENV, "lots")
    with pytest.raises(ValueError, match="SOLVER_MAX_IMAGE_GB"):
        budget_bytes(docker_client)
    monkeypatch.delenv(BUDGET_ENV)
    assert (budget_bytes(docker_client) or 0) > 0


@pytest.mark.docker
def test_a_namespace_lists_and_prunes_only_its_own_images(
    docker_client: docker.DockerClient, three_images: list[str], ledger: Path,
    monkeypatch: pytest.MonkeyPatch,
):
    namespace = f"solvertest{uuid.uuid4().hex[:8]}"
    mine = f"{namespace}/solver-session:one"
    docker_client.images.get(three_images[0]).tag(f"{namespace}/solver-session", "one")
    monkeypatch.setenv("SOLVER_IMAGE_NAMESPACE", namespace)
    try:
        assert [image.tag for image in list_cached(docker_client)] == [mine]
        assert [image.tag for image in enforce_budget(docker_client, 0, grace_s=0)] == [mine]
        assert list_cached(docker_client) == []
        docker_client.images.get(three_images[0])  # the same image under its shared name stays
    finally:
        try:
            docker_client.images.remove(mine)
        except docker.errors.ImageNotFound:
            pass
