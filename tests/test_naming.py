"""The image namespace (SOLVER_IMAGE_NAMESPACE): every image the solver builds, bases included,
is named in it, so a run there starts from an empty cache; a bad one is refused in one line."""

import pytest

from sandbox.image_cache import grace_seconds
from sandbox.naming import cache_repositories, namespace, repository


def test_no_namespace_keeps_the_shared_names(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("SOLVER_IMAGE_NAMESPACE", raising=False)
    assert repository("solver-env") == "solver-env"
    assert repository("python") == "python"
    assert "solver-session" in cache_repositories()


def test_a_namespace_prefixes_every_repository(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SOLVER_IMAGE_NAMESPACE", "clean18")
    assert repository("python") == "clean18/python"
    assert set(cache_repositories()) == {"clean18/solver-session", "clean18/solver-cov",
                                         "clean18/solver-env", "clean18/solver-build"}


@pytest.mark.parametrize("bad", ["Clean", "a b", "x/", "-x", "a:b"])
def test_a_bad_namespace_says_why(monkeypatch: pytest.MonkeyPatch, bad: str):
    monkeypatch.setenv("SOLVER_IMAGE_NAMESPACE", bad)
    with pytest.raises(ValueError, match="not a Docker repository path"):
        namespace()


def test_the_grace_period_can_be_set(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SOLVER_IMAGE_GRACE_S", "0")
    assert grace_seconds() == 0.0
    monkeypatch.setenv("SOLVER_IMAGE_GRACE_S", "soon")
    with pytest.raises(ValueError, match="not a number of seconds"):
        grace_seconds()
