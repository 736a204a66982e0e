"""One verification inside the sandbox container.

The driver runs as root (holding only CAP_SETUID / CAP_SETGID) and never runs candidate code
itself: the reset, the patch and the tests run as the unprivileged test user, which can neither
signal, trace nor write to this process or its state folder (/run/solver). The one JSON line it
prints is therefore the only thing the host reads, and no test process can have written it.

Steps: kill every process of the test user; as that user (a forked child, workspace.py), reset
/testbed, /tmp and /dev/shm, apply the candidate, list what it changed (status, git modes,
paths), apply the extra patch; run the tests through solver_runner (pytest imported before the
work tree is on sys.path), reading the guard's keyed record from a pipe; kill leftovers again;
report. Runs under the image's python3 (3.9+).
"""

import base64
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # root-owned /opt/solver
import warm_client  # type: ignore[import-not-found]  # noqa: E402
import workspace  # type: ignore[import-not-found]  # noqa: E402

OWN = "/run/solver"
"""Root-only (mode 0700 tmpfs): the test output log lives here."""
RUNNER = "/opt/solver/solver_runner.py"


def as_user(req):
    return {"user": int(req["uid"]), "group": int(req["gid"]), "extra_groups": []}


def user_pids(uid):
    pids = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                if os.stat("/proc/" + name).st_uid == uid:
                    pids.append(int(name))
            except OSError:
                pass
    return pids


def fork_when_a_pid_frees(attempts=400):
    """os.fork(), tried again while the container's pids limit is full (a fork bomb's processes
    die as their own forks fail, so a slot frees within moments): the clean-up must not be
    the one fork that fails."""
    for _ in range(attempts - 1):
        try:
            return os.fork()
        except BlockingIOError:
            time.sleep(0.005)
    return os.fork()


def as_test_user(req, work):
    """`work()` in a forked child that has become the test user (no new interpreter); its
    JSON-able answer, or None when the child died."""
    read_fd, write_fd = os.pipe()
    pid = fork_when_a_pid_frees()
    if pid == 0:
        try:
            os.close(read_fd)
            null = os.open(os.devnull, os.O_RDWR)
            os.dup2(null, 0)
            os.dup2(null, 1)  # the host's channel stays the driver's alone
            os.setgroups([])
            os.setgid(int(req["gid"]))
            os.setuid(int(req["uid"]))
            data = json.dumps(work()).encode()
            while data:
                data = data[os.write(write_fd, data):]
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(0)
    os.close(write_fd)
    chunks = []
    with os.fdopen(read_fd, "rb") as f:
        chunks.append(f.read())
    os.waitpid(pid, 0)
    try:
        return json.loads(b"".join(chunks).decode())
    except ValueError:
        return None


def kill_all():
    try:
        os.kill(-1, signal.SIGKILL)  # as the test user: every process of that user but this one
    except OSError:
        pass


def kill_leftovers(req):
    """Every process of the test user, killed by a helper of that uid; repeated until /proc
    shows none, so a forking daemon cannot slip through."""
    uid = int(req["uid"])
    for _ in range(20):
        if not user_pids(uid):
            return True
        as_test_user(req, kill_all)
        time.sleep(0.01)
    return not user_pids(uid)


def installed_names(python):
    """Top-level modules the test interpreter imports from outside the work tree (standard
    library, built-ins, installed packages): listed once per container, kept where only root
    can write."""
    cache = os.path.join(OWN, "names.json")
    try:
        with open(cache) as f:
            return json.load(f)
    except (OSError, ValueError):
        pass
    code = ("import json, pkgutil, sys\n"
            "paths = [p for p in sys.path if p and not p.startswith('/testbed')]\n"
            "names = {m[1] for m in pkgutil.iter_modules(paths)} | set(sys.builtin_module_names)\n"
            "print(json.dumps(sorted(names)))")
    try:
        done = subprocess.run([python, "-I", "-c", code], capture_output=True, cwd="/",
                              stdin=subprocess.DEVNULL)
        names = json.loads(done.stdout.decode())
    except (OSError, ValueError):
        return []
    names += [name[:-3] for name in os.listdir(os.path.dirname(RUNNER)) if name.endswith(".py")]
    with open(cache, "w") as f:
        json.dump(names, f)
    return names


