"""Where a task's repository comes from, and how its tree at one commit is written out.

resolve_source(task, repos_dir) ─┬─ task.path   a plain folder (copied as is)
                                 │              or a git checkout (its commits exported)
                                 ├─ task.repo   a git URL (cloned bare, then exported)
                                 └─ repos_dir   a mirror: owner/name, owner__name, name,
                                                or owner+name/repo (what `fetch` leaves)
                                                (bare `*.git` or a normal clone)
export_tree(source, commit, dest)   the tree alone: no .git, no history
tree_digest(path)                   a stable hash of a tree, for cache keys
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import stat
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Literal

import git
from pydantic import BaseModel, ConfigDict

from tasks.model import Task

SourceKind = Literal["folder", "git", "url"]
_URL = re.compile(r"^([a-z][a-z0-9+.-]*://|[\w.-]+@[\w.-]+:)", re.IGNORECASE)
_OWNER_NAME = re.compile(r"^[\w.-]+/[\w.-]+$")


class SourceError(Exception):
    """A repository or commit could not be found; the message says where it was looked for."""


class MissingMirror(SourceError):
    """No mirror of the task's repository in the folder given: the task cannot run here."""


class RepoSource(BaseModel):
    """A resolved repository source."""

    model_config = ConfigDict(frozen=True)

    kind: SourceKind
    """`folder`: a plain tree; `git`: a local checkout or mirror; `url`: a remote to clone."""
    location: str
    """The folder (kinds `folder`, `git`) or the URL (kind `url`)."""
    repo: str = ""
    """`owner/name` where known, for messages."""

    def describe(self) -> str:
        name = f" ({self.repo})" if self.repo else ""
        return f"{self.kind} {self.location}{name}"


def resolve_source(task: Task, repos_dir: Path | None) -> RepoSource:
    """Where `task`'s repository is: its `path`, a URL in `repo`, or a mirror in `repos_dir`."""
    if task.path is not None:
        return _local_source(task)
    if _URL.match(task.repo):
        return RepoSource(kind="url", location=task.repo)
    if not task.repo:
        raise SourceError(f"task {task.instance_id}: neither `path` nor `repo` is set")
    if repos_dir is None:
        raise SourceError(
            f"task {task.instance_id}: repository {task.repo!r} needs a local mirror; pass "
            "--repos-dir DIR, a folder holding clones as DIR/owner/name, DIR/owner__name or "
            "DIR/name (bare `.git` mirrors work too)"
        )
    return _mirror_source(task, Path(repos_dir))


def _local_source(task: Task) -> RepoSource:
    path = Path(task.path or "").expanduser()
    if not path.is_dir():
        raise SourceError(f"task {task.instance_id}: path {path} is not a folder")
    kind: SourceKind = "git" if task.base_commit and _is_git_repo(path) else "folder"
    return RepoSource(kind=kind, location=str(path), repo=task.repo)


def _mirror_source(task: Task, repos_dir: Path) -> RepoSource:
    if not _OWNER_NAME.match(task.repo):
        raise SourceError(f"task {task.instance_id}: repo {task.repo!r} is not owner/name or a URL")
    looked: list[str] = []
    for folder in mirror_candidates(repos_dir, task.repo):
        if _is_git_repo(folder):
            return RepoSource(kind="git", location=str(folder), repo=task.repo)
        looked.append(f"{folder}{' (not a git repository)' if folder.exists() else ''}")
    raise MissingMirror(
        f"task {task.instance_id}: no mirror of {task.repo} in {repos_dir}; looked at: "
        + ", ".join(looked)
    )


def mirror_candidates(repos_dir: Path, repo: str) -> list[Path]:
    """The folders that may hold a mirror of `owner/name`, in the order they are tried."""
    owner, name = repo.split("/", 1)
    stems = [repos_dir / owner / name, repos_dir / f"{owner}__{name}", repos_dir / name]
    found = [folder for stem in stems for folder in (stem, stem.with_name(stem.name + ".git"))]
    return [*found, repos_dir / f"{owner}+{name}" / "repo"]  # the layout `fetch` leaves


def open_repo(path: str | Path) -> git.Repo:
    """`git.Repo` of a clone, a bare repository, or a bare git directory without a config file
    (HEAD + objects, as the fetch tool leaves it: git commands are pointed at it explicitly)."""
    repo = git.Repo(path)
    if not (Path(path) / ".git").exists() and (Path(path) / "objects").is_dir():
        repo.git.update_environment(GIT_DIR=str(path))
    return repo


def _is_git_repo(path: Path) -> bool:
    """A clone or bare repository rooted at `path` itself (not merely inside one)."""
    try:
        git.Repo(path).close()
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return False
    return True


def export_tree(source: RepoSource, commit: str, dest: Path) -> Path:
    """Write the tree of `source` at `commit` (empty: as it is / HEAD) into `dest`; no .git.

    `dest` must be missing or empty. Returns `dest`.
    """
    dest = Path(dest)
    _prepare_dest(dest)
    if source.kind == "folder":
        _copy_folder(source, commit, dest)
    elif source.kind == "url":
        _export_from_url(source, commit, dest)
    else:
        _export_commit(Path(source.location), source, commit or "HEAD", dest)
    return dest


def _prepare_dest(dest: Path) -> None:
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise SourceError(f"cannot export into {dest}: it exists and is not an empty folder")
    dest.mkdir(parents=True, exist_ok=True)


