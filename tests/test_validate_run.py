"""`solver tasks validate` at scale: results.jsonl survives a kill, --resume skips what is done,
--retry-failed attempts failures again, the report groups by repository, bad input is one line
(and JSON with --json)."""

import asyncio
import json
from pathlib import Path

from typer.testing import CliRunner

from sandbox import Outcome, Verdict
from sandbox import TestResult as Result
from solver.cli import app
from solver.harness.jsonl import append_line
from solver.harness.validate import Validation, check_with
from solver.harness.validate_report import repo_table, write_report
from solver.harness.validate_run import RESULTS, read_validations, still_to_do
from tasks.model import Task


def _task(instance_id: str) -> Task:
    return Task(instance_id=instance_id, repo="o/n", base_commit="abc", FAIL_TO_PASS=["t::a"])


def _ok(instance_id: str, repo: str = "o/n", **extra: object) -> Validation:
    return Validation(instance_id=instance_id, repo=repo, base_fails=True, gold_passes=True,
                      **extra)


class PassingGold:
    """A pool whose base tree fails every test and whose gold patch passes every test."""

    async def verify(self, candidates, tests):
        outcome = Outcome.PASSED if candidates[0].id == "gold" else Outcome.FAILED
        return [Verdict(applied=True, exit_code=0, tests={
            t: Result(test_id=t, outcome=outcome) for t in tests})]


def test_ids_that_name_no_test_are_a_deviation_not_a_failure():
    """pytest-dev__pytest-5227's PASS_TO_PASS holds '[100%]' from SWE-bench's log parsing."""
    task = Task(instance_id="i", repo="o/n", base_commit="abc", FAIL_TO_PASS=["t.py::a"],
                PASS_TO_PASS=["t.py::b", "[100%]"], patch="diff")
    result = Validation(instance_id="i")
    asyncio.run(check_with(PassingGold(), task, result))  # type: ignore[arg-type]
    assert result.ok, result.problems
    assert "[100%]" in result.deviations[0]


HTTPS_REFUSED = ("requests.packages.urllib3.exceptions.ProtocolError: ('Connection aborted.', "
                 "ConnectionRefusedError(111, 'Connection refused'))\nself = "
                 "<requests.packages.urllib3.connectionpool.HTTPSConnectionPool object>")
"""How psf__requests-2148's test_pyopenssl_redirect fails against the stand-in (gold run)."""


class OfflineGold:
    """requests-2148 as it runs here: a test the record says fails on base passes there, and
    with the gold patch an HTTPS test is refused and another fails on its own."""

    async def verify(self, candidates, tests):
        def outcome(test: str) -> Result:
            if candidates[0].id == "base":
                return Result(test_id=test, outcome=Outcome.PASSED)
            if test.endswith("https"):
                return Result(test_id=test, outcome=Outcome.FAILED, message=HTTPS_REFUSED)
            failed = test.endswith("order")
            return Result(test_id=test, outcome=Outcome.FAILED if failed else Outcome.PASSED,
                          message="assert 200 == 401" if failed else "")
        return [Verdict(applied=True, exit_code=1, tests={t: outcome(t) for t in tests})]


def test_tests_that_need_the_internet_make_an_instance_not_runnable_with_the_reason():
    task = Task(instance_id="psf__requests-2148", repo="psf/requests", base_commit="abc",
                FAIL_TO_PASS=["t.py::test_head"], PASS_TO_PASS=["t.py::test_https",
                                                               "t.py::test_order"], patch="d")
    result = Validation(instance_id=task.instance_id, repo="psf/requests")
    asyncio.run(check_with(OfflineGold(), task, result))  # type: ignore[arg-type]
    assert result.status == "not_runnable"
    assert result.problems[0].startswith("not runnable here: 1 test(s)")
    assert "test_https: HTTPS (the stand-in serves plain HTTP)" in result.problems[0]
    assert any("pass on the base tree: t.py::test_head" in p for p in result.problems)
    rows = {row["repo"]: row for row in repo_table([result, _ok("psf__requests-3362",
                                                               repo="psf/requests")])}
    assert rows["psf/requests"]["not_runnable_why"] == [f"2148: {result.problems[0]}"]
    assert rows["psf/requests"]["failed_why"] == []


def test_a_failure_that_is_not_the_network_stays_failed():
    task = Task(instance_id="i", repo="o/n", base_commit="abc", FAIL_TO_PASS=["t.py::x"],
                PASS_TO_PASS=["t.py::test_order"], patch="d")
    result = Validation(instance_id="i")
    asyncio.run(check_with(OfflineGold(), task, result))  # type: ignore[arg-type]
    assert result.status == "failed"


class OrderDependent:
    """sphinx-8721 as it runs here: by id, the F2P test passes on the base tree (the test before
    it in its file, which leaves the build folder it reads, did not run); its file run whole
    gives what the record says."""

    async def verify(self, candidates, tests):
        gold = candidates[0].id == "gold"
        if tests == ["t.py"]:
            found = {"t.py::first": True, "t.py::f2p": gold, "t.py::p2p": True}
        else:
            found = dict.fromkeys(tests, True)
        return [Verdict(applied=True, exit_code=0, tests={t: Result(
            test_id=t, outcome=Outcome.PASSED if ok else Outcome.FAILED)
            for t, ok in found.items()})]


