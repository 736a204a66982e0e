"""SWE-bench specs as data: loading the harness's tables, mapping a spec to a recipe, versions,
requirements read from a mirror, and which tasks take this path. No Docker, no network."""

from __future__ import annotations

from pathlib import Path

import git
import pytest

from sandbox.network import INTERNAL_NETWORK
from sandbox.swebench_build import scm_from_describe, scm_version
from sandbox.swebench_env import (
    ENSURE_PYTEST,
    FALLBACK_PYTHON,
    SpecError,
    SpecTables,
    bare_names,
    base_python,
    clean_requirements,
    is_swebench,
    load_tables,
    network_for,
    node_ids_of,
    read_requirements,
    recipe_for,
    spec_for,
)
from tasks.diffs import render_file_diff
from tasks.model import Task
from tasks.source import RepoSource

AUTHOR = git.Actor("Test", "test@example.com")
CONSTANTS = '''
TEST_PYTEST = "pytest -rA"
SPECS_WIDGETS = {
    "1.0": {"python": "3.9", "install": "python -m pip install -e .", "test_cmd": TEST_PYTEST,
            "pip_packages": ["attrs==23.1.0"], "pre_install": ["sed -i 's/a/b/' setup.cfg"]},
    "2.0": {"python": "3.9", "packages": "requirements.txt", "install": "pip install -e .",
            "test_cmd": TEST_PYTEST},
}
MAP_REPO_VERSION_TO_SPECS_PY = {"acme/widgets": SPECS_WIDGETS}
MAP_REPO_TO_REQS_PATHS = {"acme/widgets": ["requirements_dev.txt"]}
'''
TEST_SPEC = (
    'import requests\nREPLACE_REQ_PACKAGES = [("types-pkg_resources", "types-setuptools")]\n'
)


@pytest.fixture
def tables(tmp_path: Path) -> SpecTables:
    """A stand-in for swebench's harness/constants/python.py and test_spec/python.py."""
    (tmp_path / "constants").mkdir()
    (tmp_path / "test_spec").mkdir()
    (tmp_path / "constants" / "python.py").write_text(CONSTANTS)
    (tmp_path / "test_spec" / "python.py").write_text(TEST_SPEC)
    return load_tables(tmp_path / "constants" / "python.py")


def task(version: str = "1.0", **extra: object) -> Task:
    return Task(instance_id=f"acme__widgets-{version}", repo="acme/widgets", version=version,
                base_commit="abc", **extra)


def test_tables_are_read_as_data_without_importing_the_package(tables: SpecTables) -> None:
    assert set(tables.specs["acme/widgets"]) == {"1.0", "2.0"}
    assert tables.reqs_paths["acme/widgets"] == ["requirements_dev.txt"]
    # read as a literal from a module that imports `requests`, which is never run
    assert list(tables.replace_packages) == [("types-pkg_resources", "types-setuptools")]


def test_spec_for_names_what_is_missing(tables: SpecTables) -> None:
    assert spec_for(task("1.0"), tables)["python"] == "3.9"
    with pytest.raises(SpecError, match="known: 1.0, 2.0"):
        spec_for(task("9.9"), tables)
    with pytest.raises(SpecError, match="no specs for repo"):
        spec_for(Task(instance_id="x", repo="other/repo", version="1.0"), tables)


def test_recipe_keeps_pins_pre_install_install_and_the_pytest_command(
    tables: SpecTables,
) -> None:
    recipe = recipe_for(task("1.0"), spec_for(task("1.0"), tables))
    assert recipe.python == "3.9"
    assert recipe.pip_packages == ("attrs==23.1.0",)
    assert recipe.pre_install == ("sed -i 's/a/b/' setup.cfg",)
    assert recipe.install.splitlines() == ["python -m pip install -e .", ENSURE_PYTEST]
    assert recipe.test_cmd == ("pytest", "-rA")
    assert recipe.requirements == ()


