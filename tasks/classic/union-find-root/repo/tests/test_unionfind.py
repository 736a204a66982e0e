from graphs import DisjointSet, count_components


def test_fresh_elements_apart():
    ds = DisjointSet()
    assert not ds.connected(1, 2)


def test_direct_union():
    ds = DisjointSet()
    ds.union(1, 2)
    assert ds.connected(1, 2)


def test_transitive():
    ds = DisjointSet()
    ds.union(1, 2)
    ds.union(1, 3)
    assert ds.connected(2, 3)