def prepare(req):
    """Reset and patch as the test user (no candidate code runs in this step)."""
    os.chdir("/")
    done = as_test_user(req, lambda: workspace.prepare(req))
    return done if isinstance(done, dict) else {
        "applied": False, "reason": "the workspace reset failed (see the driver's stderr)"}


def shebang_python(path):
    try:
        with open(path, "rb") as f:
            line = f.readline().decode("utf-8", "replace")
    except OSError:
        return ""
    words = line[2:].split() if line.startswith("#!") else []
    if words and os.path.basename(words[0]) == "env" and len(words) > 1:
        return shutil.which(words[1]) or ""
    return words[0] if words else ""


def runner_argv(argv, env):
    """`python [opts] -m pytest ARGS` or `pytest ARGS` → the same interpreter running the
    runner, which imports pytest and the guard before the work tree can precede them."""
    exe = argv[0]
    if os.path.basename(exe).startswith("python"):
        for i, word in enumerate(argv[1:-1], 1):
            if word == "-m" and argv[i + 1] in ("pytest", "py.test"):
                return [exe, *argv[1:i], "-s", RUNNER, "module", *argv[i + 2:]]
        return None
    if os.path.basename(exe) in ("pytest", "py.test"):
        python = shebang_python(shutil.which(exe, path=env.get("PATH")) or exe)
        return [python, "-s", RUNNER, "script", *argv[1:]] if python else None
    return None


def stall_limit(test_timeout):
    """Seconds a started test may go without any record before it counts as stuck."""
    try:
        seconds = float(test_timeout)
    except ValueError:
        return 0.0
    return seconds + max(2.0, seconds / 2) if seconds > 0 else 0.0


def stalled(progress, limit):
    """A test started and nothing was recorded for `limit` seconds: its alarm could not fire
    (a loop inside C code, such as `x in itertools.count()`, never yields to the handler)."""
    if not progress or not limit:
        return False
    try:
        if time.time() - os.stat(progress).st_mtime < limit:
            return False
        with open(progress, "rb") as f:
            f.seek(max(0, os.fstat(f.fileno()).st_size - 4096))
            lines = f.read().decode("utf-8", "replace").strip().splitlines()
    except OSError:
        return False
    return bool(lines) and '"when": "teardown"' not in lines[-1]  # mid-test, not between


class Pipe:
    """The guard's channel: it writes one record and closes its end; only the first line
    counts, capped."""

    def __init__(self):
        self.read_fd, self.write_fd = os.pipe()
        self.data = b""

    def drain(self, timeout):
        """Waits up to `timeout` for the record; True once the pipe is closed (every holder of
        its write end, the test process included, is gone or closed it)."""
        if self.read_fd < 0:
            return True
        if not select.select([self.read_fd], [], [], timeout)[0]:
            return False
        chunk = os.read(self.read_fd, 65536)
        self.data += chunk
        if not chunk or len(self.data) > 65536:
            os.close(self.read_fd)
            self.read_fd = -1
        return self.read_fd < 0

    def first_line(self):
        return self.data.split(b"\n", 1)[0].decode("utf-8", "replace") if self.data else None


def key_pipe():
    """A pipe holding a fresh key, its write end closed: the guard reads and closes it at
    import, before any project code runs, and must send it back with its record."""
    key = os.urandom(16).hex()
    read_fd, write_fd = os.pipe()
    os.write(write_fd, key.encode())
    os.close(write_fd)
    return key, read_fd


