"""Hardened containers: how they are started, labelled, driven by exec, and removed.

Every container gets: no network, all capabilities dropped but CAP_SETUID / CAP_SETGID (which
only root processes hold: the driver starts the tests as the test user with them),
no-new-privileges, a read-only root file system with tmpfs for the workspace, /tmp and the
driver's own root-only folder, pids / memory (no swap) / CPU limits, file-size and open-file
ulimits, an init process, and labels that let the reaper find it. Its main process and the driver
run as root so that the unprivileged test user can neither kill nor trace them.
"""

from __future__ import annotations

import contextlib
import os
import socket
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol, TypedDict, cast

import docker
import docker.errors
import docker.types
import requests.exceptions
from docker.models.containers import Container
from docker.utils.socket import STDOUT, frames_iter

from sandbox.config import SandboxConfig
from sandbox.errors import SandboxError as SandboxError
from sandbox.faults import InfraError, as_infra, infra_cause

MANAGED = "solver.managed"
RUN_ID = "solver.run"
OWNER_PID = "solver.pid"
EXPIRES = "solver.expires"
HOST = "solver.host"
WORKDIR = "/testbed"
DRIVER_STATE = "/run/solver"
"""The driver's own folder (root, 0700): the test user cannot read or write it."""
DRIVER_CAPS = ("SETUID", "SETGID")
RUN_ID_VALUE = os.environ.get("SOLVER_RUN_ID") or uuid.uuid4().hex[:12]
"""One id per process: every container this process starts carries it."""


class ExecTimeout(SandboxError):
    """An exec passed its host-side deadline; its container has been killed and removed."""


@dataclass(frozen=True)
class ExecResult:
    exec_id: str
    stdout: bytes
    stderr: bytes
    duration_s: float


def docker_client() -> docker.DockerClient:
    client = None
    try:
        client = docker.from_env(timeout=120)
        client.ping()
    except docker.errors.DockerException as exc:
        if client is not None:
            client.close()
        raise InfraError(
            "engine", f"no Docker engine answers ({exc}); run `bash sandbox/docker-engine.sh` "
            "to install and start one"
        ) from exc
    return client


def labels_for(config: SandboxConfig) -> dict[str, str]:
    return {
        MANAGED: "true",
        RUN_ID: RUN_ID_VALUE,
        OWNER_PID: str(os.getpid()),
        HOST: socket.gethostname(),
        EXPIRES: str(int(time.time() + config.lifetime_s)),
    }


class RunOptions(TypedDict):
    """The keyword arguments of docker-py's `containers.run` / `create` that we set."""

    network_mode: str
    cap_drop: list[str]
    cap_add: list[str]
    security_opt: list[str]
    read_only: bool
    tmpfs: dict[str, str]
    pids_limit: int
    mem_limit: str
    memswap_limit: str
    nano_cpus: int
    ulimits: list[docker.types.Ulimit]
    init: bool
    labels: dict[str, str]
    environment: dict[str, str]
    working_dir: str
    user: str
    auto_remove: bool


class RawSocket(Protocol):
    """The engine connection under docker-py's exec socket wrapper."""

    def settimeout(self, value: float | None, /) -> None: ...
    def sendall(self, data: bytes, /) -> None: ...
    def shutdown(self, how: int, /) -> None: ...
    def close(self) -> None: ...


def hardening(config: SandboxConfig) -> RunOptions:
    """docker-py `run` arguments shared by every container the project starts."""
    uid, _, gid = config.user.partition(":")
    tmpfs_opts = f"rw,exec,nosuid,nodev,uid={uid},gid={gid or uid}"
    return {
        "network_mode": config.network,
        "cap_drop": ["ALL"],
        # Only root holds these: the driver starts the tests as the test user (who has none).
        "cap_add": list(DRIVER_CAPS),
        "security_opt": ["no-new-privileges"],
        "read_only": True,
        "tmpfs": {
            WORKDIR: f"{tmpfs_opts},size={config.workspace_mb}m,mode=0755",
            "/tmp": f"{tmpfs_opts},size={config.tmp_mb}m,mode=1777",
            DRIVER_STATE: "rw,noexec,nosuid,nodev,size=64m,mode=0700",
        },
        "pids_limit": config.pids,
        "mem_limit": config.memory,
        "memswap_limit": config.memory,
        "nano_cpus": int(config.cpus * 1e9),
        "ulimits": [
            docker.types.Ulimit(name="fsize", soft=config.file_size_mb << 20,
                                hard=config.file_size_mb << 20),
            docker.types.Ulimit(name="nofile", soft=config.open_files, hard=config.open_files),
            docker.types.Ulimit(name="core", soft=0, hard=0),
        ],
        "init": True,
        "labels": labels_for(config),
        "environment": {"HOME": "/tmp", "PYTHONDONTWRITEBYTECODE": "1", "LANG": "C.UTF-8"},
        "working_dir": WORKDIR,
        "user": "0:0",
        "auto_remove": True,
    }


