"""The image cache at benchmark scale: what solver images there are, how much disk each holds
on its own, when a run last used it, and a disk budget kept by removing the least recently used.

Docker does not record when an image was last used, so `record_use` writes it to a small JSON
ledger (SOLVER_CACHE_DIR, default ~/.cache/tts-solver/image-use.json) whenever a task's
environment is prepared; an image it never saw counts as used when it was created.

`sandbox.environment.prepare` keeps the cache within the budget (SOLVER_MAX_IMAGE_GB, which
`--max-image-gb` sets) each time it has a task's images, so validate, eval and select all do.
Only solver-managed repositories of the image namespace in force are ever removed
(`sandbox.naming.cache_repositories`), never one a container (running or stopped, anyone's) uses,
nor one used or made within the grace period (`GRACE_S`, SOLVER_IMAGE_GRACE_S: another run may be
about to start a container on it); an image other images build on stays until they are gone.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docker

from sandbox.naming import cache_repositories

GRACE_S = 1800.0
"""An image used or built less than this long ago is kept whatever the budget says."""
GRACE_ENV = "SOLVER_IMAGE_GRACE_S"
"""Overrides GRACE_S (seconds): a run alone in its own image namespace can let it be short."""
_LOCK = threading.Lock()


@dataclass(frozen=True)
class CachedImage:
    tag: str
    id: str
    size: int
    """All layers."""
    own: int
    """What removing it frees (once no image builds on it): the bytes it adds on its parent."""
    containers: int
    created: float
    last_used: float


def ledger_path() -> Path:
    root = os.environ.get("SOLVER_CACHE_DIR") or Path.home() / ".cache" / "tts-solver"
    return Path(root) / "image-use.json"


def read_ledger() -> dict[str, float]:
    try:
        data = json.loads(ledger_path().read_text())
    except (OSError, ValueError):
        return {}
    return {str(k): float(v) for k, v in data.items()} if isinstance(data, dict) else {}


def record_use(client: docker.DockerClient, tag: str) -> None:
    """Now is the last use of `tag` and of the images it is built on (by image id)."""
    ids: list[str] = []
    ref = tag
    try:
        while ref and len(ids) < 8:
            image = client.images.get(ref)
            ids.append(str(image.id))
            ref = str(image.attrs.get("Parent") or "")
    except docker.errors.ImageNotFound:
        pass
    with _LOCK:
        ledger = read_ledger()
        ledger.update(dict.fromkeys(ids, time.time()))
        path = ledger_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(ledger))
        tmp.replace(path)


def list_cached(
    client: docker.DockerClient, repositories: Sequence[str] | None = None,
) -> list[CachedImage]:
    """Every tagged solver image (of the namespace in force), least recently used first. Its own
    bytes are what it adds on the image it was built from: summed over the cache, every layer
    counts once."""
    repositories = cache_repositories() if repositories is None else repositories
    ledger = read_ledger()
    every: list[dict[str, Any]] = client.api.images(all=True)  # one call, no inspect per image
    sizes = {str(entry["Id"]): int(entry.get("Size", 0)) for entry in every}
    in_use: dict[str, int] = {}
    for container in client.api.containers(all=True):
        image_id = str(container.get("ImageID", ""))
        in_use[image_id] = in_use.get(image_id, 0) + 1
    found = []
    for entry in every:
        tags = [t for t in entry.get("RepoTags") or [] if t.partition(":")[0] in repositories]
        if not tags:
            continue
        image_id = str(entry["Id"])
        created = float(entry.get("Created", 0))
        found.append(CachedImage(
            tag=tags[0], id=image_id, size=sizes[image_id],
            own=sizes[image_id] - sizes.get(str(entry.get("ParentId") or ""), 0),
            containers=in_use.get(image_id, 0), created=created,
            last_used=max(ledger.get(image_id, created), created)))
    return sorted(found, key=lambda image: image.last_used)


def default_budget_bytes(client: docker.DockerClient) -> int:
    """Half of what the solver's images hold plus the disk still free under Docker's root."""
    root = client.info().get("DockerRootDir") or "/var/lib/docker"
    try:
        free = shutil.disk_usage(root).free
    except OSError:
        free = shutil.disk_usage("/").free
    return (sum(image.own for image in list_cached(client)) + free) // 2


BUDGET_ENV = "SOLVER_MAX_IMAGE_GB"
"""The cache's budget in GB (0: none); unset, half of the cache plus the free disk."""


