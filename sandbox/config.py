"""Limits and knobs of the sandbox: one pydantic model, a docstring under every field."""

from __future__ import annotations

import os

from pydantic import BaseModel, ConfigDict


class SandboxConfig(BaseModel):
    model_config = ConfigDict(frozen=True)

    memory: str = "2g"
    """Memory limit of a container; swap is disabled (memswap = memory). tmpfs pages count too."""
    cpus: float = 1.0
    """CPU quota per container, in cores."""
    pids: int = 256
    """Most processes and threads a container may hold (stops fork bombs)."""
    file_size_mb: int = 256
    """Largest file a sandboxed process may write (RLIMIT_FSIZE)."""
    open_files: int = 1024
    """Most open file descriptors per process (RLIMIT_NOFILE)."""
    workspace_mb: int = 1024
    """Size of the tmpfs that holds the working copy of the repository."""
    tmp_mb: int = 512
    """Size of the container's /tmp (tmpfs)."""
    run_timeout_s: float = 300.0
    """Deadline of one test run inside the container; the whole group is killed past it."""
    test_timeout_s: float = 60.0
    """Deadline of one test (pytest): it fails alone instead of eating the run. 0: none."""
    host_grace_s: float = 20.0
    """Past the in-container deadline plus this, the host kills and removes the container."""
    lifetime_s: float = 4 * 3600.0
    """A container's whole life: it stops by itself after this, and the reaper removes it."""
    log_cap: int = 32 * 1024
    """Bytes of the test output's tail kept in a verdict."""
    report_cap: int = 8 * 1024 * 1024
    """Largest test report read back from a container."""
    network: str = "none"
    """`none`, or the name of an internal network (created with --internal, no internet)."""
    user: str = "1000:1000"
    """The unprivileged user that applies patches and runs tests."""
    capacity: int = os.cpu_count() or 2
    """Verifications at once (warm containers in a pool)."""
    warm_process: bool = True
    """Run pytest runs as forks of a per-container server that has imported pytest and the
    environment's third-party modules (runtime/solver_warm.py); where it refuses (pytest from
    the work tree, a thread started at import) or fails, the run starts cold as before."""
