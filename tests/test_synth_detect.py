"""Recipes detected from a project's tree, bug kinds, the judge's reading of verdicts, the
corpus's splits, manifest and resumable report (pure: no Docker)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sandbox import Outcome, Verdict
from sandbox import TestResult as Result
from solver.cli import app
from solver.synthesis.build import SynthReport
from solver.synthesis.corpus import (
    append_report,
    export_corpus,
    read_corpus_manifest,
    read_reports,
    split_of,
)
from solver.synthesis.detect import NotRunnable, detect_recipe
from solver.synthesis.judge import broken_tests, two_location_candidates
from solver.synthesis.mutate import combine, compiles, mutants_of

SETUP = """\
from setuptools import setup
setup(name="demo", extras_require={
    "tests": ["pytest"],
})
"""


def make(tree: Path, files: dict[str, str]) -> Path:
    for name, body in files.items():
        (tree / name).parent.mkdir(parents=True, exist_ok=True)
        (tree / name).write_text(body)
    return tree


def test_a_setup_py_project_installs_with_its_test_extra(tmp_path: Path) -> None:
    tree = make(tmp_path, {"setup.py": SETUP, "demo/__init__.py": "", "demo/core.py": "x = 1\n",
                           "tests/test_core.py": "def test_x(): pass\n", "docs/conf.py": ""})
    recipe = detect_recipe(tree, "demo", "1.0")
    assert recipe.install_cmd == "pip install -e '.[tests]'"
    assert recipe.test_paths == ["tests"]
    assert recipe.source_dirs == ["demo"]
    assert recipe.test_cmd == "python -m pytest"


def test_a_single_module_project_with_top_level_tests(tmp_path: Path) -> None:
    tree = make(tmp_path, {"setup.py": SETUP, "six.py": "x = 1\n", "test_six.py": "",
                           "conftest.py": ""})
    recipe = detect_recipe(tree, "six", "1.0")
    assert recipe.source_dirs == ["six.py"]
    assert recipe.test_paths == ["test_six.py"]


def test_pytest_testpaths_and_a_src_layout_without_install(tmp_path: Path) -> None:
    tree = make(tmp_path, {"src/pkg/__init__.py": "", "checks/test_a.py": "",
                           "pytest.ini": "[pytest]\ntestpaths = checks\n"})
    recipe = detect_recipe(tree, "pkg", "1.0")
    assert recipe.install_cmd == ""
    assert recipe.test_paths == ["checks"]
    assert recipe.source_dirs == ["src/pkg"]
    assert recipe.test_cmd == "python -m pytest -o pythonpath=src"


def test_overrides_win_field_by_field(tmp_path: Path) -> None:
    tree = make(tmp_path, {"setup.py": SETUP, "demo/__init__.py": "", "tests/test_a.py": ""})
    recipe = detect_recipe(tree, "demo", "1.0", {"install_cmd": "", "version": "9",
                                                 "test_paths": ["tests/test_a.py"]})
    assert (recipe.install_cmd, recipe.version, recipe.test_paths) == ("", "1.0",
                                                                       ["tests/test_a.py"])
    assert recipe.install_reason == "packages.toml"


def test_a_project_without_tests_is_not_runnable(tmp_path: Path) -> None:
    tree = make(tmp_path, {"setup.py": SETUP, "demo/__init__.py": ""})
    with pytest.raises(NotRunnable, match="no tests found"):
        detect_recipe(tree, "demo", "1.0")


KINDS_SOURCE = '''\
TABLE = {"a": 1}


def inside(x, lo, hi):
    if lo <= x and x < hi:
        return True
    return False


def count_down(n):
    while n > 0:
        n -= 1
    return n


def total(items):
    acc = 0
    for i in range(len(items)):
        acc += items[i]
    return acc
'''


@pytest.mark.parametrize(("family", "needle"), [
    ("swap-operands", "x <= lo and x < hi"),
    ("wrong-name", "if hi <= x"),
    ("negate-return", "return False\n    return False"),
    ("loop-condition", "while not (n > 0)"),
    ("loop-condition", "range(1, len(items))"),
    ("infinite-loop", "while n > 0:\n        pass"),
    ("module-level", 'TABLE = {"a": 2}'),
])
def test_kinds_of_real_bugs(tmp_path: Path, family: str, needle: str) -> None:
    make(tmp_path, {"m/__init__.py": "", "m/core.py": KINDS_SOURCE})
    sources = [m.source for m in mutants_of(tmp_path, ["m"], families=(family,))]
    assert any(needle in s for s in sources), sources


def test_two_locations_combine_two_functions_of_one_file(tmp_path: Path) -> None:
    make(tmp_path, {"m/__init__.py": "", "m/core.py": KINDS_SOURCE})
    mutants = mutants_of(tmp_path, ["m"], families=("operator",))
    a = next(m for m in mutants if m.function == "inside")
    b = next(m for m in mutants if m.function == "count_down")
    both = combine(a, b)
    assert both is not None
    assert both.family == "two-location"
    assert compiles(both.source, both.file)
    assert len(both.spans) == 2
    assert combine(a, a) is None
    assert two_location_candidates([a, b], seed=0)[0].source == both.source


def verdict(**outcomes: Outcome) -> Verdict:
    tests = {t.replace("__", "::"): Result(test_id=t.replace("__", "::"), outcome=o)
             for t, o in outcomes.items()}
    return Verdict(applied=True, tests=tests)


def test_broken_tests_reads_collection_errors_and_loops() -> None:
    wanted = ["t.py::a", "t.py::b"]
    assert broken_tests(verdict(**{"t.py__a": Outcome.FAILED}), wanted) is None
    assert broken_tests(verdict(**{"t.py__a": Outcome.FAILED}), wanted, complete=False) == [
        "t.py::a"]
    collection = Verdict(applied=True, tests={"t.py": Result(test_id="t.py",
                                                                 outcome=Outcome.ERROR)})
    assert broken_tests(collection, wanted) == wanted
    looped = verdict(**{"t.py__a": Outcome.TIMEOUT, "t.py__b": Outcome.PASSED})
    assert broken_tests(looped, wanted) == ["t.py::a"]


def test_splits_are_fixed_and_the_old_held_out_packages_stay_held_out() -> None:
    assert split_of("attrs", {}) == "heldout"
    assert split_of("toolz", {}) == "heldout"
    assert split_of("jinja2", {"jinja2": "dev"}) == "dev"
    assert split_of("jinja2", {}) == split_of("jinja2", {})
    names = [f"pkg{i}" for i in range(200)]
    held = sum(split_of(n, {}) == "heldout" for n in names)
    assert 25 < held < 75


def test_report_lines_resume_and_export_keeps_splits(tmp_path: Path) -> None:
    task = {"instance_id": "demo-1.0-1", "repo": "pypi:demo==1.0", "base_commit": "abc",
            "path": "repos/demo-1.0", "patch": "", "FAIL_TO_PASS": ["t.py::a"],
            "bug_class": "operator"}
    (tmp_path / "demo.jsonl").write_text(json.dumps(task) + "\n")
    report = SynthReport(package="demo", version="1.0", spec="demo", sha256="ab" * 32,
                         kept=1, out_file=str(tmp_path / "demo.jsonl"),
                         kinds={"operator": 1}, install_cmd="pip install -e .")
    append_report(tmp_path, report)
    append_report(tmp_path, SynthReport(package="x", spec="x", status="skipped", reason="why"))
    assert set(read_reports(tmp_path)) == {"demo", "x"}
    corpus = tmp_path / "corpus"
    assert export_corpus([report], corpus) == 1
    exported = json.loads((corpus / "demo.jsonl").read_text())
    assert "path" not in exported
    assert exported["base_commit"] == ""
    (entry,) = read_corpus_manifest(corpus)
    assert (entry["version"], entry["sha256"], entry["kinds"]) == ("1.0", "ab" * 32,
                                                                   {"operator": 1})
    flipped = "dev" if entry["split"] == "heldout" else "heldout"
    manifest = corpus / "manifest.toml"
    manifest.write_text(manifest.read_text().replace(f'split = "{entry["split"]}"',
                                                     f'split = "{flipped}"'))
    export_corpus([report], corpus)
    assert read_corpus_manifest(corpus)[0]["split"] == flipped


def test_cli_says_what_is_wrong_in_one_line() -> None:
    runner = CliRunner()
    done = runner.invoke(app, ["tasks", "synth", "--json"])
    assert done.exit_code == 2
    assert "nothing to do" in json.loads(done.stdout)["error"]
    done = runner.invoke(app, ["tasks", "synth", "--rebuild", "/nonexistent", "--json"])
    assert done.exit_code == 2
    assert "no manifest.toml" in done.stdout


def test_a_local_checkout_and_a_git_url_become_pristine_repos(tmp_path: Path) -> None:
    import subprocess

    from solver.synthesis.repo import git
    from solver.synthesis.source import prepare_source

    project = make(tmp_path / "proj", {"proj/__init__.py": "", "tests/test_a.py": "",
                                       ".venv/junk.py": ""})
    local = prepare_source(str(project), tmp_path / "repos")
    assert (local.package, local.version, local.origin) == ("proj", "local", "local")
    assert not (local.repo / ".venv").exists()
    assert git(local.repo, "rev-parse", "pristine")
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    subprocess.run(["git", "add", "-A"], cwd=project, check=True)
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x"],
                   cwd=project, check=True)
    cloned = prepare_source(f"file://{project}", tmp_path / "repos")
    assert cloned.origin == "git"
    assert len(cloned.version) == 12
    assert (cloned.repo / "proj" / "__init__.py").is_file()


def test_test_modules_the_suite_cannot_import_become_requirements() -> None:
    from solver.synthesis.build import with_missing_modules
    from solver.synthesis.recipes import Recipe

    recipe = Recipe(package="p", version="1", requirements=["six"])
    better = with_missing_modules(recipe, ["yaml", "hypothesis.strategies", "six"])
    assert better is not None
    assert better.requirements == ["six", "pyyaml", "hypothesis"]
    assert with_missing_modules(better, ["six"]) is None


def test_tox_style_lines_in_a_dependency_group_are_left_out(tmp_path: Path) -> None:
    from sandbox.install import detect_install

    make(tmp_path, {"pyproject.toml": '[project]\nname = "p"\n[dependency-groups]\n'
                                      'test = ["unit: pytest", "hypothesis>=6"]\n'})
    assert detect_install(tmp_path).command == "pip install 'hypothesis>=6' && pip install -e ."
    make(tmp_path, {"pyproject.toml": '[project]\nname = "p"\n',
                    "tox.ini": "[testenv]\ndeps =\n    unit: pytest\n    pretend\n"})
    assert detect_install(tmp_path).command == "pip install pretend && pip install -e ."


def test_rebuild_makes_the_trees_again_by_hash_one_folder_per_split(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    import tarfile

    from solver.synthesis.corpus import rebuild_corpus, write_manifest
    from solver.synthesis.repo import git
    from solver.synthesis.sdist import sha256_file
    from tasks.diffs import render_file_diff
    from tasks.load import load_tasks

    cache = tmp_path / "cache"
    monkeypatch.setenv("SOLVER_CACHE", str(cache))
    project = make(tmp_path / "demo-1.0", {"demo/__init__.py": "", "demo/core.py": "x = 1\n",
                                           "tests/test_core.py": "def test_x(): pass\n"})
    (cache / "sdists").mkdir(parents=True)
    sdist = cache / "sdists" / "demo-1.0.tar.gz"
    with tarfile.open(sdist, "w:gz") as tar:
        tar.add(project, arcname="demo-1.0")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    record = {"instance_id": "demo-1.0-1", "repo": "pypi:demo==1.0", "base_commit": "",
              "patch": render_file_diff("demo/core.py", "x = 2\n", "x = 1\n"),
              "problem_statement": "x", "FAIL_TO_PASS": ["tests/test_core.py::test_x"],
              "bug_class": "shift-bound"}
    (corpus / "demo.jsonl").write_text(json.dumps(record) + "\n")
    entry = {"package": "demo", "version": "1.0", "sha256": sha256_file(sdist),
             "split": "heldout", "tasks": 1, "install_cmd": "", "kinds": {"shift-bound": 1}}
    write_manifest(corpus, [entry])
    counts = rebuild_corpus(corpus, tmp_path / "out", lambda _: None)
    assert counts == {"dev": 0, "heldout": 1}
    (task,) = load_tasks(tmp_path / "out" / "heldout").tasks
    assert task.path is not None
    assert git(task.path, "show", f"{task.base_commit}:demo/core.py") == "x = 2"
    write_manifest(corpus, [{**entry, "sha256": "0" * 64}])
    with pytest.raises(ValueError, match="sha256 differs"):
        rebuild_corpus(corpus, tmp_path / "again", lambda _: None)


def test_test_requirement_files_win_over_dev_ones_and_python_variants(tmp_path: Path) -> None:
    from sandbox.install import detect_install

    make(tmp_path, {"pyproject.toml": '[project]\nname = "p"\n',
                    "requirements/dev.txt": "tox==1\n", "requirements/tests.txt": "pytest\n",
                    "requirements/tests37.txt": "pytest==6\n", "requirements/docs.txt": ""})
    assert detect_install(tmp_path).command == ("pip install -r requirements/tests.txt && "
                                                "pip install -e .")
