"""The warm test process: one per container, forking a child per verification.

Started by the driver (root, holding only CAP_SETUID / CAP_SETGID) as
`python [opts] -s /opt/solver/solver_warm.py SOCKET`, with the interpreter and options the
runner would get. It imports pytest (unless it is the repository's own: pytest-dev), pytest's
built-in plugins and dependencies, and the third-party modules the repository's tests import
(not plugins: pytest rewrites their asserts as it loads them), never a module of the work tree
or the pristine tree: those paths are off sys.path while it imports, and it refuses to serve
when one got in all the same, or when an import left a thread behind (fork copies one thread
only). Then it listens on SOCKET, in the driver's root-only folder. Per test file it is asked
for, it makes pytest's assert-rewritten code of the pristine file (and the conftests above it)
once, parsing and compiling only; a child uses it where the file's bytes hash the same.

Per request (one JSON line, with the log, the guard's pipe and the key pipe as SCM_RIGHTS file
descriptors) it forks a child that closes every other descriptor (the listening socket first),
becomes the test user, enters /testbed with the request's environment and sys.path, imports the
guard and runs `pytest.main`, then exits like an interpreter would (atexit hooks, then the exit
status). The server answers the child's pid, then its exit status (-N for a signal), and serves
the next request. The child is a copy: nothing it does reaches the server's memory, and as the
test user it can neither signal, trace nor connect to the server (sandbox ARCHITECTURE).
Written for Python >= 3.6: it runs inside the task's own environment.
"""

import array
import ast
import gc
import importlib
import json
import os
import socket
import sys
import threading

import warm_cache  # type: ignore[import-not-found]  # the folder of this file

TREES = ("/testbed", "/opt/pristine")
SCAN_LIMIT = 400
"""Test and conftest files read for their imports (the first found, walking the pristine tree)."""


def inside_trees(path):
    path = os.path.realpath(path) if path else ""
    return any(path == t or path.startswith(t + "/") for t in TREES)


def origin_ok(name):
    """True when `name` (a top-level module) resolves outside the trees, without running it."""
    import importlib.util
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError, AttributeError):
        return False
    if spec is None:
        return False
    places = [spec.origin or ""] + list(spec.submodule_search_locations or [])
    return not any(inside_trees(p) for p in places if p and p not in ("built-in", "frozen"))


def test_imports():
    """Top-level names the repository's test modules and conftests import (absolute imports)."""
    names = set()  # type: set[str]
    seen = 0
    for root, dirs, files in os.walk(TREES[1]):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not (name == "conftest.py" or (name.endswith(".py") and (
                    name.startswith("test_") or name.endswith("_test.py")))):
                continue
            seen += 1
            if seen > SCAN_LIMIT:
                return names
            try:
                with open(os.path.join(root, name), "rb") as f:
                    tree = ast.parse(f.read())
            except (OSError, SyntaxError, ValueError):
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    names.update(a.name.split(".")[0] for a in node.names)
                elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                    names.add(node.module.split(".")[0])
    return names


def project_names():
    """Top-level names the pristine tree itself defines (never imported here)."""
    names = set()  # type: set[str]
    for base in (TREES[1], os.path.join(TREES[1], "src")):
        try:
            entries = os.listdir(base)
        except OSError:
            continue
        names.update(e[:-3] if e.endswith(".py") else e for e in entries)
    return names


PYTEST_DEPENDENCIES = ("pluggy", "py", "attr", "iniconfig", "packaging", "more_itertools",
                       "wcwidth", "tomli", "exceptiongroup", "atomicwrites", "six")
OUTSIDE = {"pytest": False}
"""Whether pytest itself was imported here: not where it is the repository's own (pytest-dev),
whose runs fork all the same, with only pytest's dependencies imported ahead."""


def plugin_modules():
    """Top-level names of every file of the distributions that register pytest plugins: pytest
    marks them all for assert rewriting, and warns (an error under -W error) about any already
    imported. None when the distributions cannot be read (then no test import is preloaded)."""
    names = set()  # type: set[str]
    try:
        from importlib import metadata
        for dist in metadata.distributions():
            if any(ep.group == "pytest11" for ep in dist.entry_points):
                for path in dist.files or ():
                    top = str(path).split("/")[0]
                    names.add(top[:-3] if top.endswith(".py") else top)
    except Exception:
        return None
    return names


