"""The planner: widths per round, stops and their reasons, one budget shared over many tasks."""

from __future__ import annotations

from solver.planner import Planner, SharedBudget
from solver.types import Budget


def test_the_task_budget_caps_rounds_and_every_choice_is_recorded() -> None:
    planner = Planner(Budget(width=4, depth=3, max_candidates=6))
    assert planner.width(0) == 4
    assert planner.width(1) == 2
    assert planner.width(2) == 0
    assert [d.action for d in planner.decisions] == ["round", "round", "stop"]
    assert "6 candidates are spent" in planner.decisions[-1].reason


def test_what_the_generator_did_not_use_goes_back() -> None:
    shared = SharedBudget(candidates=10, tasks=2, first_width=4)
    planner = Planner(Budget(width=4, depth=3), shared)
    assert planner.width(0) == 4
    planner.unused(0, granted=4, proposed=1)
    assert shared.spent == 1
    assert planner.spent == 1
    planner.unused(0, granted=4, proposed=0)
    assert planner.decisions[-1].reason == "the generator has nothing new to propose"


def test_enough_plausible_stops_with_its_reason() -> None:
    planner = Planner(Budget(width=4, depth=3, enough_plausible=2))
    assert not planner.enough(0, 1)
    assert planner.enough(1, 2)
    assert planner.decisions[-1].action == "stop"
    assert not Planner(Budget(enough_plausible=0)).enough(0, 9)  # 0: spend everything


def test_first_rounds_are_reserved_so_depth_goes_only_to_what_is_left() -> None:
    """Three tasks, 4 candidates a round, 16 in all: the first task may not eat the first rounds
    of the other two with its deeper rounds; once they have started, it may use the rest."""
    shared = SharedBudget(candidates=16, tasks=3, first_width=4)
    first = Planner(Budget(width=4, depth=3), shared)
    assert first.width(0) == 4  # 12 left, 8 reserved for the two waiting tasks
    assert first.width(1) == 4  # 8 left, 8 reserved: nothing beyond the reserve
    assert first.width(2) == 0
    assert first.decisions[-1].action == "stop"
    assert "reserved for the first rounds of 2 task(s)" in first.decisions[-1].reason
    second, third = Planner(Budget(width=4), shared), Planner(Budget(width=4), shared)
    assert second.width(0) == 4
    assert third.width(0) == 4
    assert shared.left == 0
    assert third.width(1) == 0


def test_a_solved_task_leaves_its_share_to_the_open_ones() -> None:
    shared = SharedBudget(candidates=12, tasks=2, first_width=4)
    solved = Planner(Budget(width=4, depth=3), shared)
    assert solved.width(0) == 4
    assert solved.enough(0, 2)  # stops: no more draws
    open_task = Planner(Budget(width=4, depth=3), shared)
    assert [open_task.width(r) for r in range(3)] == [4, 4, 0]
    cut = [d for d in open_task.decisions if d.action in ("cut", "stop")]
    assert cut
    assert "shared budget grants 0 of 4" in cut[0].reason
