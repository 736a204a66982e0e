"""What the warm test process (solver_warm.py) compiles once for every child: the pristine
tree's modules, and pytest's assert-rewritten test modules. Parsing and compiling only: nothing
of the repository runs in the server. A child uses an entry only where the file it imports has
the very bytes the entry was made from; anything else compiles as it would have.

Imported by solver_warm.py (root) and used in its children. Python >= 3.6.
"""

import ast
import importlib.util
import os

COMPILED = {}  # type: dict[str, tuple[bytes, object]]
"""Work-tree path → (source bytes, code) of the pristine tree's modules (not its tests)."""
REWRITTEN = {}  # type: dict[str, tuple[bytes, object]]
"""Work-tree path → (source hash, pytest's assert-rewritten code) of pristine test modules and
conftests, made as pytest makes them."""
SOURCE_CAP = 32 << 20
"""Bytes of source compiled ahead at most (a huge tree compiles as it would have, past it)."""


def is_test_file(name):
    return name == "conftest.py" or name.startswith("test_") or name.endswith("_test.py")


def compile_tree(trees):
    """Every module of the pristine tree, compiled for its work-tree path, as importlib would."""
    work, pristine = trees
    total = 0
    for root, dirs, files in os.walk(pristine):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.endswith(".py") or is_test_file(name):
                continue
            path = os.path.join(root, name)
            target = work + path[len(pristine):]
            try:
                with open(path, "rb") as f:
                    source = f.read()
                total += len(source)
                if total > SOURCE_CAP:
                    return
                COMPILED[target] = (source, compile(source, target, "exec", dont_inherit=True))
            except (OSError, SyntaxError, ValueError):
                continue


def rewrite_ahead(args, trees, own_pytest):
    """pytest's assert rewriting of the test files `args` name (and the conftests above them),
    from the pristine tree, once per file; never with the repository's own pytest."""
    if not own_pytest:
        return
    try:
        from _pytest.assertion.rewrite import rewrite_asserts
    except ImportError:
        return
    work, pristine = trees
    for arg in args:
        rel = arg.split("::")[0]
        if not rel.endswith(".py") or rel.startswith(("/", "-")) or ".." in rel.split("/"):
            continue
        parts = rel.split("/")
        for rel_path in ["/".join(parts[:i] + ["conftest.py"]) for i in range(len(parts))] + [rel]:
            target = work + "/" + rel_path
            if target in REWRITTEN:
                continue
            try:
                with open(pristine + "/" + rel_path, "rb") as f:
                    source = f.read()
                tree = ast.parse(source, filename=target)
                rewrite_asserts(tree, source, target, None)
                code = compile(tree, target, "exec", dont_inherit=True)
            except Exception:  # missing, or pytest will say why itself
                continue
            REWRITTEN[target] = (importlib.util.source_hash(source), code)


def use():
    """In the child, before the guard and any project code: importlib's `source_to_code` and
    pytest's `_rewrite_test` answer from the entries whose bytes match."""
    if COMPILED:
        use_compiled()
    if REWRITTEN:
        use_rewritten()


def use_compiled():
    from importlib.machinery import SourceFileLoader
    original = SourceFileLoader.source_to_code

    def source_to_code(self, data, path, *, _optimize=-1):
        entry = COMPILED.get(path)
        if entry is not None and _optimize == -1 and entry[0] == data:
            return entry[1]
        return original(self, data, path, _optimize=_optimize)

    SourceFileLoader.source_to_code = source_to_code  # type: ignore[method-assign]


def use_rewritten():
    """Only for the two return shapes pytest has had: (hash, code), (stat, code)."""
    import inspect

    import _pytest.assertion.rewrite as rewrite
    original = rewrite._rewrite_test
    shape = str(inspect.signature(original).return_annotation)
    if list(inspect.signature(original).parameters) != ["fn", "config"] or not (
            "bytes" in shape or "stat" in shape):
        return

    def _rewrite_test(fn, config):
        entry = REWRITTEN.get(str(fn))
        if entry is None or (config is not None and config.getini(
                "enable_assertion_pass_hook")):
            return original(fn, config)
        with open(str(fn), "rb") as f:
            digest = importlib.util.source_hash(f.read())
        if digest != entry[0]:
            return original(fn, config)
        return (digest if "bytes" in shape else os.stat(str(fn))), entry[1]

    rewrite._rewrite_test = _rewrite_test
