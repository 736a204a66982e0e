from graphs import shortest_distances


def test_source_only():
    assert shortest_distances({}, "a") == {"a": 0}


def test_single_edge():
    assert shortest_distances({"a": [("b", 3)]}, "a") == {"a": 0, "b": 3}


def test_prefers_cheaper_detour():
    g = {"a": [("b", 10), ("c", 1)], "c": [("b", 2)]}
    assert shortest_distances(g, "a") == {"a": 0, "b": 3, "c": 1}