def run_tests(req, argv, env, log):
    """The command as the test user in its own session; the deadline (or a stall) ends it."""
    pipe = Pipe()
    key, key_fd = key_pipe()
    env = dict(env, SOLVER_GUARD_FD=str(pipe.write_fd), SOLVER_GUARD_KEY_FD=str(key_fd))
    start = time.monotonic()
    try:
        proc = warm_client.spawn(req, argv, env, log, (pipe.write_fd, key_fd))
        req["warm_used"] = proc is not None
        proc = proc or subprocess.Popen(
            argv, cwd="/testbed", stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env=env, start_new_session=True, pass_fds=(pipe.write_fd, key_fd), **as_user(req))
    except OSError as exc:
        # A missing or non-executable command: reported like a shell would, exit 127.
        log.write(("%s: %s\n" % (argv[0], exc.strerror or exc)).encode())
        return 127, False, time.monotonic() - start, None
    finally:
        os.close(pipe.write_fd)
        os.close(key_fd)
    deadline = start + req["timeout"]
    progress = req.get("guard", "") and req["guard"] + ".progress"
    stall = stall_limit(req.get("env", {}).get("SOLVER_TEST_TIMEOUT", ""))
    timed_out = False
    while proc.poll() is None:
        if pipe.drain(0.25):  # returns at once when the record or the end comes
            try:
                proc.wait(timeout=0.25)
                break
            except (subprocess.TimeoutExpired, warm_client.Expired):
                pass
        if time.monotonic() >= deadline or stalled(progress, stall):
            timed_out = True
            kill_leftovers(req)
    rc = proc.wait()
    pipe.drain(0)
    return rc, timed_out, time.monotonic() - start, keyed(pipe.first_line(), key)


def keyed(line, key):
    """The guard's record when it carries this run's key (else it was not the guard's)."""
    try:
        record = json.loads(line) if line else None
    except ValueError:
        return None
    if not isinstance(record, dict) or record.pop("key", None) != key:
        return None
    return json.dumps(record)


def read_capped(path, cap, tail=False):
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            if tail and size > cap:
                f.seek(size - cap)
            return f.read(cap + (0 if tail else 1)), size > cap
    except OSError:
        return None, False


def read_text(path, cap, tail=False):
    data, truncated = read_capped(path, cap, tail)
    return (None if data is None else data[:cap].decode("utf-8", "replace")), truncated


def collect(req, result, guard_line):
    report = req.get("report", "")
    if report:
        data, truncated = read_capped(report, req["report_cap"])
        result["report"] = None if data is None else data[:req["report_cap"]].decode(
            "utf-8", "replace")
        result["report_truncated"] = truncated
        if data is not None and not truncated:
            import hashlib
            result["report_sha256"] = hashlib.sha256(data).hexdigest()
    if req.get("guard", ""):
        result["guard"] = guard_line
        result["progress"] = read_text(req["guard"] + ".progress", req["report_cap"], True)[0]
        result["phases"] = read_text(req["guard"] + ".phases", 512)[0]
    artifacts = {}
    for path in req.get("artifacts", []):
        data, truncated = read_capped(path, req["report_cap"])
        if data is not None and not truncated:
            artifacts[path] = base64.b64encode(data).decode("ascii")
    result["artifacts"] = artifacts


def run_request(req, result):
    if not kill_leftovers(req):
        result["reason"] = "processes of an earlier run could not be killed"
        return
    env = dict(os.environ)
    env.update(req.get("env", {}))
    argv = runner_argv(req["argv"], env) if req.get("runner") == "pytest" else req["argv"]
    if argv is None:
        # Run as given (its errors are the user's to see), but nothing it reports is trusted.
        result["distrust"] = "not a pytest launcher the sandbox can guard: %s" % " ".join(
            req["argv"][:3])
        argv = req["argv"]
    python = argv[0] if req.get("runner") == "pytest" and "distrust" not in result else "python3"
    result.update(prepare(dict(req, names=installed_names(python))))
    if not result.get("applied"):
        return
    log_path = os.path.join(OWN, "out.log")
    result["spawned_at"] = time.time()
    with open(log_path, "wb") as log:
        rc, timed_out, elapsed, guard_line = run_tests(req, argv, env, log)
    result["leftovers_killed"] = kill_leftovers(req)
    result.update(rc=rc, timed_out=timed_out, runner_s=elapsed, warm=bool(req.get("warm_used")))
    collect(req, result, guard_line)
    result["log_tail"] = read_text(log_path, req["log_cap"], tail=True)[0]


def main():
    req = json.loads(sys.stdin.read())
    result = {"applied": False, "reason": "", "rc": None, "timed_out": False, "runner_s": 0.0}
    os.makedirs(OWN, exist_ok=True)
    run_request(req, result)
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
