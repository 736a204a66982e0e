"""The scaling surface read off one big run's trajectories."""

from solver.engine import CandidateRecord
from solver.feedback import VerdictSummary
from solver.harness.scale import compute_optimal, subsample, surface


def record(cid: str, plausible: bool = False, correct: bool | None = None,
           seconds: float = 1.0, lines: int = 1) -> CandidateRecord:
    diff = "".join(f"-a{i}\n+b{i}\n" for i in range(lines))
    return CandidateRecord(id=cid, round=int(cid[1]), note="", diff=diff, correct=correct,
                           verdict=VerdictSummary(applied=True, plausible=plausible,
                                                  duration_s=seconds))


TRAJ = {
    # solved only by the 3rd candidate of round 0
    "a": [record("r0-0"), record("r0-1"), record("r0-2", True, True), record("r0-3"),
          record("r1-0"), record("r1-1"), record("r1-2"), record("r1-3")],
    # solved in round 1 by the first candidate; the 2nd is plausible but wrong and bigger
    "b": [record("r0-0"), record("r0-1"), record("r0-2"), record("r0-3"),
          record("r1-0", True, True), record("r1-1", True, False, lines=3),
          record("r1-2"), record("r1-3")],
}


def test_subsample_takes_the_first_rounds_and_places():
    assert [c.id for c in subsample(TRAJ["a"], 2, 2)] == ["r0-0", "r0-1", "r1-0", "r1-1"]


def test_surface_cells():
    cells = {(c.width, c.depth): c for c in surface(TRAJ, [1, 2, 4], [1, 2])}
    assert cells[(1, 1)].resolve_rate == 0.0
    assert cells[(4, 1)].resolve_rate == 0.5
    assert cells[(1, 2)].resolve_rate == 0.5
    assert cells[(4, 2)].resolve_rate == 1.0
    assert cells[(4, 2)].sandbox_s == 8.0
    assert cells[(2, 2)].candidates == 4.0


def test_compute_optimal_is_a_frontier():
    cells = surface(TRAJ, [1, 2, 4], [1, 2])
    frontier = compute_optimal(cells)
    rates = [float(str(f["resolve_rate"])) for f in frontier]
    assert rates == sorted(rates)
    assert frontier[-1]["resolve_rate"] == 1.0


def test_selection_is_compared_with_first_random_and_oracle_picks():
    trajectories = {"b": [*TRAJ["b"][:4], record("r1-0", True, False, lines=3),
                          record("r1-1", True, True), record("r1-2", True, False, lines=2)]}
    (cell,) = surface(trajectories, [4], [2])
    assert cell.oracle_correct_rate == 1.0
    assert cell.first_rate == 0.0  # r1-0 comes first and is wrong
    assert abs(cell.random_rate - 1 / 3) < 1e-3
    assert cell.resolve_rate == 1.0  # the tournament prefers the smallest diff, r1-1
    assert cell.selection_accuracy == 1.0
