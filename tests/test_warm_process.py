"""The warm test process (sandbox/runtime/solver_warm.py), against real containers: the same
per-test outcomes as a cold start, and a forked child that cannot reach its server."""

from __future__ import annotations

import docker
import pytest

from sandbox import Outcome, RunSpec, SandboxConfig, Session
from sandbox.bench import bench_repo, candidate_diffs
from sandbox.images import ensure_session_image
from tests.sandbox_helpers import OTHERS, RUN_ID, run_body

pytestmark = pytest.mark.docker
COLD = SandboxConfig(run_timeout_s=60, test_timeout_s=10)
WARM = COLD.model_copy(update={"warm_process": True})


def outcomes(session: Session, diff: str) -> dict[str, Outcome]:
    return {t: r.outcome for t, r in session.verify(diff).tests.items()}


def test_warm_children_give_the_cold_outcomes(docker_client: docker.DockerClient,
                                               env_image: str) -> None:
    image = ensure_session_image(docker_client, env_image, bench_repo())
    diffs = ["", *candidate_diffs(bench_repo(), 5)]
    with Session(docker_client, image, COLD, RunSpec()) as cold:
        expected = [outcomes(cold, d) for d in diffs]
    with Session(docker_client, image, WARM, RunSpec()) as warm:
        verdicts = [warm.verify(d) for d in diffs]
    assert [{t: r.outcome for t, r in v.tests.items()} for v in verdicts] == expected
    assert any(Outcome.FAILED in e.values() for e in expected)
    assert all(v.phases.get("warm") == 1.0 for v in verdicts)
    assert all(v.phases["start_s"] >= 0 and v.phases["collect_s"] >= 0 for v in verdicts)


ATTACK = """
import os as o, signal as s
seen = []
try:
    o.kill(o.getppid(), 0)
    seen.append("signalled the server")
except OSError:
    pass
try:
    o.listdir("/run/" + "solver")
    seen.append("listed the driver's folder")
except OSError:
    pass
for fd in o.listdir("/pr" + "oc/self/fd"):
    try:
        if "socket" in o.readlink("/pr" + "oc/self/fd/" + fd):
            seen.append("holds a socket " + fd)
    except OSError:
        pass
assert not seen, "ATT" + "ACKED: " + "; ".join(seen)
if o.getuid() != 1000:
    raise AssertionError("ATT" + "ACKED: not the test user")
o.kill(o.getppid(), s.SIGKILL)
"""


def test_a_child_cannot_reach_its_server(docker_client: docker.DockerClient,
                                         evil_image: str) -> None:
    with Session(docker_client, evil_image, WARM, RunSpec()) as session:
        attacked = session.verify(run_body(ATTACK), [RUN_ID])
        assert attacked.phases.get("warm") == 1.0
        assert "ATTACKED" not in attacked.log_tail, attacked.log_tail
        assert "PermissionError" in attacked.log_tail  # the SIGKILL to the server, refused
        after = session.verify("", [RUN_ID, *OTHERS])
    assert after.phases.get("warm") == 1.0  # the same server, still serving
    assert all(after.outcome(t) == Outcome.PASSED for t in [RUN_ID, *OTHERS])
