from graphs import reachable


def test_single_node():
    assert reachable({}, "a") == {"a"}


def test_chain():
    assert reachable({"a": ["b"], "b": ["c"]}, "a") == {"a", "b", "c"}


def test_cycle():
    assert reachable({"a": ["b"], "b": ["a"], "c": ["a"]}, "a") == {"a", "b"}
