"""The house rules of the layout, checked: small modules, imports one way (issue 13)."""

import ast
from pathlib import Path

ROOT = Path(__file__).parents[1]
LIMIT = 400
LEFT_OUT = ("bundled", "bench_repo")
"""Task data and the sandbox benchmark's sample repository."""


def modules() -> dict[str, Path]:
    found = {}
    for package in ("solver", "sandbox", "tasks"):
        for path in (ROOT / package).rglob("*.py"):
            if any(part in LEFT_OUT for part in path.relative_to(ROOT).parts):
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The project modules `path` imports, at the top or inside functions."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                found.add(full if full in known else node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {m for m in found if m in known and m != name}


def test_no_module_is_over_the_limit():
    over = {name: n for name, path in modules().items()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > LIMIT}
    assert not over


def test_no_two_modules_import_each_other():
    known = modules()
    edges = {name: imports(name, path, known) for name, path in known.items()}
    mutual = sorted((a, b) for a in edges for b in edges[a] if a < b and a in edges.get(b, ()))
    assert not mutual
    assert edges["solver.harness.select_run"]  # the walk does see imports
