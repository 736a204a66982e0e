"""The validation report: per repository, instances, validated, deviations, not runnable (why),
median / max environment and validation seconds, and the disk its images take."""

from __future__ import annotations

import json
import statistics
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from solver.harness.validate import Validation
from solver.templates import render


def _median_max(values: Sequence[float]) -> tuple[float | None, float | None]:
    if not values:
        return None, None
    return round(statistics.median(values), 1), round(max(values), 1)


def why(results: Sequence[Validation]) -> list[str]:
    """`ids: reason` per distinct reason (the first line of the first problem, the instance's own
    id left out), the instances of a repository named by their number."""
    grouped: dict[str, list[str]] = {}
    for r in results:
        first = ((r.problems or [""])[0].splitlines() or [""])[0]
        first = first.replace(f"task {r.instance_id}: ", "")
        grouped.setdefault(first.replace(r.instance_id, "this instance"), []).append(
            r.instance_id.rpartition("-")[2])
    return [f"{', '.join(ids)}: {reason}" for reason, ids in grouped.items()]


def repo_row(repo: str, results: Sequence[Validation], reasons: bool = True) -> dict[str, Any]:
    """One repository's line. Disk: each instance's own layer, plus its env images once (an
    instance's image less its layer is the env it shares)."""
    ready = [r.ready_seconds for r in results if r.image_bytes]
    checked = [r.validate_s for r in results if r.validate_s]
    envs = {r.image_bytes - r.layer_bytes for r in results if r.image_bytes}
    build_med, build_max = _median_max(ready)
    val_med, val_max = _median_max(checked)
    return {
        "repo": repo, "instances": len(results), "validated": sum(r.ok for r in results),
        "deviations": sum(bool(r.deviations) for r in results),
        "not_runnable": sum(r.not_runnable for r in results),
        "failed": sum(not r.ok and not r.not_runnable for r in results),
        "not_runnable_why": why([r for r in results if r.not_runnable]) if reasons else [],
        "failed_why": why([r for r in results if r.status == "failed"]) if reasons else [],
        "build_s_median": build_med, "build_s_max": build_max,
        "validate_s_median": val_med, "validate_s_max": val_max,
        "disk_bytes": sum(r.layer_bytes for r in results) + sum(envs),
    }


def repo_table(results: Sequence[Validation]) -> list[dict[str, Any]]:
    by_repo: dict[str, list[Validation]] = {}
    for result in results:
        by_repo.setdefault(result.repo or "-", []).append(result)
    rows = [repo_row(repo, items) for repo, items in sorted(by_repo.items())]
    return [*rows, repo_row("total", results, reasons=False)] if len(rows) > 1 else rows


def result_row(result: Validation) -> dict[str, Any]:
    """A result as the report gives it, its status and whole reason included."""
    return {**result.model_dump(mode="json"), "status": result.status, "reason": result.reason}


def write_report(out: Path, results: Sequence[Validation], meta: dict[str, Any]) -> Path:
    """report.json and report.html in `out`; the path of the HTML page."""
    table = repo_table(results)
    rows = [result_row(r) for r in results]
    (out / "report.json").write_text(json.dumps(
        {"meta": meta, "repos": table, "results": rows}, indent=1) + "\n")
    page = out / "report.html"
    page.write_text(render("solver.harness", "templates/validate.html.j2",
                           meta=meta, repos=table, results=rows))
    return page
