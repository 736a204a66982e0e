"""The one Docker network a sandbox may join: internal (no route out), for tests that need a
network stack (a connection to a private address that must time out, a local server) but must
never reach the internet. Everything else runs with `network=none`."""

from __future__ import annotations

import docker
import docker.errors

from sandbox.container import MANAGED, SandboxError

INTERNAL_NETWORK = "solver-internal"


def ensure_internal_network(client: docker.DockerClient, name: str = INTERNAL_NETWORK) -> str:
    """Create the `--internal` bridge network `name` or reuse it; refuse one not internal."""
    try:
        network = client.networks.get(name)
    except docker.errors.NotFound:
        try:
            client.networks.create(name, driver="bridge", internal=True,
                                   labels={MANAGED: "true"}, check_duplicate=True)
        except docker.errors.APIError as exc:  # created meanwhile by a parallel run
            if "already exists" not in str(exc):
                raise
        network = client.networks.get(name)
    if not network.attrs.get("Internal"):
        raise SandboxError(f"docker network {name!r} exists but is not internal; remove it "
                           f"(docker network rm {name}) and it will be made again with --internal")
    return name


def network_mode(client: docker.DockerClient, wanted: str) -> str:
    """The SandboxConfig.network for a task: `none`, or an ensured internal network."""
    return wanted if wanted == "none" else ensure_internal_network(client, wanted)
