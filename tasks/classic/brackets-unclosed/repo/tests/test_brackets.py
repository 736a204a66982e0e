from parsing import balanced


def test_empty():
    assert balanced("")


def test_nested():
    assert balanced("a[b(c){d}]")


def test_wrong_order():
    assert not balanced("(]")


def test_unclosed():
    assert not balanced("((x)")
