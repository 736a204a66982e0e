"""Cycle detection in a linked list (tortoise and hare)."""


class Node:
    def __init__(self, value, next=None):
        self.value = value
        self.next = next


def chain(values, loop_to=None):
    """Build a list; if `loop_to` is an index, the last node points back to that node."""
    nodes = [Node(v) for v in values]
    for a, b in zip(nodes, nodes[1:]):
        a.next = b
    if nodes and loop_to is not None:
        nodes[-1].next = nodes[loop_to]
    return nodes[0] if nodes else None


def has_cycle(head):
    slow = fast = head
    while fast is not None:
        slow = slow.next
        fast = fast.next.next
        if slow is fast:
            return True
    return False
