import pytest

from sandbox.diffcheck import PatchRejected, check_changes, check_patch, read_paths
from tasks.model import Task
from tasks.model import test_files_of as protected_files_of


def diff_for(path: str, extra_header: str = "") -> str:
    return (f"diff --git a/{path} b/{path}\n{extra_header}--- a/{path}\n+++ b/{path}\n"
            "@@ -1 +1 @@\n-a\n+b\n")


def test_plain_source_patch_passes():
    check_patch(diff_for("pkg/core.py"))


@pytest.mark.parametrize(
    ("path", "why"),
    [
        ("../outside.py", "leaves the repository"),
        ("pkg/../../x.py", "leaves the repository"),
        ("/etc/passwd", "absolute"),
        (".git/config", "inside .git"),
        ("pkg/.git/hooks/pre-commit", "inside .git"),
        ("tests/test_core.py", "tests"),
        ("pkg/test_core.py", "tests"),
        ("conftest.py", "tests"),
        ("pkg/conftest.py", "tests"),
        ("pytest.ini", "tests"),
        ("setup.cfg", "tests"),
        ("pyproject.toml", "tests"),
        ("tox.ini", "tests"),
        ("sitecustomize.py", "tests"),
        ("evil.pth", "tests"),
    ],
)
def test_forbidden_paths_are_rejected(path: str, why: str):
    with pytest.raises(PatchRejected, match=why):
        check_patch(diff_for(path))


def test_symlink_creation_is_rejected():
    diff = ("diff --git a/link b/link\nnew file mode 120000\n--- /dev/null\n+++ b/link\n"
            "@@ -0,0 +1 @@\n+/etc/passwd\n\\ No newline at end of file\n")
    with pytest.raises(PatchRejected, match="symlink"):
        check_patch(diff)


def test_rename_target_is_checked():
    diff = ("diff --git a/pkg/a.py b/tests/a.py\nsimilarity index 100%\n"
            "rename from pkg/a.py\nrename to tests/a.py\n")
    with pytest.raises(PatchRejected, match="tests"):
        check_patch(diff)


def test_task_specific_protected_file():
    with pytest.raises(PatchRejected):
        check_patch(diff_for("pkg/fixtures.py"), frozenset({"pkg/fixtures.py"}))


def test_not_a_diff():
    with pytest.raises(PatchRejected, match="not a unified diff"):
        check_patch("please fix the bug")


def test_paths_are_read_from_all_headers():
    found = read_paths(diff_for("a.py") + diff_for("b/c.py"))
    assert found.paths == ("a.py", "b/c.py")


@pytest.mark.parametrize("name", ["pytest.toml", ".pytest.toml", ".pytest.ini", ".coveragerc"])
def test_every_pytest_configuration_file_is_protected(name: str):
    with pytest.raises(PatchRejected, match="configuration"):
        check_patch(diff_for(name))


@pytest.mark.parametrize(
    ("diff", "why"),
    [
        ("diff --git a/tests/t.py b/tests/t.py\n---  a/tests/t.py\n+++  b/tests/t.py\n"
         "@@ -1 +1 @@\n-a\n+b\n", "tests"),
        ("diff --git a/pkg/a.py b/conftest.py\nsimilarity index 100%\n"
         "rename old pkg/a.py\nrename new conftest.py\n", "tests"),
        ("diff --git a/l b/l\nnew file mode  120000\n--- /dev/null\n+++ b/l\n@@ -0,0 +1 @@\n"
         "+/opt/pristine\n\\ No newline at end of file\n", "symlink"),
        ("diff --git a/pkg/a.py b/pkg/a.py\nold mode 100644\nnew mode 120000\n", "symlink"),
        ('diff --git "a/t\\145sts/t.py" "b/t\\145sts/t.py"\n--- "a/t\\145sts/t.py"\n'
         '+++ "b/t\\145sts/t.py"\n@@ -1 +1 @@\n-a\n+b\n', "tests"),
    ],
    ids=["two-spaces", "rename-old-new", "mode-two-spaces", "mode-change", "octal-quoted"],
)
def test_headers_are_read_as_git_reads_them(diff: str, why: str):
    with pytest.raises(PatchRejected, match=why):
        check_patch(diff)


def test_the_effect_is_judged_by_the_same_policy():
    check_changes([["M", "100644", "100644", "pkg/core.py"], ["A", "000000", "100755", "x.sh"]])
    for row, why in ((["A", "000000", "120000", "pkg/link"], "symlink"),
                     (["A", "000000", "160000", "sub"], "submodule"),
                     (["D", "100644", "000000", "tests/test_a.py"], "tests"),
                     (["A", "000000", "100644", ".pytest.ini"], "configuration")):
        with pytest.raises(PatchRejected, match=why):
            check_changes([row])
    with pytest.raises(PatchRejected, match="shadow"):
        check_changes([], shadows=["json.py: shadows the installed module 'json'"])


def test_doctests_of_a_module_leave_it_patchable_and_its_tests_protected():
    """`--doctest-modules` (inflect's pytest.ini) names library modules in test ids: those
    stay patchable, while the files of ordinary test ids are protected."""
    task = Task(instance_id="t", FAIL_TO_PASS=["tests/test_pwd.py::Test::test_numwords"],
                PASS_TO_PASS=["inflect/__init__.py::inflect", "inflect/__init__.py::inflect.engine",
                              "src/humanize/number.py::humanize.number.ordinal",
                              "checks/run.py::test_run[a.b]", "checks/suite.py::Suite::test_x",
                              "docs/index.rst::index.rst"])
    protected = protected_files_of(task)
    assert protected == {"tests/test_pwd.py", "checks/run.py", "checks/suite.py",
                         "docs/index.rst"}
    check_patch(diff_for("inflect/__init__.py"), protected)
    check_patch(diff_for("src/humanize/number.py"), protected)
    with pytest.raises(PatchRejected, match="tests"):
        check_patch(diff_for("checks/run.py"), protected)