def start_container(client: docker.DockerClient, image: str, config: SandboxConfig) -> Container:
    """A hardened container that idles until its lifetime ends (then stops and is removed)."""
    try:
        with as_infra("starting a sandbox container"):
            return client.containers.run(
                image, ["sleep", str(int(config.lifetime_s))], detach=True, **hardening(config)
            )
    except docker.errors.ImageNotFound as exc:
        raise SandboxError(f"image {image} not found; build it with `solver images build`") from exc


def remove_container(container: Container) -> None:
    """Kill and remove; a container that is already gone, or whose engine is down (it goes
    with the engine's restart), is fine."""
    with contextlib.suppress(docker.errors.DockerException, requests.exceptions.RequestException,
                             OSError):
        container.remove(force=True)


def check_alive(container: Container, settle_s: float = 0.0) -> None:
    """Raise InfraError when the container was removed or stopped from outside (or its
    engine does not answer): what ended a run was not the candidate. `settle_s`: watch that
    long (`docker rm -f` kills the processes before the container's state changes)."""
    deadline = time.monotonic() + settle_s
    while True:
        try:
            container.reload()
        except Exception as exc:
            cause = infra_cause(exc)
            if cause is None:
                raise
            raise InfraError(cause, f"container {container.short_id}: {str(exc)[:200]}") from exc
        if container.status != "running":
            raise InfraError("container_vanished",
                             f"container {container.short_id} is {container.status}")
        if time.monotonic() >= deadline:
            return
        time.sleep(0.2)


def collect_frames(sock: object, cap: int) -> tuple[bytes, bytes]:
    """stdout and stderr of an exec, each kept to its first `cap` bytes (the rest is drained)."""
    out: dict[int, bytearray] = {}
    # Untyped in the stubs (frames_iter_no_tty is typed, wrongly: the stream is an int).
    frames: Iterator[tuple[int, bytes]] = frames_iter(sock, tty=False)  # type: ignore[no-untyped-call]
    for stream, data in frames:
        buf = out.setdefault(stream, bytearray())
        if len(buf) < cap:
            buf += data[: cap - len(buf)]
    return bytes(out.get(STDOUT, b"")), bytes(out.get(STDOUT + 1, b""))


def exec_with_input(
    container: Container,
    argv: list[str],
    stdin: bytes,
    *,
    user: str,
    deadline_s: float,
    cap: int = 64 << 20,
) -> ExecResult:
    """Run argv in the container, feed it stdin, collect stdout/stderr until it ends.

    A `docker exec` that outlives its client keeps running, so the deadline is enforced by
    killing and removing the whole container, and ExecTimeout is raised.
    """
    api = engine_of(container).api
    start = time.monotonic()
    with as_infra(f"exec in container {container.short_id}"):
        exec_id: str = api.exec_create(container.id, argv, stdin=True, user=user,
                                       workdir=WORKDIR)["Id"]
        sock = api.exec_start(exec_id, socket=True)
    # On a Unix socket docker-py hands back a SocketIO whose `_sock` is the socket itself; the
    # stubs type neither, and the wrapper lacks settimeout / sendall / shutdown.
    raw = cast(RawSocket, getattr(sock, "_sock", sock))
    try:
        raw.settimeout(deadline_s)
        raw.sendall(stdin)
        raw.shutdown(socket.SHUT_WR)
        stdout, stderr = collect_frames(sock, cap)
    except TimeoutError as exc:
        remove_container(container)
        raise ExecTimeout(f"exec passed its {deadline_s:.0f}s deadline; container removed") from exc
    except OSError as exc:  # the engine's connection dropped mid-exec (a restart)
        remove_container(container)
        raise InfraError(infra_cause(exc) or "engine", f"exec stream broke: {exc}") from exc
    finally:
        sock.close()
        raw.close()
    return ExecResult(exec_id, stdout, stderr, time.monotonic() - start)


def exec_exit_code(container: Container, result: ExecResult) -> int | None:
    """Asked only when needed: one more round trip to the engine."""
    code: int | None = engine_of(container).api.exec_inspect(result.exec_id).get("ExitCode")
    return code


def engine_of(container: Container) -> docker.DockerClient:
    """The client a container came from (docker-py types it optional; ours always have one)."""
    if container.client is None:
        raise SandboxError(f"container {container.id} has no Docker client")
    return container.client
