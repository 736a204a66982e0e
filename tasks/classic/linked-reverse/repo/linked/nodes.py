"""Singly linked lists."""


class ListNode:
    def __init__(self, value, next=None):
        self.value = value
        self.next = next


def from_list(values):
    head = None
    for v in reversed(values):
        head = ListNode(v, head)
    return head


def to_list(head):
    out = []
    while head is not None:
        out.append(head.value)
        head = head.next
    return out


def remove_value(head, value):
    dummy = ListNode(None, head)
    prev, node = dummy, head
    while node is not None:
        if node.value == value:
            prev.next = node.next
        else:
            prev = node
        node = node.next
    return dummy.next


def reverse(head):
    prev = None
    node = head
    while node is not None:
        following = node.next
        node.next = prev
        node = following
    return prev
