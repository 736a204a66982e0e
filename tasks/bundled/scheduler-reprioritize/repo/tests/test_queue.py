import pytest

from schedq import PriorityQueue


def test_pop_in_priority_order():
    q = PriorityQueue()
    for task, prio in [("c", 3), ("a", 1), ("b", 2)]:
        q.push(task, prio)
    assert [q.pop(), q.pop(), q.pop()] == ["a", "b", "c"]


def test_ties_are_fifo():
    q = PriorityQueue()
    for task in "xyz":
        q.push(task, 1)
    assert [q.pop() for _ in range(3)] == ["x", "y", "z"]


def test_remove():
    q = PriorityQueue()
    q.push("a", 1)
    q.push("b", 2)
    q.remove("a")
    assert len(q) == 1
    assert q.peek() == "b"


def test_push_existing_replaces():
    q = PriorityQueue()
    q.push("a", 5)
    q.push("b", 3)
    q.push("a", 1)
    assert len(q) == 2
    assert q.pop() == "a"


def test_change_priority():
    q = PriorityQueue()
    q.push("backup", 5)
    q.push("email", 1)
    q.change_priority("backup", 0)
    assert q.pop() == "backup"
    assert q.pop() == "email"


def test_change_priority_unknown():
    with pytest.raises(KeyError):
        PriorityQueue().change_priority("ghost", 1)


def test_pop_empty():
    with pytest.raises(KeyError):
        PriorityQueue().pop()
