"""Local stand-ins for the internet services some tasks' tests call: a container on the internal
network (sandbox.network) answering under the service's host name, so the tests reach it and
nothing else.

    httpbin.org ─► solver-httpbin: the httpbin package (pip, built once into an env image)
                   served by gunicorn on port 80, network alias `httpbin.org`

The service container is shared by every run on this engine; it is started on demand and stops
by itself after `SERVICE_LIFETIME_S` (removed as it stops), so nothing is left behind for long.
"""

from __future__ import annotations

import time

import docker
import docker.errors
import docker.models.containers

from sandbox.container import MANAGED, SandboxError
from sandbox.images import ensure_base_image, ensure_env_image
from sandbox.network import ensure_internal_network

HTTPBIN = "solver-httpbin"
HTTPBIN_HOSTS = ("httpbin.org",)
HTTPBIN_PACKAGES = ("httpbin==0.10.2", "gunicorn==23.0.0")
SERVICE_LIFETIME_S = 4 * 3600
SERVICE_LABEL = "solver.service"
"""Marks a service. Its solver.managed is `service`, not `true` (a value the image's labels would
otherwise hand down): the reaper, which removes a crashed run's containers, leaves a service
other runs may be using alone."""


def ensure_httpbin(client: docker.DockerClient, network: str) -> str:
    """The httpbin stand-in running on `network` (an internal network); its container name."""
    ensure_internal_network(client, network)
    try:
        container = client.containers.get(HTTPBIN)
        if container.status == "running":
            return HTTPBIN
        container.remove(force=True)
    except docker.errors.NotFound:
        pass
    base = ensure_base_image(client, "3.11")
    image = ensure_env_image(client, base, HTTPBIN_PACKAGES, tools=())
    command = ["timeout", str(SERVICE_LIFETIME_S), "/opt/venv/bin/gunicorn", "-b", "0.0.0.0:80",
               "-w", "2", "httpbin:app"]
    endpoint = client.api.create_endpoint_config(aliases=list(HTTPBIN_HOSTS))
    try:
        container = client.containers.run(
            image, command, name=HTTPBIN, detach=True, auto_remove=True, network=network,
            networking_config={network: endpoint}, mem_limit="512m", pids_limit=128,
            labels={SERVICE_LABEL: "httpbin", MANAGED: "service"})
    except docker.errors.APIError as exc:
        if "already in use" not in str(exc):  # else: started meanwhile by a parallel run
            raise SandboxError(f"cannot start the httpbin stand-in: {exc}") from exc
        container = client.containers.get(HTTPBIN)
    wait_until_serving(container)
    return HTTPBIN


def wait_until_serving(container: docker.models.containers.Container,
                       deadline_s: float = 60.0) -> None:
    """Until httpbin answers inside its container (gunicorn takes a moment to start)."""
    probe = ["/opt/venv/bin/python", "-c",
             "import urllib.request; urllib.request.urlopen('http://127.0.0.1/get', timeout=2)"]
    start = time.monotonic()
    while time.monotonic() - start < deadline_s:
        try:
            if container.exec_run(probe).exit_code == 0:
                return
        except docker.errors.APIError:
            pass  # not running yet
        time.sleep(0.5)
    raise SandboxError(f"the httpbin stand-in did not answer within {deadline_s:.0f}s")