def preload():
    """Import what every run would import anyway; the reason to refuse, or ''."""
    wanted = ["hashlib", "json", "xml.etree.ElementTree", *PYTEST_DEPENDENCIES]
    OUTSIDE["pytest"] = origin_ok("pytest") and origin_ok("_pytest")
    if OUTSIDE["pytest"]:
        import _pytest.config
        import pytest  # noqa: F401
        wanted += ["_pytest." + p for p in getattr(_pytest.config, "default_plugins", ())]
        wanted += ["_pytest.junitxml"]
    # Plugins (pytest11 entry points, pytest_plugins) are left to the child: pytest rewrites
    # their asserts when it loads them, and warns about any it finds imported already.
    own, plugins = project_names(), plugin_modules()
    if plugins is not None:
        wanted += sorted(n for n in test_imports()
                         if n not in own and n not in plugins and "pytest" not in n)
    for name in wanted:
        if origin_ok(name.split(".")[0]):
            try:
                importlib.import_module(name)
            except BaseException:  # an optional dependency missing: the child imports it alone
                pass
    try:  # the installed distributions' listing (importlib.metadata caches it): plugin loading
        from importlib import metadata
        metadata.entry_points()
    except Exception:
        pass
    shadowed = [n for n in list(sys.modules) if n.split(".")[0] in own]
    if shadowed:  # an installed copy of the project itself (python-dateutil under freezegun)
        return "an installed module of the project's own name was imported: %s" % shadowed[0]
    marked = [n for n in list(sys.modules) if n.split(".")[0] in (plugins or ())]
    if marked:
        return "a module pytest rewrites as a plugin's was imported: %s" % marked[0]
    repo = [n for n, m in list(sys.modules.items())
            if inside_trees(getattr(m, "__file__", None) or "")]
    if repo:
        return "a module of the tree was imported: %s" % repo[0]
    if threading.active_count() > 1:
        return "an import started a thread"
    return ""


def receive(conn):
    """One request line and its file descriptors."""
    fds = array.array("i")
    data = b""
    while not data.endswith(b"\n"):
        msg, anc, _, _ = conn.recvmsg(65536, socket.CMSG_SPACE(16 * fds.itemsize))
        if not msg:
            raise EOFError
        data += msg
        for level, kind, payload in anc:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds.frombytes(payload[:len(payload) - len(payload) % fds.itemsize])
    return json.loads(data.decode()), list(fds)


def become(req, fds):
    """In the child: the test user in /testbed with the request's descriptors, env, sys.path."""
    log, guard_fd, key_fd = fds
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        if fd not in (log, guard_fd, key_fd) and fd > 2:
            try:
                os.close(fd)
            except OSError:
                pass
    os.setsid()
    os.setgroups([])
    os.setgid(int(req["gid"]))
    os.setuid(int(req["uid"]))
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(log, 1)
    os.dup2(log, 2)
    for fd in (null, log):
        os.close(fd)
    os.chdir("/testbed")
    os.environ.clear()
    os.environ.update(req["env"])
    os.environ["SOLVER_GUARD_FD"] = str(guard_fd)
    os.environ["SOLVER_GUARD_KEY_FD"] = str(key_fd)
    sys.dont_write_bytecode = bool(req["env"].get("PYTHONDONTWRITEBYTECODE"))
    if req["mode"] == "module":
        sys.path.insert(0, os.getcwd())
    sys.argv = ["pytest"] + list(req["args"])


def run_child(req, fds):
    """Never returns: the child's exit status is pytest's (1 if it could not start)."""
    status = 1
    try:
        become(req, fds)
        warm_cache.use()
        import pytest
        import solver_guard  # type: ignore[import-not-found]  # noqa: F401  (reads its key now)
        status = int(pytest.main(list(req["args"])))
    except SystemExit as exc:
        status = exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        import traceback
        traceback.print_exc()
    finally:
        try:
            threading._shutdown()  # type: ignore[attr-defined]  # as an interpreter's exit would
            import atexit
            atexit._run_exitfuncs()
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(status & 0xFF)


def status_of(wait_status):
    if os.WIFSIGNALED(wait_status):
        return -os.WTERMSIG(wait_status)
    return os.WEXITSTATUS(wait_status)


def serve(listener):
    while True:
        conn, _ = listener.accept()
        fds = []
        try:
            req, fds = receive(conn)
            if len(fds) != 3:
                raise ValueError("expected 3 descriptors, got %d" % len(fds))
            warm_cache.rewrite_ahead(req["args"], TREES, OUTSIDE["pytest"])
            pid = os.fork()
            if pid == 0:
                run_child(req, fds)
            for fd in fds:
                os.close(fd)
            fds = []
            conn.sendall(json.dumps({"pid": pid}).encode() + b"\n")
            _, wait_status = os.waitpid(pid, 0)
            conn.sendall(json.dumps({"rc": status_of(wait_status)}).encode() + b"\n")
        except (OSError, ValueError, EOFError) as exc:
            sys.stderr.write("warm server: %s\n" % exc)
        finally:
            for fd in fds:
                os.close(fd)
            conn.close()


def main():
    path = sys.argv[1]
    saved = list(sys.path)
    sys.path[:] = [p for p in sys.path if p and not inside_trees(p)]
    why = preload()
    warm_cache.compile_tree(TREES)
    sys.path[:] = saved
    if why:
        sys.stderr.write("warm server refused: %s\n" % why)
        raise SystemExit(3)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path + ".tmp")
    os.rename(path + ".tmp", path)  # the socket appears only once the server is ready
    listener.listen(4)
    if hasattr(gc, "freeze"):  # 3.7+: the preloaded heap is never scanned again, nor copied
        gc.freeze()
    serve(listener)


if __name__ == "__main__":
    main()
