import pytest

from jsonptr import PointerError, add, remove


def test_add_member_and_insert():
    doc = {"a": [1, 3]}
    add(doc, "/a/1", 2)
    add(doc, "/b", {"c": 1})
    assert doc == {"a": [1, 2, 3], "b": {"c": 1}}


def test_add_append_dash():
    doc = {"a": [1]}
    add(doc, "/a/-", 2)
    assert doc == {"a": [1, 2]}


def test_add_past_end_rejected():
    with pytest.raises(PointerError):
        add({"a": [1]}, "/a/5", 2)


def test_remove():
    doc = {"a": [1, 2, 3], "b": 1}
    assert remove(doc, "/a/0") == 1
    assert remove(doc, "/b") == 1
    assert doc == {"a": [2, 3]}


def test_root_not_a_target():
    with pytest.raises(PointerError):
        remove({}, "")
