from .nodes import ListNode, from_list, remove_value, reverse, to_list

__all__ = ["ListNode", "from_list", "to_list", "reverse", "remove_value"]
