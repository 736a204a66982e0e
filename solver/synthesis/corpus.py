"""Many projects at once: `--workers` of them in parallel, resumable, one report line each.

    <out>/synth-report.ndjson   one SynthReport a project, appended as each ends (fsync'd);
                                a rerun skips the projects it holds (done or skipped); not
                                .jsonl, so `solver tasks list <out>` reads tasks only
    <out>/<pkg>.jsonl           the project's tasks (solver.synthesis.build)

`export_corpus` turns the run into a committed corpus (tasks/synth/corpus): the tasks without
their trees, and manifest.toml fixing each package's version, sdist sha256 and split (`dev` or
`heldout`; a package keeps the split it has); `rebuild_corpus` makes the trees again from PyPI
by hash (solver.synthesis.sample.materialize), one folder per split.
"""

from __future__ import annotations

import hashlib
import json
import os
import tomllib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import anyio

from sandbox import SandboxConfig
from solver.synthesis.build import SynthReport, synthesize_spec
from solver.synthesis.mutate import TWO_LOCATIONS
from solver.synthesis.recipes import SYNTH
from solver.synthesis.sample import MANIFEST, materialize
from solver.synthesis.write import write_lines_atomic

Log = Callable[[str], None]
CORPUS = SYNTH / "corpus"
REPORT = "synth-report.ndjson"
SPLITS = ("dev", "heldout")
HELD_OUT_FROM_BEFORE = frozenset({"attrs", "toolz", "more-itertools", "python-dateutil"})
"""The packages of the earlier held-out split (issue 21): held out here too."""
HELD_OUT_SHARE = 4
"""About one new package in this many is held out (by a hash of its name: stable)."""


def read_reports(out: Path) -> dict[str, SynthReport]:
    """spec → its finished report (the last line of each), from <out>/synth-report.ndjson."""
    found: dict[str, SynthReport] = {}
    path = out / REPORT
    if not path.is_file():
        return found
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            data = json.loads(line)
            found[data["spec"]] = SynthReport(**data)
    return found


def append_report(out: Path, report: SynthReport) -> None:
    with (out / REPORT).open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(asdict(report)) + "\n")
        fh.flush()
        os.fsync(fh.fileno())


async def synthesize_many(
    specs: Sequence[str], out: Path, max_tasks: int, seed: int, workers: int,
    overrides: dict[str, dict[str, Any]], config: SandboxConfig | None, log: Log,
    on_report: Callable[[SynthReport], None] = lambda _: None,
) -> list[SynthReport]:
    """Every spec's report, `workers` projects at once; finished ones (REPORT) reused."""
    out.mkdir(parents=True, exist_ok=True)
    done = read_reports(out)
    reports: dict[str, SynthReport] = {s: done[s] for s in specs if s in done}
    for spec in reports:
        log(f"{spec}: already in {out / REPORT} ({reports[spec].status})")
    limiter = anyio.CapacityLimiter(max(1, workers))

    async def one(spec: str) -> None:
        async with limiter:
            report = await synthesize_spec(spec, out, max_tasks, seed, overrides, config, log)
        append_report(out, report)
        reports[spec] = report
        on_report(report)

    async with anyio.create_task_group() as tg:
        for spec in specs:
            if spec not in reports:
                tg.start_soon(one, spec)
    return [reports[s] for s in specs]


def kind_mix(reports: Sequence[SynthReport]) -> Counter[str]:
    mix: Counter[str] = Counter()
    for report in reports:
        mix.update(report.kinds)
    return mix


def split_of(package: str, fixed: dict[str, str]) -> str:
    """The package's split: as fixed before, else held out by the earlier split or the hash."""
    if package in fixed:
        return fixed[package]
    if package in HELD_OUT_FROM_BEFORE:
        return "heldout"
    digest = hashlib.sha256(package.encode()).digest()
    return "heldout" if digest[0] % HELD_OUT_SHARE == 0 else "dev"


