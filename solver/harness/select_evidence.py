"""What `solver select` learns of each candidate in the sandbox, and how it grades them after.

Under the `issue` protocol nothing of the answer key is used until grading; the evidence is
    regression      the repository's own tests that pass on the base tree, from the test files
                    that import the modules the candidates change, run against every candidate
    reproduction    tests the candidates' own patches add or change (many agents write one),
                    kept where they fail on the base tree, run against every other candidate:
                    failing another's reproduction is evidence against a candidate
Under `tests` the evidence is the grading run itself (FAIL_TO_PASS + PASS_TO_PASS with the test
patch), as `solver eval` sees them.

`grade` runs afterwards, the harness's way (solver.harness.grade.harness_patches).
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

import anyio
from pydantic import BaseModel, Field

from sandbox import Outcome, Session, Verdict
from sandbox.session import CommandResult, RunSpec
from sandbox.swebench_env import is_swebench
from solver.harness.grade import graded_ids, harness_patches
from solver.jobs.regression import imports, module_name
from solver.selection.behaviour import Behaviour
from solver.selection.prober import behaviour_for
from solver.types import Candidate
from tasks.diffs import file_sections
from tasks.model import Task
from tasks.paths import is_test_file
from tasks.source import export_tree, resolve_source

REGRESSION_FILES = 3
REGRESSION_TESTS = 300
MAX_SCRIPTS = 2
"""Reproduction scripts taken from one candidate."""
SCRIPT_TIMEOUT_S = 60.0
ADDRESS = re.compile(r"0x[0-9a-fA-F]+")
NEW_FILE = re.compile(r"^--- /dev/null", re.MULTILINE)


class Reproduction(BaseModel):
    """Tests one candidate's patch brings, and which of them fail on the base tree."""

    author: int
    """Index of the candidate whose patch has them."""
    files: list[str]
    failing_on_base: list[str] = Field(default_factory=list)


class Script(BaseModel):
    """A reproduction script one candidate's patch adds, and how it ran on the base tree."""

    author: int
    path: str
    base_exit: int | None = None
    base_output: str = ""


class Record(BaseModel):
    """One distinct candidate: where it came from, its evidence, and (afterwards) its grade."""

    sources: list[str]
    places: list[int]
    votes: int
    patch: str
    code: str = ""
    """The part of the patch the evidence runs as the candidate (its test edits set apart)."""
    applied: bool = True
    reason: str = ""
    regression: dict[str, Outcome] = Field(default_factory=dict)
    reproduction: dict[str, Outcome] = Field(default_factory=dict)
    """`<author>::<test id>` → outcome, for the reproductions of other candidates and its own."""
    scripts: dict[str, Outcome] = Field(default_factory=dict)
    """`<author>::<script>` → outcome: passed where the script's run differs from base's."""
    given: dict[str, Outcome] = Field(default_factory=dict)
    """The grading tests' outcomes, where the protocol lets the evidence see them (`tests`)."""
    resolved: bool | None = None
    grade_status: str = ""


def outcomes(verdict: Verdict, ids: Sequence[str]) -> dict[str, Outcome]:
    return {t: verdict.outcome(t) for t in ids}


def shaky(found: dict[str, Outcome]) -> list[str]:
    """Tests whose outcome may be the machine's and not the candidate's (a timeout, a result
    missing from a run that was cut short): worth one more run before they count against it."""
    return [t for t, o in found.items() if o in (Outcome.TIMEOUT, Outcome.MISSING)]


@dataclass
class SessionRunner:
    """`solver.protocols.CommandRunner` over one session (the behaviour probe's runner)."""

    session: Session

    @property
    def spec(self) -> RunSpec:
        return self.session.spec

    @property
    def capacity(self) -> int:
        return 1

    async def run_command(self, argv: Sequence[str], timeout_s: float, *, diff: str = "",
                          log_cap: int | None = None) -> CommandResult:
        return await anyio.to_thread.run_sync(
            lambda: self.session.run_command(argv, timeout_s, diff, log_cap=log_cap))


