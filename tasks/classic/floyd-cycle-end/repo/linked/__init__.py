from .cycle import Node, chain, has_cycle

__all__ = ["Node", "chain", "has_cycle"]