def test_recipe_takes_the_requirements_file_as_the_harness_cleans_it(
    tables: SpecTables,
) -> None:
    text = "# lint\nflake8\n-e .\ntypes-pkg_resources==0.1\n\npytest>=6\n"
    recipe = recipe_for(task("2.0"), spec_for(task("2.0"), tables), text, tables.replace_packages)
    assert recipe.requirements == ("flake8", "types-setuptools", "pytest>=6")


def test_recipes_refuse_conda_envs_and_runners_other_than_pytest() -> None:
    with pytest.raises(SpecError, match="conda"):
        recipe_for(task(), {"python": "3.9", "packages": "environment.yml"})
    with pytest.raises(SpecError, match="not pytest"):
        recipe_for(task(), {"python": "3.9", "test_cmd": "./tests/runtests.py --verbosity 2"})


def test_an_environment_yml_the_harness_leaves_unused_gives_the_pip_packages_only() -> None:
    spec = {"python": "3.10", "packages": "environment.yml", "no_use_env": True,
            "pip_packages": ["numpy==1.23.0"], "install": "python -m pip install -e ."}
    recipe = recipe_for(task(), spec)
    assert (recipe.requirements, recipe.pip_packages) == ((), ("numpy==1.23.0",))
    assert recipe.python == FALLBACK_PYTHON
    assert any("3.10" in note for note in recipe.notes)


def test_sympys_bin_test_runs_as_pytest() -> None:
    recipe = recipe_for(task(), {"python": "3.9", "test_cmd":
                                 "PYTHONWARNINGS=ignore::UserWarning bin/test -C --verbose"})
    assert recipe.test_cmd == ("python", "-m", "pytest", "-rA")
    assert any("bin/test" in note for note in recipe.notes)


def test_sphinxs_tox_env_runs_as_pytest() -> None:
    recipe = recipe_for(task(), {"python": "3.9", "test_cmd": "tox --current-env -epy39 -v --"})
    assert recipe.test_cmd == ("python", "-X", "dev", "-m", "pytest", "-rA")
    assert any("tox" in note for note in recipe.notes)


def test_old_pythons_fall_back_to_the_oldest_offline_base() -> None:
    assert base_python("3.11") == ("3.11", "")
    for wanted in ("3.7", "3.10"):
        python, note = base_python(wanted)
        assert python == FALLBACK_PYTHON
        assert wanted in note
    with pytest.raises(SpecError, match="offline bases"):
        base_python("2.7")


def test_clean_requirements_drops_a_package_replaced_by_none() -> None:
    assert clean_requirements("a==1\nb\n.[test]\n", [("a", None)]) == ["b"]


def test_clean_requirements_cuts_inline_comments() -> None:
    text = "astroid==2.12.13  # Pinned to a specific version for tests\n# whole line\nx>1\n"
    assert clean_requirements(text, []) == ["astroid==2.12.13", "x>1"]


@pytest.mark.parametrize(("described", "version"), [
    ("4.4.2-6-g4ccaa987d", "4.4.3.dev6+g4ccaa987d"),
    ("5.4.1-0-gabcdef0", "5.4.1"),
    ("v1.2-3-gabcdef0", "1.3.dev3+gabcdef0"),
    ("not-a-describe", ""),
])
def test_scm_version_from_git_describe(described: str, version: str) -> None:
    assert scm_from_describe(described) == version


def _repo_with(tmp_path: Path, files: dict[str, str]) -> tuple[RepoSource, str]:
    """A checkout with `files` in a commit tagged 2.1.0 and one more commit (returned)."""
    with git.Repo.init(tmp_path / "repo") as repo:
        for name, text in files.items():
            (tmp_path / "repo" / name).write_text(text)
        repo.index.add(list(files))
        repo.index.commit("one", author=AUTHOR, committer=AUTHOR)
        repo.create_tag("2.1.0")
        (tmp_path / "repo" / "more.txt").write_text("x\n")
        repo.index.add(["more.txt"])
        head = repo.index.commit("two", author=AUTHOR, committer=AUTHOR).hexsha
    return RepoSource(kind="git", location=str(tmp_path / "repo")), head


