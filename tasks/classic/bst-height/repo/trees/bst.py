"""A plain binary search tree."""


class Node:
    def __init__(self, key):
        self.key = key
        self.left = None
        self.right = None


def insert(root, key):
    if root is None:
        return Node(key)
    if key < root.key:
        root.left = insert(root.left, key)
    elif key > root.key:
        root.right = insert(root.right, key)
    return root


def height(node):
    """Number of nodes on the longest root-to-leaf path (0 for an empty tree)."""
    if node is None:
        return 0
    return 1 + max(height(node.left), height(node.left))