@dataclass
class Evidence:
    """Runs the evidence of one instance in one session."""

    session: Session
    task: Task
    repos_dir: Path | None
    reference: set[str] | None = None
    """Tests of the failing tests' files that pass with the reference patch (`held_out`)."""

    def honest(self) -> Session:
        """The session with the answer key taken out of its run spec (no test patch, no
        protected hidden-test paths, plain pytest ids)."""
        self.session.spec = replace(self.session.spec, extra_patch="", protected=frozenset(),
                                    swebench_ids=False)
        return self.session

    def regression_files(self, records: Sequence[Record]) -> list[str]:
        with tempfile.TemporaryDirectory(prefix="solver-select-") as tmp:
            tree = export_tree(resolve_source(self.task, self.repos_dir), self.task.base_commit,
                               Path(tmp) / "tree")
            changed = {path for r in records for path, _ in file_sections(r.code) if path}
            return importing_tests(tree, changed)

    def run_regression(self, records: Sequence[Record]) -> list[str]:
        """Fill every record's `regression` (and `applied`); returns the tests used."""
        session = self.honest()
        files, chosen = [], []
        for file in self.regression_files(records):
            # one file at a time: a file that fails to collect on base would stop the others
            base = session.verify("", [file])
            passing = [t for t, r in base.tests.items()
                       if r.outcome == Outcome.PASSED and t != file]
            if passing:
                files.append(file)
                chosen += passing
        chosen = chosen[:REGRESSION_TESTS]
        for record in records:
            if chosen:
                verdict = session.verify(record.code, files)
                record.applied, record.reason = verdict.applied, verdict.reason
                record.regression = outcomes(verdict, chosen) if verdict.applied else {}
                again = shaky(record.regression)
                if again:  # a deadline under load is no regression: those run once more
                    record.regression.update(outcomes(session.verify(record.code, again), again))
            else:
                ran = session.run_command(["python", "-c", "pass"], 60.0, diff=record.code)
                record.applied, record.reason = ran.exit_code is not None, ran.reason
        return chosen

    def run_reproductions(self, records: Sequence[Record]) -> list[Reproduction]:
        """Fill every record's `reproduction`; returns the reproductions found."""
        session = self.honest()
        found = []
        for author, record in enumerate(records):
            tests = harness_patches(record.patch, "")[1]
            files = [p for p, _ in file_sections(tests) if p.endswith(".py") and is_test_file(p)]
            if not files:
                continue
            base = session.verify("", files, extra_patch=tests)
            failing = [t for t, r in base.tests.items()
                       if r.outcome in (Outcome.FAILED, Outcome.ERROR) and t not in files]
            found.append(Reproduction(author=author, files=files, failing_on_base=failing))
            if not failing:
                continue
            for other in records:
                if other.applied:
                    verdict = session.verify(other.code, files, extra_patch=tests)
                    other.reproduction.update(
                        {f"{author}::{t}": verdict.outcome(t) for t in failing})
        return found

    def run_scripts(self, records: Sequence[Record]) -> list[Script]:
        """Fill every record's `scripts`; returns the scripts found (their base runs)."""
        session = self.honest()
        found = []
        for author, record in enumerate(records):
            for path, section in root_scripts(record.patch)[:MAX_SCRIPTS]:
                alias = f"solver_repro_{author}_{PurePosixPath(path).name}"
                added = section.replace(path, alias)
                base = session.run_command(["python", alias], SCRIPT_TIMEOUT_S, diff=added)
                script = Script(author=author, path=path, base_exit=base.exit_code,
                                base_output=comparable(base.output))
                found.append(script)
                for other in records:
                    if not other.applied:
                        continue
                    ran = session.run_command(["python", alias], SCRIPT_TIMEOUT_S,
                                              diff=other.code + added)
                    changed = comparable(ran.output) != script.base_output
                    other.scripts[f"{author}::{path}"] = (
                        Outcome.PASSED if ran.exit_code == 0 and changed else Outcome.FAILED)
        return found

    def run_behaviour(self, records: Sequence[Record], regression: Sequence[str]) -> Behaviour:
        """The behaviour probe of the applied records, traced from the regression tests (the
        task it sees has no FAIL_TO_PASS: nothing of the answer key)."""
        probed = Task(instance_id=self.task.instance_id, PASS_TO_PASS=list(regression))
        candidates = [Candidate(id=str(i), diff=r.code) for i, r in enumerate(records)
                      if r.applied]
        if not regression:
            return Behaviour(skipped={"*": "no regression test to trace calls from"})
        runner = SessionRunner(self.honest())
        return anyio.run(lambda: behaviour_for(runner, probed, candidates))

    def run_given(self, records: Sequence[Record]) -> None:
        """`tests` protocol: the grading run is the evidence (and the grade)."""
        for record in records:
            self.grade(record)

    def grade(self, record: Record) -> None:
        """The harness's grade of one record (after the pick, under `issue`): FAIL_TO_PASS and
        PASS_TO_PASS with the test patch, and the held-back tests where the task has them
        (bundled and synthesized tasks: resolved then means correct, not only plausible)."""
        hidden = self.task.test_patch + self.task.hidden_tests_patch
        self.session.spec = replace(self.session.spec, extra_patch=hidden, swebench_ids=True)
        f2p, p2p = graded_ids(self.task)
        graded = [*f2p, *p2p, *self.task.hidden_tests]
        code, tests = harness_patches(record.patch, hidden)
        verdict = self.session.verify(code, graded, extra_patch=tests)
        if not verdict.applied:
            record.resolved, record.grade_status = False, "patch_failed"
            record.applied, record.reason = False, verdict.reason or "the patch does not apply"
            return
        record.resolved = all(verdict.outcome(t) == Outcome.PASSED for t in graded)
        record.given = outcomes(verdict, graded)
        if record.resolved and self.needs_held_out():
            record.resolved = self.held_out(record)
        record.grade_status = "resolved" if record.resolved else "unresolved"

    def needs_held_out(self) -> bool:
        """A local task with a reference patch and no held-back tests (synthesized tasks):
        correct also means every test of the failing tests' files that passes with the
        reference passes (as `solver bench search` judges it). SWE-bench instances keep the
        harness's grade."""
        return bool(self.task.patch and self.task.fail_to_pass and not self.task.hidden_tests
                    and not is_swebench(self.task))

    def held_out(self, record: Record) -> bool:
        files = sorted({t.split("::")[0] for t in self.task.fail_to_pass})
        self.session.spec = replace(self.session.spec, extra_patch=self.task.test_patch,
                                    swebench_ids=False)
        if self.reference is None:
            gold = self.session.verify(self.task.patch, files)
            self.reference = {t for t, r in gold.tests.items() if r.outcome == Outcome.PASSED}
        verdict = self.session.verify(record.code, files)
        return bool(self.reference) and verdict.passed(sorted(self.reference))


