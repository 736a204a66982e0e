"""One verification inside the sandbox container, run as the unprivileged user.

Reads a JSON request on stdin, resets /testbed to the pristine tree, applies the candidate patch,
runs the test command under a deadline, kills whatever the tests left running, and prints one JSON
line with what happened. Runs under the image's own python3 (3.9+), so it uses no newer syntax.
"""

import base64
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time

WORK = "/testbed"
PRISTINE = "/opt/pristine"
STATE = "/tmp/.solver"


def kill_leftovers():
    """Every process of this user but this one: a candidate's daemons must not outlive its run."""
    try:
        os.kill(-1, signal.SIGKILL)
    except OSError:
        pass


def make_writable(path):
    for root, dirs, _files in os.walk(path):
        for name in dirs:
            try:
                os.chmod(os.path.join(root, name), 0o755)
            except OSError:
                pass


def empty_dir(path):
    make_writable(path)
    for name in os.listdir(path):
        full = os.path.join(path, name)
        if os.path.isdir(full) and not os.path.islink(full):
            shutil.rmtree(full, ignore_errors=True)
        else:
            try:
                os.unlink(full)
            except OSError:
                pass


def reset_workspace():
    kill_leftovers()
    empty_dir(WORK)
    empty_dir("/tmp")
    for name in os.listdir(PRISTINE):
        src, dst = os.path.join(PRISTINE, name), os.path.join(WORK, name)
        if os.path.isdir(src) and not os.path.islink(src):
            shutil.copytree(src, dst, symlinks=True)
        else:
            shutil.copy2(src, dst, follow_symlinks=False)
    os.makedirs(STATE)


def apply_patch(name, text):
    """Returns an error message, or '' when the patch applied (an empty patch applies)."""
    if not text.strip():
        return ""
    path = os.path.join(STATE, name)
    with open(path, "w") as f:
        f.write(text)
    # git apply is atomic: either every hunk applies or nothing changes.
    done = subprocess.run(["git", "apply", "--whitespace=nowarn", "-p1", path], cwd=WORK,
                          capture_output=True, text=True)
    return "" if done.returncode == 0 else (done.stderr or done.stdout).strip()[-2000:]


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


def run_tests(req):
    """Runs the command in its own session; the deadline kills the whole group, then the rest."""
    log = open(os.path.join(STATE, "out.log"), "wb")
    env = dict(os.environ)
    env.update(req.get("env", {}))
    start = time.monotonic()
    try:
        proc = subprocess.Popen(req["argv"], cwd=WORK, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, env=env, start_new_session=True)
    except OSError as exc:
        # A missing or non-executable command: reported like a shell would, exit 127.
        log.write(("%s: %s\n" % (req["argv"][0], exc.strerror or exc)).encode())
        log.close()
        return 127, False, time.monotonic() - start
    deadline = start + req["timeout"]
    progress = req.get("guard", "") and req["guard"] + ".progress"
    stall = stall_limit(req.get("env", {}).get("SOLVER_TEST_TIMEOUT", ""))
    timed_out = False
    while True:
        try:
            rc = proc.wait(timeout=0.25)
            break
        except subprocess.TimeoutExpired:
            if time.monotonic() < deadline and not stalled(progress, stall):
                continue
        timed_out = True
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            pass
        rc = proc.wait()
        break
    elapsed = time.monotonic() - start
    kill_leftovers()
    log.close()
    return rc, timed_out, elapsed


def read_capped(path, cap, tail=False):
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            if tail and size > cap:
                f.seek(size - cap)
            return f.read(cap).decode("utf-8", "replace"), size > cap
    except OSError:
        return None, False


def read_capped_bytes(path, cap):
    try:
        with open(path, "rb") as f:
            data = f.read(cap + 1)
    except OSError:
        return None, False
    return data[:cap], len(data) > cap


def sha256_of(path):
    try:
        with open(path, "rb") as f:
            return hashlib.sha256(f.read()).hexdigest()
    except OSError:
        return None


def main():
    req = json.loads(sys.stdin.read())
    result = {"applied": False, "reason": "", "rc": None, "timed_out": False, "runner_s": 0.0}
    reset_workspace()
    for name in ("candidate.diff", "extra.diff"):
        error = apply_patch(name, req.get(name.split(".")[0], ""))
        if error:
            result["reason"] = "%s does not apply: %s" % (name.split(".")[0], error)
            print(json.dumps(result))
            return
    result["applied"] = True
    rc, timed_out, elapsed = run_tests(req)
    result.update(rc=rc, timed_out=timed_out, runner_s=elapsed)
    report = req.get("report", "")
    if report:
        result["report"], result["report_truncated"] = read_capped(report, req["report_cap"])
        result["report_sha256"] = sha256_of(report)
    guard = req.get("guard", "")
    if guard:
        result["guard"] = read_capped(guard, 65536)[0]
        result["progress"] = read_capped(guard + ".progress", req["report_cap"], tail=True)[0]
    artifacts = {}
    for path in req.get("artifacts", []):
        data, truncated = read_capped_bytes(path, req["report_cap"])
        if data is not None and not truncated:
            artifacts[path] = base64.b64encode(data).decode("ascii")
    result["artifacts"] = artifacts
    result["log_tail"] = read_capped(os.path.join(STATE, "out.log"), req["log_cap"], tail=True)[0]
    print(json.dumps(result))


if __name__ == "__main__":
    main()
