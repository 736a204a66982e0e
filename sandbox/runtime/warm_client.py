"""The driver's side of the warm test process (solver_warm.py): start it, ask it for a run.

A server is keyed by the interpreter, its options and the environment it starts with (the
per-run guard variables aside), so one container can hold several; its socket lives in the
driver's root-only folder. A server that refuses to start (pytest from the work tree, a thread
left by an import) leaves a marker, and every later run of that key takes the cold path.
"""

import array
import hashlib
import json
import os
import select
import socket
import subprocess
import time

OWN = "/run/solver"
SERVER = "/opt/solver/solver_warm.py"
RUNNER = "/opt/solver/solver_runner.py"
START_TIMEOUT_S = 60.0
PER_RUN = ("SOLVER_GUARD_FILE", "SOLVER_STOP_ON_TIMEOUT", "SOLVER_GUARD_FD", "SOLVER_GUARD_KEY_FD")


class Expired(Exception):
    """`Handle.wait` ran out of time (the shape of subprocess.TimeoutExpired)."""


class Handle:
    """A child of the warm server, seen like a Popen: poll, wait."""

    def __init__(self, conn, pid):
        self.conn, self.pid, self.returncode = conn, pid, None
        self.buffer = b""

    def poll(self):
        return self.wait(0) if self.returncode is None else self.returncode

    def wait(self, timeout=None):
        """The exit status (-N: killed by signal N); None from poll when still running."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.returncode is None:
            chunk = b"."
            if b"\n" not in self.buffer:
                left = None if deadline is None else max(deadline - time.monotonic(), 0)
                if not select.select([self.conn], [], [], left)[0]:
                    if timeout == 0:
                        return None
                    raise Expired()
                chunk = self.conn.recv(4096)
                self.buffer += chunk
            if b"\n" in self.buffer or not chunk:
                try:
                    self.returncode = int(json.loads(self.buffer.split(b"\n")[0])["rc"])
                except (ValueError, KeyError):
                    self.returncode = -9  # the server died with its child
                self.conn.close()
        return self.returncode


def split(argv):
    """`[exe, *opts, "-s", RUNNER, mode, *args]` → ([exe, *opts], mode, args)."""
    i = argv.index(RUNNER)
    return argv[:i - 1], argv[i + 1], argv[i + 2:]


def key_of(prefix, env):
    stable = {k: v for k, v in env.items() if k not in PER_RUN}
    return hashlib.sha256(json.dumps([prefix, sorted(stable.items())]).encode()).hexdigest()[:16]


def connect(path):
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.connect(path)
    except OSError:
        conn.close()
        return None
    return conn


def server(prefix, env):
    """A connection to the warm server of this interpreter and env (started here if needed);
    None where it refused or could not start."""
    base = os.path.join(OWN, "warm-" + key_of(prefix, env))
    if os.path.exists(base + ".off"):
        return None
    conn = connect(base + ".sock")
    if conn is not None:
        return conn
    stable = {k: v for k, v in env.items() if k not in PER_RUN}
    with open(base + ".log", "ab") as log:
        proc = subprocess.Popen([*prefix, "-s", SERVER, base + ".sock"], cwd="/", env=stable,
                                stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                start_new_session=True)
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline and proc.poll() is None:
        conn = connect(base + ".sock")
        if conn is not None:
            return conn
        time.sleep(0.02)
    if proc.poll() is None:
        proc.kill()
    open(base + ".off", "w").close()
    return None


def spawn(req, argv, env, log, pass_fds):
    """The run of `argv` (a runner command line) as a forked child of the warm server, or None
    (the caller runs it cold)."""
    if not req.get("warm") or req.get("artifacts") or "COVERAGE_FILE" in env or (
            RUNNER not in argv):
        return None
    prefix, mode, args = split(argv)
    conn = server(prefix, env)
    if conn is None:
        return None
    uid, gid = int(req["uid"]), int(req["gid"])
    line = json.dumps({"uid": uid, "gid": gid, "mode": mode, "args": args, "env": env})
    fds = array.array("i", [log.fileno(), *pass_fds])
    try:
        conn.sendmsg([line.encode() + b"\n"],
                     [(socket.SOL_SOCKET, socket.SCM_RIGHTS, fds.tobytes())])
        answer = b""
        while b"\n" not in answer:
            chunk = conn.recv(4096)
            if not chunk:
                raise OSError("the warm server closed the connection")
            answer += chunk
        first, rest = answer.split(b"\n", 1)
        handle = Handle(conn, int(json.loads(first)["pid"]))
        handle.buffer = rest
        return handle
    except (OSError, ValueError, KeyError):
        conn.close()
        return None
