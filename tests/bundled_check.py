"""Validate the bundled benchmark tasks in tasks/bundled/ (a plain script, not a pytest test).

For every task folder it copies ``repo/`` to a temporary directory and checks that

1. every FAIL_TO_PASS test fails and every PASS_TO_PASS test passes on the buggy repo,
   and FAIL_TO_PASS + PASS_TO_PASS is exactly the set of visible tests;
2. after ``git apply gold.patch`` all FAIL_TO_PASS and PASS_TO_PASS tests pass;
3. with ``hidden.patch`` applied on top of gold all hidden tests pass, and with
   ``hidden.patch`` alone (no gold) at least one hidden test fails;
4. every test id named in task.json exists (pytest reports an outcome for it).

Usage: ``python tests/bundled_check.py [--root DIR] [slug ...]``.  Prints one line per task and a
final ``N passed, M failed`` line; exits non-zero if any task fails.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "tasks" / "bundled"
REQUIRED_KEYS = {
    "instance_id": str,
    "problem_statement": str,
    "FAIL_TO_PASS": list,
    "PASS_TO_PASS": list,
    "hidden_tests": list,
    "test_cmd": str,
    "bug_class": str,
    "locations": int,
}
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
STATUS_RE = re.compile(r"^(PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS) (.+)$")
PYTEST_TIMEOUT = 120
# The task repos need plain pytest only; skipping third-party plugin autoloading keeps the
# runs hermetic and about four times faster.
PYTEST_ENV = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", "PYTHONDONTWRITEBYTECODE": "1",
              "PYTHONPATH": str(Path(__file__).resolve().parent)}
"""`deadline_plugin` (next to this script) gives each test 5 s: a bug that loops fails alone."""


class CheckFailure(Exception):
    pass


def run_pytest(repo: Path, ids: list[str]) -> tuple[dict[str, str], str]:
    """Run the given test ids; map each id to PASSED/FAILED/ERROR/... or MISSING."""
    cmd = [sys.executable, "-m", "pytest", "-q", "-rA", "-p", "no:cacheprovider",
           "-p", "deadline_plugin", *ids]
    proc = subprocess.run(
        cmd, cwd=repo, capture_output=True, text=True, timeout=PYTEST_TIMEOUT, env=PYTEST_ENV
    )
    output = proc.stdout + proc.stderr
    reported: list[tuple[str, str]] = []
    for line in proc.stdout.splitlines():
        m = STATUS_RE.match(line)
        if m:
            reported.append((m.group(1), m.group(2)))
    outcomes = {}
    for test_id in ids:
        outcome = "MISSING"
        for status, rest in reported:
            if rest == test_id or rest.startswith(test_id + " - "):
                outcome = status
                break
        outcomes[test_id] = outcome
    return outcomes, output


def collect_ids(repo: Path) -> set[str]:
    cmd = [sys.executable, "-m", "pytest", "-q", "--collect-only", "-p", "no:cacheprovider"]
    proc = subprocess.run(
        cmd, cwd=repo, capture_output=True, text=True, timeout=PYTEST_TIMEOUT, env=PYTEST_ENV
    )
    if proc.returncode != 0:
        raise CheckFailure(f"collection failed:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
    return {line.strip() for line in proc.stdout.splitlines() if "::" in line}


def git_apply(repo: Path, patch: Path) -> None:
    proc = subprocess.run(
        ["git", "apply", "--verbose", str(patch)], cwd=repo, capture_output=True, text=True
    )
    if proc.returncode != 0:
        raise CheckFailure(f"git apply {patch.name} failed: {proc.stderr.strip()}")


def patched_files(patch_text: str) -> list[str]:
    return re.findall(r"^diff --git a/(\S+) b/\S+$", patch_text, flags=re.MULTILINE)


def expect(outcomes: dict[str, str], want: str, label: str, output: str) -> None:
    missing = [t for t, o in outcomes.items() if o == "MISSING"]
    if missing:
        raise CheckFailure(f"{label}: test ids not found: {missing}\n{output[-1500:]}")
    wrong = [f"{t} ({o})" for t, o in outcomes.items() if (o == "PASSED") != (want == "pass")]
    if wrong:
        verb = "pass" if want == "pass" else "fail"
        raise CheckFailure(f"{label}: expected to {verb} but did not: {wrong}\n{output[-1500:]}")


def check_metadata(task_dir: Path, task: dict[str, Any]) -> None:
    for key, typ in REQUIRED_KEYS.items():
        if not isinstance(task.get(key), typ):
            raise CheckFailure(f"task.json: {key!r} missing or not {typ.__name__}")
    if task["instance_id"] != task_dir.name or not SLUG_RE.match(task_dir.name):
        raise CheckFailure("instance_id must equal the folder name and be a lowercase slug")
    if not task["FAIL_TO_PASS"] or not task["hidden_tests"]:
        raise CheckFailure("FAIL_TO_PASS and hidden_tests must be non-empty")
    if set(task["FAIL_TO_PASS"]) & set(task["PASS_TO_PASS"]):
        raise CheckFailure("FAIL_TO_PASS and PASS_TO_PASS overlap")
    if task["locations"] < 1 or not task["problem_statement"].strip():
        raise CheckFailure("locations must be >= 1 and problem_statement non-empty")
    gold = (task_dir / "gold.patch").read_text()
    hidden = (task_dir / "hidden.patch").read_text()
    if not patched_files(gold) or any(p.startswith("tests/") for p in patched_files(gold)):
        raise CheckFailure("gold.patch must touch library files only")
    if patched_files(hidden) != ["tests/test_hidden.py"] or "new file mode" not in hidden:
        raise CheckFailure("hidden.patch must add exactly tests/test_hidden.py")
    if not all(t.startswith("tests/test_hidden.py::") for t in task["hidden_tests"]):
        raise CheckFailure("hidden_tests must live in tests/test_hidden.py")
    if (task_dir / "repo" / "tests" / "test_hidden.py").exists():
        raise CheckFailure("repo/ must not contain the hidden tests")


def check_task(task_dir: Path) -> str:
    task = json.loads((task_dir / "task.json").read_text())
    check_metadata(task_dir, task)
    f2p, p2p, hidden = task["FAIL_TO_PASS"], task["PASS_TO_PASS"], task["hidden_tests"]
    visible = f2p + p2p
    with tempfile.TemporaryDirectory(prefix=f"bundled-{task_dir.name}-") as tmp:
        buggy = Path(tmp) / "buggy"
        shutil.copytree(task_dir / "repo", buggy)
        gold = Path(tmp) / "gold"
        shutil.copytree(task_dir / "repo", gold)

        # (1) + (4): the buggy repository.
        collected = collect_ids(buggy)
        if collected != set(visible):
            raise CheckFailure(
                f"FAIL_TO_PASS + PASS_TO_PASS != visible tests; not listed: "
                f"{sorted(collected - set(visible))}, unknown: {sorted(set(visible) - collected)}"
            )
        outcomes, out = run_pytest(buggy, visible)
        expect({t: outcomes[t] for t in f2p}, "fail", "buggy FAIL_TO_PASS", out)
        expect({t: outcomes[t] for t in p2p}, "pass", "buggy PASS_TO_PASS", out)

        # (2): gold fix.
        git_apply(gold, task_dir / "gold.patch")
        outcomes, out = run_pytest(gold, visible)
        expect(outcomes, "pass", "gold FAIL_TO_PASS+PASS_TO_PASS", out)

        # (3): hidden tests, with and without gold.
        git_apply(gold, task_dir / "hidden.patch")
        outcomes, out = run_pytest(gold, hidden)
        expect(outcomes, "pass", "gold hidden", out)
        git_apply(buggy, task_dir / "hidden.patch")
        outcomes, out = run_pytest(buggy, hidden)
        missing = [t for t, o in outcomes.items() if o == "MISSING"]
        if missing:
            raise CheckFailure(f"buggy hidden: test ids not found: {missing}")
        failing = [t for t, o in outcomes.items() if o != "PASSED"]
        if not failing:
            raise CheckFailure("no hidden test fails on the buggy repo")
    return (
        f"f2p={len(f2p)} p2p={len(p2p)} hidden={len(hidden)} "
        f"hidden_failing_on_buggy={len(failing)} locations={task['locations']}"
    )


def main(argv: list[str]) -> int:
    root = BUNDLED
    if argv[:1] == ["--root"] and len(argv) >= 2:
        root, argv = Path(argv[1]).resolve(), argv[2:]
    if not root.is_dir():
        print(f"no bundled tasks at {root}")
        return 1
    dirs = sorted(p for p in root.iterdir() if (p / "task.json").is_file())
    if argv:
        dirs = [d for d in dirs if d.name in argv]
    if not dirs:
        print("no tasks found")
        return 1

    def run(d: Path) -> tuple[str, bool, str]:
        try:
            return d.name, True, check_task(d)
        except CheckFailure as exc:
            return d.name, False, str(exc)
        except Exception as exc:  # noqa: BLE001 - report, never crash the whole run
            return d.name, False, f"{type(exc).__name__}: {exc}"

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(run, dirs))
    passed = failed = 0
    for name, ok, detail in results:
        if ok:
            passed += 1
            print(f"PASS {name}: {detail}")
        else:
            failed += 1
            print(f"FAIL {name}: {detail}")
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
