"""The workspace step of a verification, run by the driver as the test user before any
candidate code can run: reset every writable place, apply the candidate, record what it changed
(status, git's modes, paths), apply the extra patch, and gather what the host's checks need.

Imported by the driver and run in a forked child that has become the test user. Python 3.9+,
standard library only.
"""

import ast
import os
import re
import shutil
import stat
import subprocess

WORK = "/testbed"
PRISTINE = "/opt/pristine"
STATE = "/tmp/.solver"
WRITABLE = (WORK, "/tmp", "/dev/shm")
"""Every place the test user can write; each is emptied before a run."""


def make_writable(path):
    for root, dirs, _files in os.walk(path):
        for name in dirs:
            try:
                os.chmod(os.path.join(root, name), 0o755)
            except OSError:
                pass


def empty_dir(path, keep=()):
    if not os.path.isdir(path):
        return
    make_writable(path)
    for name in os.listdir(path):
        full = os.path.join(path, name)
        if full in keep:
            continue
        if os.path.isdir(full) and not os.path.islink(full):
            shutil.rmtree(full, ignore_errors=True)
        else:
            try:
                os.unlink(full)
            except OSError:
                pass


def reset_workspace():
    for place in WRITABLE:
        empty_dir(place)
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


def git_mode(st):
    """The mode git would record for a file: 100644, 100755, 120000, or the odd kind."""
    if stat.S_ISLNK(st.st_mode):
        return "120000"
    if stat.S_ISREG(st.st_mode):
        return "100755" if st.st_mode & 0o111 else "100644"
    return "%06o" % stat.S_IFMT(st.st_mode)


def tree_entries(root):
    """{path: (git mode, size, mtime)} of every non-directory under root; a folder holding
    `.git` counts as a gitlink (160000)."""
    entries = {}
    for folder, dirs, files in os.walk(root):
        for name in list(dirs) + files:
            full = os.path.join(folder, name)
            st = os.lstat(full)
            if stat.S_ISDIR(st.st_mode):
                if os.path.lexists(os.path.join(full, ".git")):
                    entries[os.path.relpath(full, root)] = ("160000", 0, 0)
                continue
            entries[os.path.relpath(full, root)] = (git_mode(st), st.st_size, st.st_mtime_ns)
    return entries


def tree_changes():
    """[status, old mode, new mode, path] for every path the candidate changed, as
    `git diff --no-index --raw --no-renames` of the pristine and the work tree would list them
    (a move is a delete and an add), read from the file system itself: the reset copies keep
    the pristine times, so anything written since differs."""
    before, after = tree_entries(PRISTINE), tree_entries(WORK)
    changes = []
    for path in sorted(set(before) | set(after)):
        old, new = before.get(path), after.get(path)
        if old == new:
            continue
        if old is None or new is None:
            changes.append(["A" if old is None else "D", old[0] if old else "000000",
                            new[0] if new else "000000", path])
        else:
            changes.append(["M", old[0], new[0], path])
    return changes


def module_roots(path):
    """The names a new file could be imported under as a new top-level module: its first part,
    and the part after any folder that is not a package (such a folder may be on sys.path),
    where that part did not exist in the pristine tree (a new file inside the project's own
    package, `src/pkg/new.py`, is not a new `pkg`)."""
    parts = path.split("/")
    roots = []
    for depth in range(len(parts)):
        folder = os.path.join(WORK, *parts[:depth])
        if os.path.lexists(os.path.join(PRISTINE, *parts[:depth + 1])):
            continue
        if depth == 0 or not os.path.exists(os.path.join(folder, "__init__.py")):
            name = parts[depth]
            for suffix in (".py", ".pyc", ".so", ".pyd"):
                if name.endswith(suffix):
                    name = name[:-len(suffix)].split(".")[0]
            if depth == len(parts) - 1 and name == parts[depth]:
                continue  # a data file, not a module
            roots.append(name)
    return roots


def shadowing(changes, names):
    added = [c[3] for c in changes if c[0] == "A"]
    found = []
    for path in added:
        for name in module_roots(path):
            if name in names:
                found.append("%s: shadows the installed module %r" % (path, name))
    return sorted(set(found))


def known_patterns(changes, patterns):
    """Per changed file, the screen's rules its pristine version already matches."""
    known = {}
    for status, _old, _new, path in changes:
        if status != "M" or not patterns:
            continue
        try:
            with open(os.path.join(PRISTINE, path), encoding="utf-8", errors="replace") as f:
                text = f.read(2 << 20)
        except OSError:
            continue
        known[path] = [i for i, p in enumerate(patterns) if re.search(p, text, re.M)]
    return known


def find_test_files(limit=300):
    found = []
    for root, dirs, files in os.walk(WORK):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if name.endswith(".py") and (name.startswith("test_") or name.endswith("_test.py")):
                found.append(os.path.relpath(os.path.join(root, name), WORK))
                if len(found) >= limit:
                    return found
    return found


def assertion_literals(test_ids):
    """Constants in the assertions of the tests asked for (what a candidate must not hard-code);
    of every test file when none are named."""
    wanted = {}  # type: dict[str, set[str] | None]
    for test_id in test_ids:
        file, _, rest = test_id.partition("::")
        names = wanted.setdefault(file, set())
        if names is not None:
            names.add(rest.split("::")[-1].split("[")[0])
    for file in [] if test_ids else find_test_files():
        wanted[file] = None
    literals = set()
    for file, functions in wanted.items():
        try:
            with open(os.path.join(WORK, file)) as f:
                tree = ast.parse(f.read())
        except (OSError, SyntaxError, ValueError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and (
                    functions is None or node.name in functions):
                literals.update(constants_in_asserts(node))
    return sorted(literals, key=repr)[:500]


def constants_in_asserts(function):
    found = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Assert) or (isinstance(node, ast.Call) and isinstance(
                node.func, ast.Attribute) and node.func.attr.startswith("assert")):
            for inner in ast.walk(node):
                value = getattr(inner, "value", None) if isinstance(inner, ast.Constant) else None
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    found.add(repr(value))
                elif isinstance(value, str) and 2 < len(value) < 80:
                    found.add(repr(value))
    return found


def prepare(req):
    """The step: a dict for the driver (`applied`, `reason`, `changes`, `shadows`,
    `test_literals`)."""
    reset_workspace()
    result = {"applied": False, "reason": ""}
    error = apply_patch("candidate.diff", req.get("candidate", ""))
    if error:
        result["reason"] = "candidate does not apply: " + error
    else:
        result["changes"] = tree_changes() if req.get("candidate", "").strip() else []
        result["shadows"] = shadowing(result["changes"], set(req.get("names", [])))
        result["known"] = known_patterns(result["changes"], req.get("screen", []))
        error = apply_patch("extra.diff", req.get("extra", ""))
        if error:
            result["reason"] = "extra does not apply: " + error
        else:
            result["applied"] = True
            result["test_literals"] = assertion_literals(req.get("test_ids", []))
    return result
