import pytest

from graphkit import CycleError, Graph, topological_sort


def test_topological_sort():
    g = Graph.from_edges([("shirt", "tie"), ("tie", "jacket"), ("trousers", "shoes"), ("trousers", "belt"), ("belt", "jacket")])
    order = topological_sort(g)
    for u, v in g.edges():
        assert order.index(u) < order.index(v)


def test_cycle_detected():
    g = Graph.from_edges([(1, 2), (2, 3), (3, 1), (0, 1)])
    with pytest.raises(CycleError) as info:
        topological_sort(g)
    assert info.value.nodes == {1, 2, 3}
