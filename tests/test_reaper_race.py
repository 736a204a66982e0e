"""Runs share an engine: a container another run removes between the reaper's listing and its
inspect is skipped, never fatal."""

from __future__ import annotations

import docker
import pytest
from docker.models.containers import ContainerCollection

from sandbox.config import SandboxConfig
from sandbox.container import labels_for, remove_container
from sandbox.reaper import reap

pytestmark = pytest.mark.docker


def test_a_container_removed_mid_listing_is_skipped(docker_client, env_image, monkeypatch):
    labels = labels_for(SandboxConfig()) | {"solver.run": "other-run", "solver.expires": "0"}
    container = docker_client.containers.create(env_image, ["true"], labels=labels)
    real_get = ContainerCollection.get

    def get_after_the_other_run_removed_it(self, container_id: str, *args, **kwargs):
        if container_id == container.id:
            remove_container(container)  # what the other run does in between
        return real_get(self, container_id, *args, **kwargs)

    monkeypatch.setattr(ContainerCollection, "get", get_after_the_other_run_removed_it)
    try:
        removed = reap(docker_client)
    finally:
        remove_container(container)
    assert container.short_id not in removed
    with pytest.raises(docker.errors.NotFound):
        real_get(docker_client.containers, container.id)