def read_corpus_manifest(folder: Path) -> list[dict[str, Any]]:
    path = folder / MANIFEST
    if not path.is_file():
        return []
    return list(tomllib.loads(path.read_text(encoding="utf-8")).get("sdist", []))


def export_corpus(reports: Sequence[SynthReport], dest: Path = CORPUS) -> int:
    """The run's tasks into `dest` (no trees), the manifest rewritten with every package of it."""
    dest.mkdir(parents=True, exist_ok=True)
    entries = {e["package"]: e for e in read_corpus_manifest(dest)}
    fixed = {name: str(e["split"]) for name, e in entries.items()}
    count = 0
    for report in reports:
        if report.status != "done" or not report.kept or not report.sha256:
            continue
        records = [json.loads(line) for line in
                   Path(report.out_file).read_text(encoding="utf-8").splitlines() if line.strip()]
        for record in records:
            record.pop("path", None)
            record["base_commit"] = ""
            normalize_kind(record)
        write_lines_atomic(dest / f"{report.package}.jsonl",
                           [json.dumps(r, sort_keys=True) for r in records])
        entries[report.package] = {
            "package": report.package, "version": report.version, "sha256": report.sha256,
            "split": split_of(report.package, fixed), "tasks": len(records),
            "install_cmd": report.install_cmd,
            "kinds": dict(sorted(Counter(r.get("bug_class", "") for r in records).items())),
        }
        count += len(records)
    write_manifest(dest, list(entries.values()))
    return count


def normalize_kind(record: dict[str, Any]) -> None:
    """Runs before the kinds' precedence was fixed wrote a hanging pair as `infinite-loop`:
    a two-location bug is `two-location` first."""
    synth = record.get("synth") or {}
    if synth.get("family") == TWO_LOCATIONS:
        record["bug_class"] = synth["kind"] = TWO_LOCATIONS


def write_manifest(dest: Path, entries: list[dict[str, Any]]) -> None:
    header = ("# The corpus's sdists: version, sha256, split (dev / heldout: fixed once given).\n"
              "# Rebuild the trees: solver tasks synth --rebuild tasks/synth/corpus --out DIR\n\n")
    blocks = []
    for entry in sorted(entries, key=lambda e: e["package"]):
        kinds = ", ".join(f'"{k}" = {v}' for k, v in entry.get("kinds", {}).items())
        blocks.append(
            f'[[sdist]]\npackage = "{entry["package"]}"\nversion = "{entry["version"]}"\n'
            f'sha256 = "{entry["sha256"]}"\nsplit = "{entry["split"]}"\n'
            f'tasks = {entry.get("tasks", 0)}\ninstall_cmd = {json.dumps(entry["install_cmd"])}\n'
            f"kinds = {{ {kinds} }}\n")
    (dest / MANIFEST).write_text(header + "\n".join(blocks), encoding="utf-8")


def rebuild_corpus(folder: Path, out: Path, log: Log) -> dict[str, int]:
    """Every task of the corpus with its tree (sdist by hash, bug committed), written to
    <out>/<split>/<package>.jsonl; tasks per split."""
    from tasks.load import load_tasks

    entries = read_corpus_manifest(folder)
    hashes = {f"{e['package']}=={e['version']}": str(e["sha256"]) for e in entries}
    counts: dict[str, int] = dict.fromkeys(SPLITS, 0)
    for entry in entries:
        loaded = load_tasks(folder / f"{entry['package']}.jsonl")
        if loaded.errors:
            raise ValueError("; ".join(str(e) for e in loaded.errors))
        tasks = [materialize(task, hashes) for task in loaded.tasks]
        target = out / str(entry["split"])
        target.mkdir(parents=True, exist_ok=True)
        write_lines_atomic(target / f"{entry['package']}.jsonl",
                           [t.model_dump_json(by_alias=True) for t in tasks])
        counts[str(entry["split"])] = counts.get(str(entry["split"]), 0) + len(tasks)
        log(f"{entry['package']}=={entry['version']}: {len(tasks)} tasks → {target}")
    return counts
