from graphs import distance


def test_same_node():
    assert distance({}, "a", "a") == 0


def test_two_hops():
    assert distance({"a": ["b"], "b": ["c"]}, "a", "c") == 2


def test_unreachable():
    assert distance({"a": ["b"], "c": ["a"]}, "a", "c") is None
