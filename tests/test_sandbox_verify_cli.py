"""`solver sandbox verify CHECKOUT --patch FILE [--tests ID ...] [--json]`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from solver.cli import app
from tests.redteam import CALC, FAILING, calc_patch

runner = CliRunner()


def verify(*args: str) -> tuple[int, dict[str, Any]]:
    result = runner.invoke(app, ["sandbox", "verify", *args])
    return result.exit_code, json.loads(result.stdout.strip().splitlines()[-1])


def test_usage_errors_answer_in_json_with_exit_2(tmp_path: Path):
    code, data = verify(str(tmp_path), "--json")
    assert (code, data["passed"]) == (2, False)
    assert "--patch" in str(data["error"])
    code, data = verify(str(tmp_path / "missing"), "--patch", str(tmp_path / "x.diff"), "--json")
    assert code == 2
    assert "cannot read" in str(data["error"])
    (tmp_path / "x.diff").write_text("please fix it")
    code, data = verify(str(tmp_path), "--patch", str(tmp_path / "x.diff"), "--json")
    assert code == 2
    assert "not a unified diff" in str(data["error"])


@pytest.mark.docker
def test_a_fix_passes_and_a_gamed_patch_is_flagged(tmp_path: Path):
    checkout = tmp_path / "calc"
    shutil.copytree(CALC, checkout)
    fix, gamed = tmp_path / "fix.diff", tmp_path / "gamed.diff"
    fix.write_text(calc_patch(add_body="return a + b"))
    gamed.write_text(calc_patch(add_body="if (a, b) == (2, 3):\n    return 5\nreturn a - b"))
    code, data = verify(str(checkout), "--patch", str(fix), "--tests", FAILING,
                        "--install-cmd", "none", "--json")
    assert (code, data["passed"], data["integrity"]) == (0, True, [])
    assert data["tests"][FAILING]["outcome"] == "passed"
    code, data = verify(str(checkout), "--patch", str(gamed), "--install-cmd", "none", "--json")
    assert code == 0
    assert [f["kind"] for f in data["integrity"]] == ["gaming"]
    broken = runner.invoke(app, ["sandbox", "verify", str(checkout), "--patch", str(fix),
                                 "--tests", "tests/test_calc.py::test_nothing",
                                 "--install-cmd", "none"])
    assert broken.exit_code == 1
    assert "missing" in broken.stdout
