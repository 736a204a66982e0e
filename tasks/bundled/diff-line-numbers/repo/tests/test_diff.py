from seqdiff import annotate, diff_ops, unified


def test_ops_roundtrip():
    a = ["x", "y", "z"]
    b = ["y", "z", "w"]
    ops = diff_ops(a, b)
    assert [op.line for op in ops if op.tag != "+"] == a
    assert [op.line for op in ops if op.tag != "-"] == b


def test_identical_inputs_give_empty_unified():
    assert unified(["a"], ["a"]) == []


def test_annotate_numbers_from_one():
    rows = annotate(["a", "b", "c"], ["a", "B", "c"])
    assert rows == ["   1    1   a", "   2      - b", "        2 + B", "   3    3   c"]


def test_unified_hunk_header():
    out = unified(["a", "b", "c"], ["a", "B", "c"], context=0)
    assert out == ["--- a", "+++ b", "@@ -2 +2 @@", "-b", "+B"]


def test_unified_body_with_context():
    out = unified(["a", "b", "c"], ["a", "B", "c"], context=1)
    assert out[3:] == [" a", "-b", "+B", " c"]
