"""The Docker sandbox: hardened containers that verify candidate patches against a repo's tests.

    base image ─► env image (venv + deps) ─► session image (pristine repo + runtime)
                                                    │
    SandboxPool ── capacity × Session (one warm container each) ── verify(diff, tests) ─► Verdict
"""

from sandbox.config import SandboxConfig
from sandbox.container import SandboxError, docker_client
from sandbox.diffcheck import PatchRejected, check_patch
from sandbox.images import ensure_base_image, ensure_env_image, ensure_session_image
from sandbox.pool import SandboxPool
from sandbox.reaper import reap
from sandbox.session import RunSpec, Session
from sandbox.verdict import Outcome, TestResult, Verdict

__all__ = [
    "Outcome",
    "PatchRejected",
    "RunSpec",
    "SandboxConfig",
    "SandboxError",
    "SandboxPool",
    "Session",
    "TestResult",
    "Verdict",
    "check_patch",
    "docker_client",
    "ensure_base_image",
    "ensure_env_image",
    "ensure_session_image",
    "reap",
]
