from sandbox.junit import parse_junit
from sandbox.verdict import Outcome

REPORT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" errors="1" failures="1" skipped="1" tests="5">
<testcase classname="tests.test_core" name="test_ok" file="tests/test_core.py" time="0.01"/>
<testcase classname="tests.test_core.TestK" name="test_bad[1-2]"
  file="tests/test_core.py" time="0.2">
  <failure message="assert 1 == 2">def test_bad(): assert 1 == 2</failure></testcase>
<testcase classname="tests.test_core" name="test_err" file="tests/test_core.py" time="0">
  <error message="fixture boom">trace</error></testcase>
<testcase classname="tests.test_core" name="test_skip" file="tests/test_core.py" time="0">
  <skipped message="later"/></testcase>
<testcase classname="tests.test_core" name="test_loop" file="tests/test_core.py" time="2">
  <failure message="solver-guard: test exceeded its time limit (2s)">...</failure></testcase>
</testsuite></testsuites>"""


def test_node_ids_and_outcomes():
    results = parse_junit(REPORT)
    assert {k: v.outcome for k, v in results.items()} == {
        "tests/test_core.py::test_ok": Outcome.PASSED,
        "tests/test_core.py::TestK::test_bad[1-2]": Outcome.FAILED,
        "tests/test_core.py::test_err": Outcome.ERROR,
        "tests/test_core.py::test_skip": Outcome.SKIPPED,
        "tests/test_core.py::test_loop": Outcome.TIMEOUT,
    }
    assert "assert 1 == 2" in results["tests/test_core.py::TestK::test_bad[1-2]"].message
    assert results["tests/test_core.py::TestK::test_bad[1-2]"].duration_s == 0.2


def test_failure_in_teardown_after_pass_keeps_the_failure():
    xml = """<testsuite>
<testcase classname="t" name="a" file="t.py"/>
<testcase classname="t" name="a" file="t.py"><error message="teardown"/></testcase>
</testsuite>"""
    assert parse_junit(xml)["t.py::a"].outcome == Outcome.ERROR
