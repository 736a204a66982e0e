"""Resolving a task's repository (folder, checkout, mirror, URL) and exporting one commit's tree."""

from __future__ import annotations

import shutil
from pathlib import Path

import git
import pytest

from tasks.model import Task
from tasks.source import (
    RepoSource,
    SourceError,
    export_tree,
    mirror_candidates,
    resolve_source,
    tree_digest,
)

AUTHOR = git.Actor("Test", "test@example.com")


def _commit(repo: git.Repo, files: dict[str, str], message: str) -> str:
    for name, text in files.items():
        path = Path(repo.working_tree_dir or "") / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    repo.index.add(list(files))
    return repo.index.commit(message, author=AUTHOR, committer=AUTHOR).hexsha


@pytest.fixture
def upstream(tmp_path: Path) -> tuple[Path, str, str]:
    """A clone with two commits; the second adds `second.py`. Returns (path, first, second)."""
    path = tmp_path / "upstream"
    with git.Repo.init(path) as repo:
        first = _commit(repo, {"pkg/core.py": "VALUE = 1\n", "README": "v1\n"}, "first")
        second = _commit(repo, {"second.py": "NEW = 2\n", "README": "v2\n"}, "second")
    return path, first, second


@pytest.fixture
def bare_mirror(tmp_path: Path, upstream: tuple[Path, str, str]) -> Path:
    """A bare mirror of `upstream` laid out as repos/acme/widgets.git."""
    dest = tmp_path / "repos" / "acme" / "widgets.git"
    git.Repo.clone_from(str(upstream[0]), dest, multi_options=["--mirror"]).close()
    return dest


def _files(root: Path) -> set[str]:
    return {path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file()}


def test_checkout_path_with_base_commit_exports_that_commit(
    tmp_path: Path, upstream: tuple[Path, str, str]
) -> None:
    path, first, _ = upstream
    task = Task(instance_id="t", path=path, base_commit=first)

    source = resolve_source(task, repos_dir=None)
    out = export_tree(source, task.base_commit, tmp_path / "out")

    assert source.kind == "git"
    assert _files(out) == {"pkg/core.py", "README"}
    assert (out / "README").read_text() == "v1\n"
    assert not (out / ".git").exists()


def test_plain_folder_is_copied_as_is(tmp_path: Path, upstream: tuple[Path, str, str]) -> None:
    path, _, _ = upstream
    (path / "dirty.txt").write_text("uncommitted\n")
    task = Task(instance_id="t", path=path)

    source = resolve_source(task, repos_dir=None)
    out = export_tree(source, "", tmp_path / "out")

    assert source.kind == "folder"
    assert _files(out) == {"pkg/core.py", "README", "second.py", "dirty.txt"}
    assert not (out / ".git").exists()


def test_plain_folder_cannot_export_a_commit(tmp_path: Path) -> None:
    (tmp_path / "plain").mkdir()
    source = resolve_source(Task(instance_id="t", path=tmp_path / "plain"), None)

    with pytest.raises(SourceError, match="not a git repository"):
        export_tree(source, "abc123", tmp_path / "out")


def test_bare_mirror_exports_the_first_commit(
    tmp_path: Path, upstream: tuple[Path, str, str], bare_mirror: Path
) -> None:
    _, first, second = upstream
    task = Task(instance_id="acme__widgets-1", repo="acme/widgets", base_commit=first)

    source = resolve_source(task, tmp_path / "repos")
    out = export_tree(source, first, tmp_path / "at-first")
    latest = export_tree(source, second, tmp_path / "at-second")

    assert source == RepoSource(kind="git", location=str(bare_mirror), repo="acme/widgets")
    assert not (out / "second.py").exists()
    assert (out / "pkg" / "core.py").read_text() == "VALUE = 1\n"
    assert not (out / ".git").exists()
    assert (latest / "second.py").exists()


@pytest.mark.parametrize("layout", ["acme__widgets", "widgets", "acme/widgets"])
def test_normal_clone_mirror_layouts(
    tmp_path: Path, upstream: tuple[Path, str, str], layout: str
) -> None:
    path, first, _ = upstream
    repos = tmp_path / "repos"
    git.Repo.clone_from(str(path), repos / layout).close()
    task = Task(instance_id="t", repo="acme/widgets", base_commit=first)

    source = resolve_source(task, repos)
    out = export_tree(source, first, tmp_path / "out")

    assert source.location == str(repos / layout)
    assert _files(out) == {"pkg/core.py", "README"}


