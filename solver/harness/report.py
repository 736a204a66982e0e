"""report.json and a self-contained report.html (plots embedded) from a run's results."""

from __future__ import annotations

import base64
import io
import json
import statistics
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from solver.harness.results import TaskResult
from solver.templates import render


def rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def quantiles(values: Sequence[float]) -> dict[str, float | None]:
    if not values:
        return {"median": None, "p90": None, "total": 0.0}
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
    return {"median": round(statistics.median(ordered), 3), "p90": round(p90, 3),
            "total": round(sum(ordered), 3)}


def summarize_run(results: Sequence[TaskResult]) -> dict[str, Any]:
    """The figures of a run: always accuracy beside its cost, plausible apart from correct, and
    the protocol that produced them (`issue+tests` where a run mixed them)."""
    attempted = [r for r in results if r.ran]  # rates are over the tasks that ran
    judged = [r for r in attempted if r.correct is not None or not r.plausible]
    oracle = [r for r in attempted if r.oracle]
    oracle_correct = [r for r in attempted if r.oracle_correct]
    infra = [r for r in results if r.status == "infra_error"]
    return {
        "protocol": "+".join(sorted({r.protocol for r in results if r.protocol})) or "-",
        "tasks": len(results),
        "errors": sum(r.status == "error" for r in results),
        "infra_errors": len(infra),
        "infra_causes": dict(sorted(Counter(r.cause for r in infra).items())),
        "attempted": len(attempted),
        "unresolved": sum(r.status == "unresolved" for r in attempted),
        "plausible": sum(r.plausible for r in attempted),
        "correct": sum(bool(r.correct) for r in attempted),
        "resolved": sum(r.resolved for r in attempted),
        "resolve_rate": rate(sum(r.resolved for r in attempted), len(attempted)),
        "plausible_rate": rate(sum(r.plausible for r in attempted), len(attempted)),
        "oracle_coverage": rate(len(oracle), len(attempted)),
        "selection_accuracy": rate(sum(bool(r.correct) for r in oracle_correct),
                                   len(oracle_correct)),
        "plausible_but_wrong": sum(r.plausible and r.correct is False for r in judged),
        "gaming": sum(r.plausible and r.gaming for r in attempted),
        "wall_s": quantiles([r.total_s for r in attempted]),
        "sandbox_s": quantiles([float(r.ledger.get("sandbox_s", 0.0)) for r in attempted]),
        "cost_usd": quantiles([float(r.ledger.get("cost_usd", 0.0)) for r in attempted]),
        "tokens": sum(int(r.ledger.get("tokens", 0)) for r in attempted),
        "candidates": quantiles([float(r.candidates) for r in attempted]),
    }


def plot_png(results: Sequence[TaskResult], summary: dict[str, Any]) -> dict[str, str]:
    """Base64 PNGs: outcomes, time per task, candidates per task."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plots: dict[str, str] = {}
    attempted = [r for r in results if r.ran]

    def save(name: str, fig: Any) -> None:
        buf = io.BytesIO()
        fig.tight_layout()
        fig.savefig(buf, format="png", dpi=110)
        plt.close(fig)
        plots[name] = base64.b64encode(buf.getvalue()).decode("ascii")

    fig, ax = plt.subplots(figsize=(5.5, 3))
    labels = ["plausible", "correct", "oracle", "errors", "infra"]
    values = [summary["plausible"], summary["correct"],
              sum(r.oracle for r in attempted), summary["errors"], summary["infra_errors"]]
    ax.bar(labels, values, color=["#7aa6d8", "#3c8d4f", "#c9a227", "#b44", "#888"])
    ax.set_ylabel("tasks")
    ax.set_title(f"{summary['tasks']} tasks")
    save("outcomes", fig)
    fig, ax = plt.subplots(figsize=(5.5, 3))
    ax.hist([r.total_s for r in attempted] or [0], bins=12, color="#7aa6d8")
    ax.set_xlabel("wall seconds per task")
    ax.set_ylabel("tasks")
    save("wall", fig)
    fig, ax = plt.subplots(figsize=(5.5, 3))
    ax.hist([r.candidates for r in attempted] or [0], bins=12, color="#c9a227")
    ax.set_xlabel("candidates verified per task")
    ax.set_ylabel("tasks")
    save("candidates", fig)
    return plots


def trajectory(run_dir: Path, instance_id: str) -> dict[str, Any]:
    """What the page shows when a task is opened: its candidates with their verdicts, the
    bracket with every match's reason (the task's trajectories/<id>/result.json; empty lists
    where there is none: graded predictions, an errored task)."""
    path = run_dir / "trajectories" / instance_id / "result.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = {}
    return {"candidates": data.get("candidates", []), "bracket": data.get("bracket", [])}


def outcome_line(summary: dict[str, Any]) -> str:
    """The run in one line: resolved over the tasks that ran, then each other outcome apart."""
    causes = ", ".join(f"{c} {n}" for c, n in summary["infra_causes"].items())
    return (f"resolved {summary['resolved']}/{summary['attempted']} that ran "
            f"(rate {'-' if summary['resolve_rate'] is None else summary['resolve_rate']}); "
            f"unresolved {summary['unresolved']}, error {summary['errors']}, "
            f"infra_error {summary['infra_errors']}" + (f" ({causes})" if causes else ""))


def write_report(run_dir: Path, results: Sequence[TaskResult], meta: dict[str, Any]) -> Path:
    summary = summarize_run(results)
    report = {"meta": meta, "summary": summary,
              "tasks": [r.model_dump(exclude={"patch"}) for r in results]}
    (run_dir / "report.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    html = render(
        "solver.harness", "templates/report.html.j2",
        meta=meta, summary=summary, results=sorted(results, key=lambda r: r.instance_id),
        plots=plot_png(results, summary),
        details={r.instance_id: trajectory(run_dir, r.instance_id) for r in results})
    path = run_dir / "report.html"
    path.write_text(html, encoding="utf-8")
    return path
