from .bst import Node, height, insert

__all__ = ["Node", "insert", "height"]
