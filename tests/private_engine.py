"""A private Docker engine for tests that restart one (the shared engine is never touched).

Its own socket, data root, exec root (its own containerd under it) and pid file in a folder of
its own, and its own bridge interface on a subnet nobody uses, with no iptables rules, so it
clashes with nothing the shared engine holds. Never `--bridge=none`: dockerd then deletes the
host's `docker0` interface, which the shared engine needs. Images come from the shared engine by
`docker save | docker load`, so their ids, and the tags the solver derives from them, match.
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import time
from pathlib import Path

import docker


class PrivateEngine:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.socket = root / "docker.sock"
        self.host = f"unix://{self.socket}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.bridge = f"sfault{os.getpid() % 100000}"
        """Made by `start`, deleted by `close` (interface names hold at most 15 characters)."""

    def argv(self) -> list[str]:
        r = self.root
        return ["dockerd", "--host", self.host, "--data-root", str(r / "data"),
                "--exec-root", str(r / "exec"), "--pidfile", str(r / "docker.pid"),
                f"--bridge={self.bridge}", "--iptables=false", "--ip-masq=false",
                "--ip-forward=false",
                "--userland-proxy=false", "--shutdown-timeout", "5"]

    def make_bridge(self) -> None:
        """A bridge of its own on a free 10.231.N.0/24 (the shared engine's docker0 untouched)."""
        if Path(f"/sys/class/net/{self.bridge}").exists():
            return
        used = subprocess.run(["ip", "-4", "addr"], capture_output=True, text=True,
                              check=True).stdout
        n = next(n for n in range(os.getpid() % 250, 500) if f"10.231.{n % 250}." not in used)
        for argv in (["link", "add", self.bridge, "type", "bridge"],
                     ["addr", "add", f"10.231.{n % 250}.1/24", "dev", self.bridge],
                     ["link", "set", self.bridge, "up"]):
            subprocess.run(["ip", *argv], check=True, capture_output=True)

    def start(self, timeout_s: float = 60) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.make_bridge()
        with (self.root / "dockerd.log").open("ab") as log:
            self.proc = subprocess.Popen(self.argv(), stdout=log, stderr=log,
                                         start_new_session=True)
        deadline = time.monotonic() + timeout_s
        while not self.answers():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"private dockerd did not start: {self.log_tail()}")
            time.sleep(0.2)

    def stop(self, timeout_s: float = 60) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)  # our own process, by its id
            try:
                self.proc.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        self.proc = None

    def restart(self) -> float:
        """Stop and start again; the seconds it took."""
        start = time.monotonic()
        self.stop()
        self.start()
        return time.monotonic() - start

    def answers(self) -> bool:
        if not self.socket.exists():
            return False
        client = docker.DockerClient(base_url=self.host, timeout=5)
        try:
            return bool(client.ping())
        except docker.errors.DockerException:
            return False
        finally:
            client.close()

    def client(self) -> docker.DockerClient:
        return docker.DockerClient(base_url=self.host, timeout=60)

    def load_from_shared(self, *tags: str) -> None:
        """`docker save TAGS` on the shared engine into `docker load` on this one."""
        env = {k: v for k, v in os.environ.items() if k != "DOCKER_HOST"}
        save = subprocess.Popen(["docker", "save", *tags], stdout=subprocess.PIPE, env=env)
        subprocess.run(["docker", "load", "-q"], stdin=save.stdout, check=True,
                       env={**env, "DOCKER_HOST": self.host}, capture_output=True, timeout=300)
        assert save.stdout is not None
        save.stdout.close()
        assert save.wait(timeout=60) == 0

    def close(self) -> None:
        """Every container removed, the engine stopped, its folders on their way out."""
        if self.proc is not None and self.answers():
            client = self.client()
            for container in client.containers.list(all=True):
                container.remove(force=True)
            client.close()
        self.stop()
        subprocess.run(["umount", "-R", str(self.root / "exec")], capture_output=True)
        subprocess.run(["ip", "link", "del", self.bridge], capture_output=True)
        # Its image layers take ~20 s to delete on a busy disk: moved aside at once, deleted
        # by a process of their own.
        doomed = self.root.with_name(self.root.name + ".removing")
        self.root.rename(doomed)
        subprocess.run(["sh", "-c", f"rm -rf {shlex.quote(str(doomed))} >/dev/null 2>&1 &"],
                       check=True, start_new_session=True)

    def log_tail(self) -> str:
        path = self.root / "dockerd.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""
