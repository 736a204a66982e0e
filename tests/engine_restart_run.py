"""`solver eval run` on a private Docker engine, restarted at given seconds into the run.

    python -m tests.engine_restart_run --restart-at 15,40 --out runs/storm -- \\
        tasks/bundled --limit 12 --workers 2 --width 8 --depth 3

Prints one JSON line: wall seconds, each restart's offset and downtime, the resolved set, the
statuses, and the managed containers left on the engine afterwards. Without --restart-at it is
the undisturbed run to compare with. The shared engine only lends its images (docker save).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sandbox import docker_client, ensure_base_image, ensure_env_image
from tests.private_engine import PrivateEngine


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--restart-at", default="", help="Seconds into the run, comma-separated.")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("eval_args", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    offsets = [float(x) for x in args.restart_at.split(",") if x]
    shared = docker_client()
    images = (ensure_base_image(shared), ensure_env_image(shared, ensure_base_image(shared)))
    shared.close()
    engine = PrivateEngine(Path(tempfile.mkdtemp(prefix="solver-restart-engine-")))
    engine.start()
    try:
        engine.load_from_shared(*images)
        argv = [sys.executable, "-m", "solver.cli", "eval", "run",
                *[a for a in args.eval_args if a != "--"], "--out", str(args.out)]
        start = time.monotonic()
        proc = subprocess.Popen(argv, env={**os.environ, "DOCKER_HOST": engine.host})
        restarts = []
        for offset in offsets:
            time.sleep(max(0.0, offset - (time.monotonic() - start)))
            if proc.poll() is None:
                restarts.append({"at_s": round(time.monotonic() - start, 1),
                                 "down_s": round(engine.restart(), 1)})
        code = proc.wait()
        wall = time.monotonic() - start
        client = engine.client()
        left = [c.short_id for c in client.containers.list(
            all=True, filters={"label": "solver.managed=true"})]
        client.close()
    finally:
        engine.close()
    results = [json.loads(line) for line in (args.out / "results.jsonl").read_text().splitlines()]
    print(json.dumps({
        "exit_code": code, "wall_s": round(wall, 1), "restarts": restarts,
        "resolved": sorted(r["instance_id"] for r in results if r["status"] == "resolved"),
        "statuses": {r["instance_id"]: r["status"] for r in results}, "containers_left": left}))
    return code


if __name__ == "__main__":
    raise SystemExit(main())
