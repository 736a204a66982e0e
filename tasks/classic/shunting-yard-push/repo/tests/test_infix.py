from parsing import to_postfix


def test_single_operand():
    assert to_postfix(["x"]) == ["x"]


def test_addition():
    assert to_postfix(["a", "+", "b"]) == ["a", "b", "+"]


def test_precedence():
    assert to_postfix(["a", "+", "b", "*", "c"]) == ["a", "b", "c", "*", "+"]