def test_an_instance_whose_tests_depend_on_their_file_validates_with_the_file_run_whole():
    task = Task(instance_id="i", repo="o/n", base_commit="abc", FAIL_TO_PASS=["t.py::f2p"],
                PASS_TO_PASS=["t.py::p2p"], patch="d")
    result = Validation(instance_id="i")
    asyncio.run(check_with(OrderDependent(), task, result))  # type: ignore[arg-type]
    assert result.ok, result.problems
    assert "run whole" in result.deviations[0]
    assert "pass on the base tree: t.py::f2p" in result.deviations[0]


def test_a_torn_last_line_is_cut_and_the_last_attempt_of_an_instance_stands(tmp_path: Path):
    append_line(tmp_path / RESULTS, Validation(instance_id="a", problems=["env build failed"]))
    append_line(tmp_path / RESULTS, _ok("a"))
    append_line(tmp_path / RESULTS, Validation(instance_id="b", problems=["x"]))
    with (tmp_path / RESULTS).open("a") as fh:
        fh.write('{"instance_id": "c", "base_f')  # killed mid-write
    found = read_validations(tmp_path)
    assert sorted(found) == ["a", "b"]
    assert found["a"].ok
    assert (tmp_path / RESULTS).read_text().endswith("}\n")


def test_resume_skips_every_result_and_retry_failed_only_the_validated():
    done = {"a": _ok("a"), "b": Validation(instance_id="b", problems=["gold fails"]),
            "d": Validation(instance_id="d", problems=["no mirror"], not_runnable=True)}
    tasks = [_task("a"), _task("b"), _task("c"), _task("d")]
    assert [t.instance_id for t in still_to_do(tasks, done, False)] == ["c"]
    assert [t.instance_id for t in still_to_do(tasks, done, True)] == ["b", "c"]


def test_repo_table_counts_and_shares_env_bytes_once(tmp_path: Path):
    results = [
        _ok("a", env_s=1, install_s=2, ready_seconds=3, validate_s=10, image_bytes=1000,
            layer_bytes=100, deviations=["spec wants Python 3.10; using 3.11"]),
        _ok("b", ready_seconds=5, validate_s=20, image_bytes=1050, layer_bytes=150),
        Validation(instance_id="c", repo="p/q", problems=["no mirror"], not_runnable=True),
    ]
    rows = {row["repo"]: row for row in repo_table(results)}
    assert rows["o/n"]["validated"] == 2
    assert rows["o/n"]["deviations"] == 1
    assert rows["o/n"]["disk_bytes"] == 100 + 150 + 900  # one env of 900 bytes, two layers
    assert (rows["o/n"]["validate_s_median"], rows["o/n"]["validate_s_max"]) == (15.0, 20.0)
    assert rows["p/q"]["not_runnable"] == 1
    assert rows["total"]["instances"] == 3
    page = write_report(tmp_path, results, {"name": "t", "wall_s": 1, "written": "now"})
    assert "no mirror" in page.read_text()
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["results"][2]["status"] == "not_runnable"


def test_bad_input_is_one_line_and_json_answers(tmp_path: Path):
    runner = CliRunner()
    missing = runner.invoke(app, ["tasks", "validate", str(tmp_path / "nope.json"), "--json"])
    assert missing.exit_code == 2
    assert json.loads(missing.stdout)["error"].endswith("no such file or folder")
    tasks = tmp_path / "tasks.jsonl"
    tasks.write_text(_task("a").model_dump_json(by_alias=True) + "\n")
    shard = runner.invoke(app, ["tasks", "validate", str(tasks), "--shard", "3/2", "--json"])
    assert shard.exit_code == 2
    assert "k must be between 1 and N" in json.loads(shard.stdout)["error"]
    append_line(tmp_path / RESULTS, _ok("a"))
    fresh = runner.invoke(app, ["tasks", "validate", str(tasks), "--out", str(tmp_path)])
    assert fresh.exit_code == 2
    assert "--resume" in fresh.stderr


def test_a_resumed_run_with_nothing_left_reports_what_it_holds(tmp_path: Path):
    tasks = tmp_path / "tasks.jsonl"
    tasks.write_text(_task("a").model_dump_json(by_alias=True) + "\n")
    out = tmp_path / "run"
    out.mkdir()
    append_line(out / RESULTS, _ok("a", image_bytes=10))
    result = CliRunner().invoke(app, ["tasks", "validate", str(tasks), "--out", str(out),
                                      "--resume", "--json"])
    assert result.exit_code == 0, result.stderr
    answer = json.loads(result.stdout)
    assert [r["status"] for r in answer["results"]] == ["validated"]
    assert (out / "report.html").exists()