def _copy_folder(source: RepoSource, commit: str, dest: Path) -> None:
    if commit:
        raise SourceError(
            f"{source.location} is not a git repository, so commit {commit} cannot be checked "
            "out: drop base_commit from the task or point path at a git checkout"
        )
    root = Path(source.location)
    listed = work_tree_files(root)
    if listed is None:
        ignore = shutil.ignore_patterns(".git")
        shutil.copytree(root, dest, symlinks=True, ignore=ignore, dirs_exist_ok=True)
        return
    dest.mkdir(parents=True, exist_ok=True)
    for rel in listed:
        src = root / rel
        if not src.is_symlink() and not src.exists():
            continue  # tracked, but deleted in the work tree
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dest / rel, follow_symlinks=False)


def work_tree_files(path: Path) -> list[str] | None:
    """What the user sees in a git work tree (tracked + untracked, not ignored); None if `path`
    is not the top of a work tree. Keeps virtualenvs and caches out of a CI-mode copy."""
    if not (path / ".git").exists() or not _is_git_repo(path):
        return None
    with git.Repo(path) as repo:
        listed = repo.git.ls_files("-co", "--exclude-standard", "-z")
    return [p for p in listed.split("\0") if p]


def _export_from_url(source: RepoSource, commit: str, dest: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="solver-clone-") as scratch:
        try:
            git.Repo.clone_from(source.location, scratch, bare=True).close()
        except git.GitCommandError as exc:
            raise SourceError(f"cannot clone {source.location}: {_git_stderr(exc)}") from exc
        _export_commit(Path(scratch), source, commit or "HEAD", dest)


def _export_commit(repo_path: Path, source: RepoSource, commit: str, dest: Path) -> None:
    """`git archive` of `commit` into a temporary tar file, then extracted into `dest`."""
    with open_repo(repo_path) as repo:
        try:
            sha = repo.git.rev_parse("--verify", "--quiet", f"{commit}^{{commit}}")
        except git.GitCommandError as exc:
            raise SourceError(_missing_commit_message(source, commit)) from exc
        absent = absent_blobs(repo, sha)
        if absent:
            _export_present(repo, sha, dest, absent)
            return
        with tempfile.TemporaryFile() as archive:
            repo.archive(archive, treeish=sha, format="tar")
            archive.seek(0)
            with tarfile.open(fileobj=archive, mode="r:") as tar:
                try:
                    tar.extractall(dest, filter="data")
                except tarfile.FilterError as exc:
                    raise SourceError(f"{source.describe()} at {commit}: {exc}") from exc


def absent_blobs(repo: git.Repo, sha: str) -> dict[str, str]:
    """Files of `sha` whose content the repository lacks (a mirror that left its largest blobs
    out), by path; `git archive` refuses such a tree."""
    listing = repo.git.ls_tree("-r", "-z", sha).split("\0")
    blobs = {line.split()[2]: line.split("\t", 1)[1] for line in listing
             if line and line.split()[1] == "blob"}
    checked = subprocess.run(
        ["git", "--git-dir", repo.git_dir, "cat-file", "--batch-check"], check=True,
        input="\n".join(blobs) + "\n", capture_output=True, text=True).stdout if blobs else ""
    return {blobs[line.split()[0]]: line.split()[0] for line in checked.splitlines()
            if line.endswith(" missing")}


def _export_present(repo: git.Repo, sha: str, dest: Path, absent: dict[str, str]) -> None:
    """The files of `sha` the repository has, written one by one (modes and symlinks kept);
    `absent` left out."""
    for line in repo.git.ls_tree("-r", "-z", sha).split("\0"):
        if not line:
            continue
        meta, path = line.split("\t", 1)
        mode, kind, obj = meta.split()
        if kind != "blob" or path in absent:
            continue
        target = dest / path
        target.parent.mkdir(parents=True, exist_ok=True)
        data = repo.odb.stream(bytes.fromhex(obj)).read()
        if mode == "120000":
            target.symlink_to(data.decode())
        else:
            target.write_bytes(data)
            target.chmod(0o755 if mode == "100755" else 0o644)


def _missing_commit_message(source: RepoSource, commit: str) -> str:
    where = source.describe()
    if source.kind == "url":
        return f"commit {commit} is not in {where}"
    return (
        f"commit {commit} is not in {where}: fetch it "
        f"(git -C {source.location} fetch origin {commit}) or use a mirror with full history"
    )


def _git_stderr(exc: git.GitCommandError) -> str:
    text = str(exc.stderr or exc).strip()
    return text.removeprefix("stderr:").strip().strip("'").strip()


def tree_digest(path: Path) -> str:
    """sha256 over each file's relative path, git-style mode and content (symlinks: target).

    `.git` folders are left out; modes are normalised as git does (644, 755, symlink), so the
    digest does not depend on the umask or the checkout's history.
    """
    root = Path(path)
    digest = hashlib.sha256()
    for relative in _tree_files(root):
        full = root / relative
        mode, content = _entry(full)
        digest.update(f"{mode} {relative}\0".encode())
        digest.update(hashlib.sha256(content).digest())
    return digest.hexdigest()


def _tree_files(root: Path) -> list[str]:
    """Relative POSIX paths of the files and symlinks under `root`, sorted, .git excluded."""
    found: list[str] = []
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        kept = [d for d in dirs if d != ".git"]
        links = [d for d in kept if (here / d).is_symlink()]
        dirs[:] = [d for d in kept if d not in links]
        found.extend((here / name).relative_to(root).as_posix() for name in [*files, *links])
    return sorted(found)


def _entry(path: Path) -> tuple[str, bytes]:
    info = path.lstat()
    if stat.S_ISLNK(info.st_mode):
        return "120000", path.readlink().as_posix().encode()
    mode = "100755" if info.st_mode & 0o111 else "100644"
    return mode, path.read_bytes()