def test_git_url_is_cloned_and_exported(tmp_path: Path, upstream: tuple[Path, str, str]) -> None:
    path, first, _ = upstream
    task = Task(instance_id="t", repo=path.as_uri(), base_commit=first)

    source = resolve_source(task, repos_dir=None)
    out = export_tree(source, first, tmp_path / "out")

    assert source.kind == "url"
    assert _files(out) == {"pkg/core.py", "README"}


def test_owner_name_without_repos_dir_explains_the_option() -> None:
    task = Task(instance_id="t", repo="acme/widgets", base_commit="abc")

    with pytest.raises(SourceError, match="--repos-dir"):
        resolve_source(task, repos_dir=None)


def test_missing_mirror_names_repository_and_folders(tmp_path: Path) -> None:
    repos = tmp_path / "repos"
    (repos / "widgets").mkdir(parents=True)
    task = Task(instance_id="t", repo="acme/widgets", base_commit="abc")

    with pytest.raises(SourceError) as caught:
        resolve_source(task, repos)

    message = str(caught.value)
    assert "acme/widgets" in message
    for folder in mirror_candidates(repos, "acme/widgets"):
        assert str(folder) in message
    assert f"{repos / 'widgets'} (not a git repository)" in message


def test_missing_commit_is_a_clear_error(tmp_path: Path, bare_mirror: Path) -> None:
    task = Task(instance_id="t", repo="acme/widgets", base_commit="0" * 40)
    source = resolve_source(task, tmp_path / "repos")

    with pytest.raises(SourceError, match=f"commit {'0' * 40} is not in git {bare_mirror}"):
        export_tree(source, task.base_commit, tmp_path / "out")


def test_missing_path_and_nonempty_dest(tmp_path: Path, upstream: tuple[Path, str, str]) -> None:
    with pytest.raises(SourceError, match="is not a folder"):
        resolve_source(Task(instance_id="t", path=tmp_path / "gone"), None)
    source = resolve_source(Task(instance_id="t", path=upstream[0]), None)
    with pytest.raises(SourceError, match="not an empty folder"):
        export_tree(source, "", upstream[0])


def test_tree_digest_is_stable_and_sees_paths_modes_contents(
    tmp_path: Path, upstream: tuple[Path, str, str]
) -> None:
    path, first, _ = upstream
    source = resolve_source(Task(instance_id="t", path=path, base_commit=first), None)
    one = export_tree(source, first, tmp_path / "one")
    two = export_tree(source, first, tmp_path / "two")
    digest = tree_digest(one)

    assert digest == tree_digest(two)
    assert len(digest) == 64
    (two / "pkg" / "core.py").chmod(0o755)
    assert tree_digest(two) != digest
    (two / "pkg" / "core.py").chmod(0o644)
    assert tree_digest(two) == digest
    (two / "README").write_text("v1!\n")
    assert tree_digest(two) != digest
    (two / "README").rename(two / "README.md")
    assert tree_digest(two) != tree_digest(one)


def test_tree_digest_ignores_git_metadata(tmp_path: Path, upstream: tuple[Path, str, str]) -> None:
    path, first, _ = upstream
    source = resolve_source(Task(instance_id="t", path=path, base_commit=first), None)
    out = export_tree(source, first, tmp_path / "out")
    with git.Repo.init(out) as repo:
        before = tree_digest(out)
        _commit(repo, {"README": "v1\n"}, "same content")

    assert tree_digest(out) == before


def test_fetched_mirror_layout_is_found(tmp_path: Path, upstream: tuple[Path, str, str]) -> None:
    """`owner+name/repo`, the layout the fetch tool leaves, is a mirror too."""
    dest = tmp_path / "repos" / "acme+widgets" / "repo"
    with git.Repo.clone_from(str(upstream[0]), dest, multi_options=["--mirror"]) as repo:
        repo.git.repack("-a", "-d")
    for extra in dest.iterdir():  # what fetch leaves: no config
        if extra.name not in ("HEAD", "objects", "refs", "packed-refs"):
            shutil.rmtree(extra) if extra.is_dir() else extra.unlink()
    task = Task(instance_id="t", repo="acme/widgets", base_commit=upstream[1])
    export_tree(resolve_source(task, tmp_path / "repos"), task.base_commit, tmp_path / "out")
    assert _files(tmp_path / "out")
