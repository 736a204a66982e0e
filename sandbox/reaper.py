"""Removes the containers a crashed or killed run left behind.

A managed container is stale when its lifetime label has passed, or when the process that started
it (same host) is gone. `everything=True` removes every managed container.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable

import docker
from docker.models.containers import Container

from sandbox.container import (
    EXPIRES,
    HOST,
    MANAGED,
    OWNER_PID,
    RUN_ID,
    RUN_ID_VALUE,
    remove_container,
)


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def is_stale(labels: dict[str, str], now: float) -> bool:
    if labels.get(RUN_ID) == RUN_ID_VALUE:
        return False
    if float(labels.get(EXPIRES, "0") or 0) < now:
        return True
    pid = labels.get(OWNER_PID, "")
    same_host = labels.get(HOST, socket.gethostname()) == socket.gethostname()
    return same_host and pid.isdigit() and not process_alive(int(pid))


def managed_containers(
    client: docker.DockerClient, labels: tuple[str, ...] = (f"{MANAGED}=true",)
) -> list[Container]:
    """Managed containers; one that another run removes between the listing and its inspect
    is skipped (several runs share an engine)."""
    return client.containers.list(all=True, filters={"label": list(labels)},
                                  ignore_removed=True)


def reap(
    client: docker.DockerClient, *, everything: bool = False,
    log: Callable[[str], None] = lambda _: None,
) -> list[str]:
    """Remove stale managed containers; returns their short ids."""
    now = time.time()
    removed = []
    for container in managed_containers(client):
        if everything or is_stale(container.labels, now):
            remove_container(container)
            removed.append(container.short_id)
            log(f"removed {container.short_id} (run {container.labels.get(RUN_ID, '?')})")
    return removed


def reap_own(client: docker.DockerClient) -> list[str]:
    """Remove every container this process started (an interrupted run); their short ids."""
    removed = []
    for container in managed_containers(client, (f"{MANAGED}=true", f"{RUN_ID}={RUN_ID_VALUE}")):
        remove_container(container)
        removed.append(container.short_id)
    return removed
