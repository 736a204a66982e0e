"""Loading tasks (JSONL, SWE-bench JSON, task folders, folders of those); `solver tasks list`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from solver.cli.tasks import app
from tasks.load import TaskError, TaskLoadError, load_task, load_tasks

SWEBENCH_DEV = Path(__file__).parents[2] / "shared" / "swebench" / "swe-bench-lite.dev.json"


def _record(instance_id: str, **fields: object) -> dict[str, object]:
    return {"instance_id": instance_id, "repo": "acme/widgets", "base_commit": "abc123", **fields}


def _write_jsonl(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def mixed_jsonl(tmp_path: Path) -> Path:
    """Lines: 1 good, 2 not JSON, 3 blank, 4 no instance_id, 5 FAIL_TO_PASS an int, 6 good."""
    return _write_jsonl(
        tmp_path / "tasks.jsonl",
        [
            json.dumps(_record("good-1", FAIL_TO_PASS='["t::a"]', PASS_TO_PASS=["t::b"])),
            '{"instance_id": "broken", ',
            "",
            json.dumps({"repo": "acme/widgets", "FAIL_TO_PASS": ["t::a"]}),
            json.dumps(_record("bad-type", FAIL_TO_PASS=42)),
            json.dumps(_record("good-2", FAIL_TO_PASS=["t::c", "t::d"])),
        ],
    )


def _task_folder(root: Path, slug: str, **fields: object) -> Path:
    folder = root / slug
    (folder / "repo" / "pkg").mkdir(parents=True)
    (folder / "repo" / "pkg" / "__init__.py").write_text("VALUE = 1\n")
    record = {
        "instance_id": slug,
        "problem_statement": "VALUE is off by one",
        "FAIL_TO_PASS": ["tests/test_v.py::test_value"],
        "PASS_TO_PASS": [],
        "hidden_tests": ["tests/test_hidden.py::test_more"],
        "test_cmd": "python -m pytest -q",
        "bug_class": "off-by-one",
        "locations": 2,
        **fields,
    }
    (folder / "task.json").write_text(json.dumps(record, indent=2))
    (folder / "gold.patch").write_text("--- a/pkg/__init__.py\n+++ b/pkg/__init__.py\n")
    (folder / "hidden.patch").write_text("--- /dev/null\n+++ b/tests/test_hidden.py\n")
    return folder


def test_jsonl_good_lines_load_and_each_bad_line_is_one_error(mixed_jsonl: Path) -> None:
    result = load_tasks(mixed_jsonl)

    assert [task.instance_id for task in result.tasks] == ["good-1", "good-2"]
    assert result.tasks[0].fail_to_pass == ["t::a"]
    assert result.tasks[1].fail_to_pass == ["t::c", "t::d"]
    assert [(error.line, error.field) for error in result.errors] == [
        (2, None),
        (4, "instance_id"),
        (5, "FAIL_TO_PASS"),
    ]
    assert all(error.file == mixed_jsonl for error in result.errors)
    assert "not JSON" in result.errors[0].message
    assert "missing" in result.errors[1].message
    assert "valid list" in result.errors[2].message


def test_task_error_reads_file_line_field_message(mixed_jsonl: Path) -> None:
    error = load_tasks(mixed_jsonl).errors[2]

    assert str(error).startswith(f"{mixed_jsonl}:5: FAIL_TO_PASS: ")
    bare = TaskError(file=Path("t.json"), message="unreadable")
    assert str(bare) == "t.json: unreadable"


def test_jsonl_test_id_of_wrong_type_names_the_list_element(tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "t.jsonl", [json.dumps(_record("x", PASS_TO_PASS=["ok", 3]))])

    (error,) = load_tasks(path).errors

    assert (error.line, error.field) == (1, "PASS_TO_PASS.1")


def test_swebench_dev_split_loads_with_list_test_ids() -> None:
    result = load_tasks(SWEBENCH_DEV)

    assert result.errors == []
    assert len(result.tasks) == 23
    for task in result.tasks:
        assert isinstance(task.fail_to_pass, list)
        assert task.fail_to_pass
        assert all(isinstance(test_id, str) for test_id in task.fail_to_pass)
        assert isinstance(task.pass_to_pass, list)
        assert task.repo
        assert task.base_commit


def test_json_list_errors_name_item_line_and_field(tmp_path: Path) -> None:
    items = [_record("a"), _record("b", FAIL_TO_PASS={"not": "a list"}), _record("c")]
    path = tmp_path / "tasks.json"
    path.write_text(json.dumps(items, indent=2))

    result = load_tasks(path)

    assert [task.instance_id for task in result.tasks] == ["a", "c"]
    (error,) = result.errors
    assert (error.item, error.field) == (2, "FAIL_TO_PASS")
    lines = path.read_text().splitlines()
    assert error.line is not None
    assert '"FAIL_TO_PASS"' in lines[error.line - 1]
    assert "item 2" in str(error)


def test_json_single_object_and_malformed_json(tmp_path: Path) -> None:
    single = tmp_path / "one.json"
    single.write_text(json.dumps(_record("only", FAIL_TO_PASS='["t::x"]')))
    broken = tmp_path / "broken.json"
    broken.write_text('[\n {"instance_id": "a"},\n {"instance_id": \n]\n')

    assert [task.fail_to_pass for task in load_tasks(single).tasks] == [["t::x"]]
    result = load_tasks(broken)
    assert result.tasks == []
    assert [(error.file, error.line) for error in result.errors] == [(broken, 4)]


def test_task_folder_reads_repo_and_patches(tmp_path: Path) -> None:
    folder = _task_folder(tmp_path, "off-by-one-1")

    (task,) = load_tasks(folder).tasks

    assert task.path == folder / "repo"
    assert task.patch.startswith("--- a/pkg/__init__.py")
    assert task.hidden_tests_patch.startswith("--- /dev/null")
    assert task.hidden_tests == ["tests/test_hidden.py::test_more"]
    assert task.test_cmd == "python -m pytest -q"
    assert (task.bug_class, task.locations) == ("off-by-one", 2)


def test_task_folder_relative_path_resolves_against_the_folder(tmp_path: Path) -> None:
    folder = _task_folder(tmp_path, "custom", path="repo/pkg")

    (task,) = load_tasks(folder).tasks

    assert task.path == folder / "repo" / "pkg"


def test_task_folder_given_relatively_yields_an_absolute_repo_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _task_folder(tmp_path / "bundled", "rel")
    monkeypatch.chdir(tmp_path)

    (task,) = load_tasks(Path("bundled")).tasks

    assert task.path == tmp_path / "bundled" / "rel" / "repo"
    assert task.path.is_dir()


def test_folder_finds_nested_task_folders_and_task_files(tmp_path: Path, mixed_jsonl: Path) -> None:
    _task_folder(tmp_path / "bundled", "b-task")
    _task_folder(tmp_path, "a-task")
    (tmp_path / "swe.json").write_text(json.dumps([_record("swe-1")]))
    (tmp_path / "notes.txt").write_text("not a task")

    result = load_tasks(tmp_path)

    ids = [task.instance_id for task in result.tasks]
    assert ids == ["a-task", "b-task", "swe-1", "good-1", "good-2"]
    assert len(result.errors) == 3


def test_duplicate_instance_id_keeps_the_first_and_names_both(tmp_path: Path) -> None:
    first = _write_jsonl(tmp_path / "a.jsonl", [json.dumps(_record("dup", version="1"))])
    second = _write_jsonl(
        tmp_path / "b.jsonl", [json.dumps(_record("other")), json.dumps(_record("dup"))]
    )

    result = load_tasks(tmp_path)

    assert [(task.instance_id, task.version) for task in result.tasks] == [
        ("dup", "1"),
        ("other", ""),
    ]
    (error,) = result.errors
    assert (error.file, error.line, error.field) == (second, 2, "instance_id")
    assert f"{first}:1" in error.message


def test_missing_path_and_empty_folder_are_errors(tmp_path: Path) -> None:
    assert load_tasks(tmp_path / "nope.jsonl").errors[0].message == "no such file or folder"
    assert "no tasks here" in load_tasks(tmp_path).errors[0].message


def test_load_task_picks_one(tmp_path: Path, mixed_jsonl: Path) -> None:
    assert load_task(mixed_jsonl, "good-2").fail_to_pass == ["t::c", "t::d"]
    single = _write_jsonl(tmp_path / "one.jsonl", [json.dumps(_record("solo"))])
    assert load_task(single).instance_id == "solo"


def test_load_task_errors_say_what_is_there(tmp_path: Path, mixed_jsonl: Path) -> None:
    with pytest.raises(TaskLoadError, match="2 tasks, choose one by instance_id: good-1, good-2"):
        load_task(mixed_jsonl)
    with pytest.raises(TaskLoadError, match="no task 'bad-type'") as caught:
        load_task(mixed_jsonl, "bad-type")
    assert len(caught.value.errors) == 3
    with pytest.raises(TaskLoadError, match="no task loaded"):
        load_task(tmp_path / "missing.jsonl")


def test_cli_list_json_prints_tasks_and_errors_apart(mixed_jsonl: Path) -> None:
    result = CliRunner().invoke(app, ["list", str(mixed_jsonl), "--json"])

    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert [row["instance_id"] for row in rows] == ["good-1", "good-2"]
    for key in ("repo", "base_commit", "FAIL_TO_PASS", "PASS_TO_PASS", "version"):
        assert key in rows[0]
    assert rows[0]["FAIL_TO_PASS"] == ["t::a"]
    assert "patch" not in rows[0]
    assert "hidden_tests_patch" not in rows[0]
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 3
    assert errors[1].startswith(f"{mixed_jsonl}:4: instance_id:")


def test_cli_list_table(tmp_path: Path) -> None:
    _task_folder(tmp_path, "off-by-one-1")

    result = CliRunner().invoke(app, ["list", str(tmp_path)])

    assert result.exit_code == 0
    assert "off-by-one-1" in result.stdout
    assert "VALUE is off by one" in result.stdout
    assert result.stderr == ""


def test_cli_list_exit_codes(tmp_path: Path) -> None:
    bad = _write_jsonl(tmp_path / "bad.jsonl", ["not json"])

    missing = CliRunner().invoke(app, ["list", str(tmp_path / "missing.jsonl")])
    only_errors = CliRunner().invoke(app, ["list", str(bad), "--json"])

    assert missing.exit_code == 2
    assert "no such file or folder" in missing.stderr
    assert only_errors.exit_code == 1
    assert json.loads(only_errors.stdout) == []
    assert f"{bad}:1: not JSON" in only_errors.stderr
