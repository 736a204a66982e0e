"""The figures of a `solver select` run, beside the baselines on the same pools.

    oracle      some candidate of the pool is resolved (SWE-bench: the harness's grade; bundled
                tasks: the held-back tests too; synthesized tasks: every test of the failing
                tests' files that passes with the reference patch: correct, not plausible)
    selected    the tournament's pick is resolved
    random      expected value of picking a pool candidate at random (duplicates count)
    first       the candidate of the first --candidates source, where it has one
    majority    majority vote over normalized patches (ties: the earlier candidate)
    per source  each --candidates source alone
    ablation    the pick re-played with each evidence signal off, and with none (diff shape)

Only graded instances (every candidate graded) count towards these; errors are counted apart.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from solver.harness.select_run import SIGNALS, SelectResult, choose, passed
from solver.selection.behaviour import describe_behaviour
from solver.templates import render


def graded(result: SelectResult) -> bool:
    return not result.error and bool(result.records) and all(
        r.resolved is not None for r in result.records)


def resolved_at(result: SelectResult, index: int | None) -> bool:
    return index is not None and bool(result.records[index].resolved)


def majority_index(result: SelectResult) -> int | None:
    """The record most candidates share; a tie goes to the earlier (pool order)."""
    if not result.records:
        return None
    best = max(r.votes for r in result.records)
    return next(i for i, r in enumerate(result.records) if r.votes == best)


def random_value(result: SelectResult) -> float:
    total = sum(r.votes for r in result.records)
    return sum(r.votes for r in result.records if r.resolved) / total if total else 0.0


def source_index(result: SelectResult, place: int) -> int | None:
    return next((i for i, r in enumerate(result.records) if place in r.places), None)


def ablations(protocol: str) -> dict[str, tuple[str, ...]]:
    signals = SIGNALS.get(protocol, ())
    cases = {"all signals": signals}
    if len(signals) > 1:
        cases |= {f"without {s}": tuple(x for x in signals if x != s) for s in signals}
    return cases | {"no evidence (diff shape only)": ()}


def summarize(results: Sequence[SelectResult], sources: Sequence[str]) -> dict[str, Any]:
    done = [r for r in results if graded(r)]
    oracle = sum(any(x.resolved for x in r.records) for r in done)
    selected = sum(resolved_at(r, r.selected) for r in done)
    protocols = sorted({r.protocol for r in results})
    ablation: dict[str, int] = {}
    for protocol in protocols:
        for name, signals in ablations(protocol).items():
            ablation[name] = ablation.get(name, 0) + sum(
                resolved_at(r, choose(r.records, signals, r.behaviour)[0])
                for r in done if r.protocol == protocol)
    return {
        "instances": len(results), "graded": len(done),
        "errors": sum(bool(r.error) for r in results), "protocol": ", ".join(protocols),
        "oracle": oracle, "selected": selected,
        "selection_accuracy": round(selected / oracle, 4) if oracle else None,
        "random": round(sum(random_value(r) for r in done), 2),
        "first": sum(resolved_at(r, source_index(r, 0)) for r in done),
        "majority": sum(resolved_at(r, majority_index(r)) for r in done),
        "per_source": {name: sum(resolved_at(r, source_index(r, place)) for r in done)
                       for place, name in enumerate(sources)},
        "ablation": ablation,
        "candidates": sum(sum(x.votes for x in r.records) for r in results),
        "wall_s": round(sum(r.seconds for r in results), 1),
        "judge_calls": sum(r.judge_calls for r in results),
        "judge_tokens": sum(r.judge_tokens for r in results),
        "judge_cost_usd": round(sum(r.judge_cost_usd for r in results), 6),
    }


def drift(result: SelectResult, index: int) -> int | None:
    """Probe inputs on which the candidate's output differs from the base tree's (None: not
    probed)."""
    data = result.behaviour
    if data is None or not data.base or str(index) not in data.outputs:
        return None
    return data.drift(str(index))


def instance_rows(results: Sequence[SelectResult]) -> list[dict[str, Any]]:
    """Per instance, what the report page shows: candidates with their evidence, the bracket."""
    rows = []
    for result in results:
        candidates = [{
            "index": i, "sources": ", ".join(sorted(set(r.sources))), "votes": r.votes,
            "applied": r.applied, "reason": r.reason,
            "regression": f"{passed(r.regression)}/{len(r.regression)}",
            "reproduction": f"{passed(r.reproduction)}/{len(r.reproduction)}",
            "scripts": f"{passed(r.scripts)}/{len(r.scripts)}",
            "drift": drift(result, i),
            "resolved": r.resolved, "selected": i == result.selected, "patch": r.patch,
        } for i, r in enumerate(result.records)]
        rows.append({"result": result, "candidates": candidates,
                     "behaviour": describe_behaviour(result.behaviour) if result.behaviour else "",
                     "oracle": any(r.resolved for r in result.records),
                     "correct": resolved_at(result, result.selected)})
    return rows


def write_report(out: Path, results: Sequence[SelectResult], meta: dict[str, Any]) -> Path:
    summary = summarize(results, meta.get("sources", []))
    report = {"meta": meta, "summary": summary,
              "instances": [r.model_dump(exclude={"records": {"__all__": {"patch", "code"}}})
                            for r in results]}
    (out / "report.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    html = render("solver.harness", "templates/select.html.j2", meta=meta, summary=summary,
                  rows=instance_rows(results), written=time.strftime("%Y-%m-%d %H:%M:%S"))
    path = out / "report.html"
    path.write_text(html, encoding="utf-8")
    return path