def budget_bytes(client: docker.DockerClient) -> int | None:
    """The budget in force: SOLVER_MAX_IMAGE_GB, else from the free disk; None for 0."""
    named = os.environ.get(BUDGET_ENV, "").strip()
    if not named:
        return default_budget_bytes(client)
    try:
        gb = float(named)
    except ValueError as exc:
        raise ValueError(f"{BUDGET_ENV}={named!r}: not a number of GB") from exc
    return int(gb * 1e9) if gb > 0 else None


def keep_within_budget(client: docker.DockerClient, keep: frozenset[str],
                       log: Callable[[str], None]) -> None:
    """Prune the cache to the budget in force, `keep` (the images about to be used) kept."""
    limit = budget_bytes(client)
    if limit is None:
        return
    for image in enforce_budget(client, limit, keep):
        log(f"image cache over {limit / 1e9:.1f} GB: removed {image.tag} "
            f"({image.own / 1e6:.0f} MB, last used {time.ctime(image.last_used)})")


def grace_seconds() -> float:
    """SOLVER_IMAGE_GRACE_S, else GRACE_S."""
    named = os.environ.get(GRACE_ENV, "").strip()
    try:
        return float(named) if named else GRACE_S
    except ValueError as exc:
        raise ValueError(f"{GRACE_ENV}={named!r}: not a number of seconds") from exc


def enforce_budget(
    client: docker.DockerClient, max_bytes: int, keep: frozenset[str] = frozenset(),
    dry_run: bool = False, repositories: Sequence[str] | None = None,
    grace_s: float | None = None,
) -> list[CachedImage]:
    """Remove least recently used solver images until their own bytes fit in `max_bytes`;
    those removed. `keep`: tags never removed (the run's current images)."""
    grace_s = grace_seconds() if grace_s is None else grace_s
    images = list_cached(client, repositories)
    used = sum(image.own for image in images)
    now = time.time()
    removed = []
    for image in images:
        if used <= max_bytes:
            break
        if image.containers or image.tag in keep or now - image.last_used < grace_s:
            continue
        if not dry_run:
            try:
                client.images.remove(image.tag, noprune=False)
            except docker.errors.APIError:
                continue  # a child image or a container that appeared since: kept
        used -= image.own
        removed.append(image)
    return removed


def prune_images(
    client: docker.DockerClient, older_than_s: float, dry_run: bool = False,
    repositories: Sequence[str] | None = None,
) -> list[str]:
    """Remove cached solver images created more than `older_than_s` ago that no container
    uses; the tags removed (or, with `dry_run`, that would be). Any build re-makes them."""
    import datetime as dt

    repositories = cache_repositories() if repositories is None else repositories
    used = {c.image.id for c in client.containers.list(all=True, ignore_removed=True)
            if c.image is not None}
    now = dt.datetime.now(dt.UTC)
    removed = []
    for repository in repositories:
        for image in client.images.list(name=repository):
            created = dt.datetime.fromisoformat(image.attrs["Created"].split(".")[0] + "+00:00")
            if image.id in used or (now - created).total_seconds() < older_than_s:
                continue
            for tag in image.tags:
                if not dry_run:
                    try:
                        client.images.remove(tag, noprune=False)
                    except docker.errors.APIError:
                        continue  # in use by a child or a container: kept
                removed.append(tag)
    return removed
