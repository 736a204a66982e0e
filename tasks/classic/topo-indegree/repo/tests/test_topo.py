import pytest

from graphs import CycleError, topological_order


def test_single():
    assert topological_order({"a": []}) == ["a"]


def test_chain():
    assert topological_order({"a": ["b"], "b": ["c"]}) == ["a", "b", "c"]


def test_cycle_detected():
    with pytest.raises(CycleError):
        topological_order({"a": ["b"], "b": ["a"]})
