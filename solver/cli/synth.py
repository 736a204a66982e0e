"""`solver tasks synth`: projects in, validated tasks out; a per-package table and the kind mix."""

from __future__ import annotations

import functools
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import anyio
from rich.console import Console
from rich.table import Table

from solver.synthesis.build import SynthReport
from solver.synthesis.corpus import (
    export_corpus,
    kind_mix,
    rebuild_corpus,
    synthesize_many,
)
from solver.synthesis.recipes import load_overrides
from solver.synthesis.sample import SAMPLE, export_sample, load_sample
from tasks.model import Task


def log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def one_line(report: SynthReport) -> str:
    name = f"{report.package}=={report.version}" if report.version else report.spec
    if report.status != "done":
        return f"{name}: skipped: {report.reason}"
    return (f"{name}: {report.produced} produced, {report.covered} covered, {report.tried} "
            f"tried, {report.caught} caught, {report.kept} validated in {report.seconds:.0f}s "
            f"→ {report.out_file}")


def run_synth(
    specs: Sequence[str], max_tasks: int, out: Path, seed: int, workers: int,
    corpus: Path | None, as_json: bool,
) -> int:
    """An exit status: 0 when some project gave tasks, 1 when none did."""
    start = time.monotonic()
    reports = anyio.run(functools.partial(
        synthesize_many, list(specs), out, max_tasks, seed, workers, load_overrides(), None, log,
        on_report=lambda r: log(one_line(r))))
    wall = round(time.monotonic() - start, 1)
    exported = export_corpus(reports, corpus) if corpus is not None else None
    if as_json:
        print(json.dumps({"packages": [r.__dict__ for r in reports], "wall_s": wall,
                          "kinds": dict(kind_mix(reports)), "exported": exported}))
    else:
        for report in reports:
            print(one_line(report))
        Console(width=160).print(report_table(reports, wall))
        if exported is not None:
            print(f"{exported} tasks exported to {corpus}")
    return 0 if any(r.kept for r in reports) else 1


def report_table(reports: Sequence[SynthReport], wall: float) -> Table:
    table = Table(title=f"{sum(r.kept for r in reports)} validated tasks from "
                        f"{sum(bool(r.kept) for r in reports)} projects; wall {wall:.0f}s")
    for column in ("package", "version", "tests", "tried", "caught", "validated", "s", "note"):
        table.add_column(column, justify="left" if column in ("package", "note") else "right")
    for r in reports:
        note = r.reason[:70] if r.status != "done" else (r.install_cmd or "no install")[:70]
        table.add_row(r.package, r.version, str(r.baseline_passed), str(r.tried), str(r.caught),
                      str(r.kept), f"{r.seconds:.0f}", note)
    mix = kind_mix(reports)
    total = sum(mix.values()) or 1
    table.caption = "kinds: " + ", ".join(f"{k} {v} ({100 * v / total:.0f}%)"
                                          for k, v in mix.most_common())
    return table


def run_rebuild(folder: Path, out: Path, validate: bool, as_json: bool = False) -> int:
    try:
        counts = rebuild_corpus(folder, out, log)
    except (ValueError, RuntimeError, OSError) as exc:
        message = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        print(json.dumps({"error": message}) if as_json else message,
              file=sys.stdout if as_json else sys.stderr)
        return 1
    if as_json:
        print(json.dumps({"tasks": counts, "out": str(out)}))
    else:
        print(", ".join(f"{split}: {n} tasks → {out / split}" for split, n in counts.items()))
    if not validate:
        return 0
    from tasks.load import load_tasks

    return validate_tasks(load_tasks(out).tasks)


def run_sample(specs_out: Path, export: int, validate_sample: bool) -> int:
    if export:
        files = sorted(specs_out.glob("*.jsonl"))
        print(f"{export_sample(files, export)} tasks written to {SAMPLE}")
    return validate_tasks(load_sample()) if validate_sample else 0


def validate_tasks(tasks: list[Task]) -> int:
    from solver.harness.validate import validate_all

    start = time.monotonic()
    checks = anyio.run(lambda: validate_all(tasks, on_result=log))
    for check in checks:
        if not check.ok:
            print(f"{check.instance_id}: NOT valid: {'; '.join(check.problems)[:200]}")
    good = sum(c.ok for c in checks)
    print(f"{good}/{len(checks)} valid in {time.monotonic() - start:.0f}s")
    return 0 if good == len(checks) else 1