def test_requirements_are_read_at_a_commit_with_nested_files_inlined(tmp_path: Path) -> None:
    source, commit = _repo_with(tmp_path, {
        "requirements_dev.txt": "-r requirements.txt\npytest\n",
        "requirements.txt": "click>=7\n",
    })
    text = read_requirements(source, commit, ["missing.txt", "requirements_dev.txt"])
    assert clean_requirements(text, []) == ["click>=7", "pytest"]
    with pytest.raises(SpecError, match="none of"):
        read_requirements(source, commit, ["nope.txt"])


def test_tests_named_by_function_alone_map_to_the_test_patchs_files(tmp_path: Path) -> None:
    source, commit = _repo_with(tmp_path, {"test_old.py": "def test_kept():\n    pass\n"})
    patch = (render_file_diff("test_old.py", "def test_kept():\n    pass\n",
                              "def test_kept():\n    pass\n\n\ndef test_issue_1():\n    pass\n")
             + render_file_diff("test_new.py", None, "def test_new_one():\n    pass\n"))
    bare = Task(instance_id="sympy__sympy-1", repo="sympy/sympy", base_commit=commit,
                test_patch=patch, FAIL_TO_PASS=["test_issue_1"], PASS_TO_PASS=["test_kept"])
    assert bare_names(bare)
    assert not bare_names(bare.model_copy(update={"fail_to_pass": ["t.py::test_x"],
                                                  "pass_to_pass": []}))
    assert node_ids_of(source, bare) == {"test_kept": "test_old.py::test_kept",
                                         "test_issue_1": "test_old.py::test_issue_1",
                                         "test_new_one": "test_new.py::test_new_one"}


def test_scm_version_of_a_mirror_commit(tmp_path: Path) -> None:
    source, commit = _repo_with(tmp_path, {"a.txt": "a\n"})
    assert scm_version(source, commit, "2.1") == f"2.1.1.dev1+g{commit[:7]}"
    assert scm_version(RepoSource(kind="folder", location="."), commit, "2.1") == "2.1.0"


def test_only_published_instances_take_the_swebench_path() -> None:
    assert is_swebench(task())
    assert not is_swebench(Task(instance_id="local", path=Path(), version="1.0"))
    assert not is_swebench(Task(instance_id="bundled", repo="acme/widgets"))


def test_network_only_for_repos_whose_tests_need_one() -> None:
    assert network_for(task()) == "none"
    assert network_for(Task(instance_id="r", repo="psf/requests", version="2.0")) == (
        INTERNAL_NETWORK)


def test_the_real_tables_know_the_lite_repos() -> None:
    """Needs swebench's spec tables (the `swebench` extra the README's test command installs)."""
    real = load_tables()
    pytest_spec = real.specs["pytest-dev/pytest"]["5.4"]
    assert pytest_spec["python"] == "3.9"
    assert "pytest" in pytest_spec["test_cmd"]
    assert real.specs["sqlfluff/sqlfluff"]["0.6"]["packages"] == "requirements.txt"
    assert "pip install -e" in real.specs["marshmallow-code/marshmallow"]["3.0"]["install"]


def test_sphinx_gets_docutils_as_pypi_had_it_when_swebench_built_its_images() -> None:
    sphinx = Task(instance_id="sphinx-doc__sphinx-1", repo="sphinx-doc/sphinx", version="3.5",
                  base_commit="abc", FAIL_TO_PASS=["tests/test_x.py::test_y"])
    recipe = recipe_for(sphinx, {"python": "3.9", "pip_packages": ["tox==4.16.0"],
                                 "test_cmd": "tox --current-env -epy39 -v --"})
    assert recipe.pip_packages == ("tox==4.16.0", "docutils<0.22")
    assert any("docutils<0.22" in note for note in recipe.notes)
