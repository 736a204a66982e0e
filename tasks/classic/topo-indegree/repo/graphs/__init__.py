from .topo import CycleError, topological_order

__all__ = ["topological_order", "CycleError"]
