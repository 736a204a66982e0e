"""The CI bot's step summary (no Docker: the Markdown alone)."""

from solver.jobs.ci import render_summary


def test_the_summary_warns_when_the_fix_games_the_tests() -> None:
    context = {"nothing_failing": False, "plausible": True, "failing": ["t.py::test_add"],
               "passing": [], "unstable": [], "sha": "abc", "patch": "+x", "where": "",
               "trajectory": "",
               "candidates": 3, "rounds": 1, "ledger": {"tokens": 0, "cost_usd": 0.0,
                                                         "sandbox_s": 1.0, "test_runs": 3}}
    assert "gaming the tests" not in render_summary(context | {"gaming": False})
    assert "flagged this patch as gaming the tests" in render_summary(context | {"gaming": True})
