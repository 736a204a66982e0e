"""Shared fixtures. Docker tests run for real; where no engine answers they fail in CI
(CI=true) and are skipped, with the reason shown, on a developer's machine."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def docker_client() -> Iterator[docker.DockerClient]:
    from sandbox import SandboxError
    from sandbox import docker_client as connect

    try:
        client = connect()
    except SandboxError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"Docker is required in CI: {exc}")
        pytest.skip(f"no Docker engine: {exc}")
    yield client
    client.close()


@pytest.fixture(scope="session")
def env_image(docker_client: docker.DockerClient) -> str:
    from sandbox import ensure_base_image, ensure_env_image

    return ensure_env_image(docker_client, ensure_base_image(docker_client))


@pytest.fixture(scope="session")
def evil_image(docker_client: docker.DockerClient, env_image: str) -> str:
    from sandbox import ensure_session_image

    return ensure_session_image(docker_client, env_image, DATA / "evil_repo")


@pytest.fixture(scope="session", autouse=True)
def no_container_outlives_the_suite() -> Iterator[None]:
    yield
    host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    if host.startswith("unix://") and not Path(host.removeprefix("unix://")).exists():
        return  # no engine: nothing can be left (and docker-py leaks the failed socket)
    try:
        client = docker.from_env()
        client.ping()
    except docker.errors.DockerException:
        return
    from sandbox.container import MANAGED, RUN_ID, RUN_ID_VALUE

    left = client.containers.list(all=True, filters={"label": [f"{MANAGED}=true",
                                                              f"{RUN_ID}={RUN_ID_VALUE}"]})
    client.close()
    assert not left, f"containers left behind: {[c.short_id for c in left]}"
