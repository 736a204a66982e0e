"""Install detection: what a developer would run, read from the checkout's files."""

from pathlib import Path

import pytest

from sandbox.install import detect_install
from solver.jobs.ci import CiError, Output, plan_ci, pytest_command


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_pyproject_with_a_test_extra(tmp_path: Path):
    write(tmp_path, {"pyproject.toml": "[project]\nname='x'\n"
                     "[project.optional-dependencies]\ntest=['hypothesis']\ndocs=['sphinx']\n"})
    plan = detect_install(tmp_path)
    assert plan.command == "pip install -e '.[test]'"
    assert "extra [test]" in plan.reason
    assert plan.files == ("pyproject.toml",)


def test_dependency_group_is_expanded_for_old_pips(tmp_path: Path):
    write(tmp_path, {"pyproject.toml": "[project]\nname='x'\n[dependency-groups]\n"
                     "lint=['ruff']\ntest=['freezegun', {include-group='lint'}]\n"})
    assert detect_install(tmp_path).command == "pip install freezegun ruff && pip install -e ."


def test_setup_py_extras_and_requirement_files(tmp_path: Path):
    write(tmp_path, {"setup.py": "setup(name='x', extras_require={\n    'tests': ['mock'],\n})\n",
                     "requirements.txt": "six\n", "requirements-docs.txt": "sphinx\n",
                     "constraints.txt": "six<2\n"})
    plan = detect_install(tmp_path)
    assert plan.command == ("pip install -c constraints.txt -r requirements.txt && "
                            "pip install -e '.[tests]'")
    assert set(plan.files) == {"setup.py", "constraints.txt", "requirements.txt"}


def test_tox_deps_are_a_hint_when_nothing_names_test_deps(tmp_path: Path):
    write(tmp_path, {"setup.cfg": "[metadata]\nname = x\n", "setup.py": "setup()\n",
                     "tox.ini": "[testenv]\ndeps =\n    pytest>=7\n    freezegun\n"
                                "    -r{toxinidir}/dev.txt\ncommands = pytest\n"})
    assert detect_install(tmp_path).command == "pip install freezegun && pip install -e ."


def test_the_project_is_installed_after_pinned_requirements(tmp_path: Path):
    # Jinja2's own checkout: requirements/dev.txt pins Sphinx's Jinja2, which installed after the
    # editable install left the tests importing site-packages' copy (seen on jinja2 3.1.4).
    write(tmp_path, {"pyproject.toml": "[project]\nname='jinja2'\n",
                     "requirements/dev.txt": "-r docs.txt\n-r tests.txt\ntox==4.6.3\n",
                     "requirements/docs.txt": "sphinx==7.0.1\njinja2==3.1.2\n",
                     "requirements/tests.txt": "pytest==7.4.0\n"})
    plan = detect_install(tmp_path)
    assert plan.command == "pip install -r requirements/tests.txt && pip install -e ."
    assert "requirements/dev.txt" not in plan.files


def test_nothing_to_install(tmp_path: Path):
    write(tmp_path, {"calc.py": "X = 1\n", "setup.cfg": "[flake8]\n",
                     "pyproject.toml": "[tool.pytest.ini_options]\npythonpath = ['.']\n"})
    plan = detect_install(tmp_path)
    assert plan.command == ""
    assert "pytest only" in plan.reason


def test_unittest_runs_through_pytest_or_is_refused():
    assert pytest_command("python -m unittest -v")[0] == (
        "python -m pytest -v -o 'python_files=test*.py'")
    translated, note = pytest_command("python3 -m unittest discover -s tests -p '*_test.py'")
    assert translated == "python -m pytest -o 'python_files=*_test.py' tests"
    assert "runs as" in note
    for command in ("python -m unittest tests.test_x", "nosuchcmd", "python -m nosuchmodule",
                    "make test", ""):
        with pytest.raises(CiError) as refused:
            pytest_command(command)
        assert "\n" not in str(refused.value)


def test_branch_mode_is_refused_up_front_outside_a_git_repo(tmp_path: Path):
    with pytest.raises(CiError, match="not a git repository"):
        plan_ci(tmp_path, "python -m pytest", "none", Output.BRANCH)
