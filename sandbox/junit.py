"""Per-test outcomes from a pytest junit report (xunit1 family: it carries each test's file)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from sandbox.verdict import Outcome, TestResult

TIMEOUT_MARK = "solver-guard: test exceeded its time limit"
MESSAGE_CAP = 2000


def node_id(case: ET.Element) -> str:
    """Rebuild pytest's node id (`tests/test_a.py::TestK::test_b[1]`) from a testcase element."""
    name = case.get("name", "")
    classname = case.get("classname", "")
    file = case.get("file", "")
    if not file:
        return f"{classname.replace('.', '/')}.py::{name}" if classname else name
    module = file.removesuffix(".py").replace("/", ".")
    inner = classname.removeprefix(module).lstrip(".")
    parts = [file, *([inner.replace(".", "::")] if inner else []), name]
    return "::".join(parts)


def case_outcome(case: ET.Element) -> tuple[Outcome, str]:
    for tag, outcome in (("failure", Outcome.FAILED), ("error", Outcome.ERROR)):
        node = case.find(tag)
        if node is not None:
            message = (node.get("message") or "") + "\n" + (node.text or "")
            if TIMEOUT_MARK in message:
                return Outcome.TIMEOUT, message.strip()[:MESSAGE_CAP]
            return outcome, message.strip()[:MESSAGE_CAP]
    if case.find("skipped") is not None:
        return Outcome.SKIPPED, ""
    return Outcome.PASSED, ""


def parse_junit(xml_text: str) -> dict[str, TestResult]:
    """Every testcase of the report; a test that both failed and errored keeps the worse one."""
    root = ET.fromstring(xml_text)
    results: dict[str, TestResult] = {}
    for case in root.iter("testcase"):
        test_id = node_id(case)
        outcome, message = case_outcome(case)
        previous = results.get(test_id)
        if previous and previous.outcome != Outcome.PASSED:
            continue
        results[test_id] = TestResult(
            test_id=test_id, outcome=outcome,
            duration_s=float(case.get("time") or 0.0), message=message,
        )
    return results

