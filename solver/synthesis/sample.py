"""The committed sample (tasks/synth/sample): tasks without `path` or `base_commit`, rebuilt
from `repo: pypi:<package>==<version>` and the sdist's sha256 in its manifest."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Sequence
from pathlib import Path

from solver.synthesis.recipes import SYNTH, cache_dir
from solver.synthesis.repo import commit_bug, prepare_repo
from solver.synthesis.sdist import fetch_sdist, sha256_file
from tasks.model import Task

SAMPLE = SYNTH / "sample"
MANIFEST = "manifest.toml"


def parse_pypi_repo(repo: str) -> tuple[str, str]:
    """`pypi:toolz==1.0.0` → (`toolz`, `1.0.0`)."""
    if not repo.startswith("pypi:") or "==" not in repo:
        raise ValueError(f"repo {repo!r} is not pypi:<package>==<version>")
    package, _, version = repo.removeprefix("pypi:").partition("==")
    return package, version


def read_manifest(folder: Path = SAMPLE) -> dict[str, str]:
    """`package==version` → the sha256 its sdist must have."""
    data = tomllib.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    return {f"{p['package']}=={p['version']}": p["sha256"] for p in data.get("sdist", [])}


def materialize(task: Task, manifest: dict[str, str] | None = None,
                cache: Path | None = None) -> Task:
    """The task with `path` and `base_commit` set: its sdist fetched, checked, the bug committed."""
    package, version = parse_pypi_repo(task.repo)
    cache = cache or cache_dir()
    sdist = fetch_sdist(package, version, cache)
    expected = (manifest or {}).get(f"{package}=={version}")
    if expected and sha256_file(sdist) != expected:
        raise ValueError(f"{sdist}: sha256 differs from {MANIFEST} ({expected[:12]}…)")
    repo = prepare_repo(package, version, cache / "synth" / f"{package}-{version}", cache)
    sha = commit_bug(repo, task.instance_id, task.patch)
    return task.model_copy(update={"path": repo, "base_commit": sha})


def export_sample(
    jsonl_files: Sequence[Path], per_package: int, dest: Path = SAMPLE,
    cache: Path | None = None,
) -> int:
    """The first `per_package` tasks of each file into the sample, without path or commit."""
    dest.mkdir(parents=True, exist_ok=True)
    entries, count = [], 0
    for source in jsonl_files:
        records = [json.loads(line) for line in source.read_text().splitlines() if line.strip()]
        chosen = records[:per_package]
        if not chosen:
            continue
        for record in chosen:
            record.pop("path", None)
            record["base_commit"] = ""
        package, version = parse_pypi_repo(chosen[0]["repo"])
        sdist = fetch_sdist(package, version, cache)
        entries.append(f'[[sdist]]\npackage = "{package}"\nversion = "{version}"\n'
                       f'file = "{sdist.name}"\nsha256 = "{sha256_file(sdist)}"\n')
        (dest / f"{package}.jsonl").write_text(
            "".join(json.dumps(r, sort_keys=True) + "\n" for r in chosen), encoding="utf-8")
        count += len(chosen)
    header = ("# The sdists the sample's tasks are built from"
              " (see solver.synthesis.build.materialize).\n\n")
    (dest / MANIFEST).write_text(header + "\n".join(entries), encoding="utf-8")
    return count


def load_sample(folder: Path = SAMPLE) -> list[Task]:
    """The sample's tasks, materialized (sdists fetched and checked, bugs committed)."""
    from tasks.load import load_tasks

    manifest = read_manifest(folder)
    tasks: list[Task] = []
    for path in sorted(folder.glob("*.jsonl")):
        result = load_tasks(path)
        if result.errors:
            raise ValueError("; ".join(str(e) for e in result.errors))
        tasks.extend(materialize(task, manifest) for task in result.tasks)
    return tasks
