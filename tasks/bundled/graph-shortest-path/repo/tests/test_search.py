import pytest

from graphkit import Graph, bfs_order, connected_components, distance, shortest_path


def chain():
    return Graph.from_edges([("a", "b"), ("b", "c"), ("c", "d")])


def test_bfs_order():
    g = Graph.from_edges([(1, 2), (1, 3), (2, 4), (3, 4)])
    assert bfs_order(g, 1) == [1, 2, 3, 4]


def test_shortest_path_neighbour():
    assert shortest_path(chain(), "a", "b") == ["a", "b"]


def test_shortest_path_same_node():
    assert shortest_path(chain(), "c", "c") == ["c"]


def test_shortest_path_multi_hop():
    assert shortest_path(chain(), "a", "d") == ["a", "b", "c", "d"]


def test_shortest_path_unreachable():
    assert shortest_path(chain(), "d", "a") is None


def test_shortest_path_unknown_node():
    with pytest.raises(KeyError):
        shortest_path(chain(), "a", "zz")


def test_distance():
    assert distance(chain(), "a", "d") == 3
    assert distance(chain(), "d", "a") is None


def test_components():
    g = Graph.from_edges([(1, 2), (3, 4), (4, 5)], directed=False)
    g.add_node(6)
    assert connected_components(g) == [{1, 2}, {3, 4, 5}, {6}]