def importing_tests(tree: Path, changed: set[str], limit: int = REGRESSION_FILES) -> list[str]:
    """The test files that import the changed modules most directly: importing a changed
    module scores 2 (each), importing its top package 1; the best `limit` files."""
    modules = sorted({module_name(p) for p in changed
                      if p.endswith(".py") and not is_test_file(p)} - {""})
    tops = sorted({m.split(".")[0] for m in modules})
    scored = []
    for file in sorted(tree.rglob("*.py")):
        relative = file.relative_to(tree).as_posix()
        if not is_test_file(relative) or PurePosixPath(relative).name == "conftest.py":
            continue
        text = file.read_text(errors="replace")
        score = 2 * sum(imports(text, m) for m in modules) + any(imports(text, t) for t in tops)
        if score:
            scored.append((-score, relative))
    return [relative for _, relative in sorted(scored)[:limit]]


def root_scripts(patch: str) -> list[tuple[str, str]]:
    """The new Python files a patch adds at the repository root (not setup.py / conftest.py,
    not test files): agents' reproduction scripts, which no fix needs."""
    return [(path, section) for path, section in file_sections(patch)
            if "/" not in path and path.endswith(".py") and NEW_FILE.search(section)
            and path not in ("setup.py", "conftest.py") and not is_test_file(path)]


def without_scripts(patch: str) -> str:
    """The patch with its root reproduction scripts left out."""
    scripts = {path for path, _ in root_scripts(patch)}
    return "".join(section for path, section in file_sections(patch) if path not in scripts)


def comparable(output: str) -> str:
    """A run's output with memory addresses blanked (they differ between runs)."""
    return ADDRESS.sub("0x?", output.strip())
