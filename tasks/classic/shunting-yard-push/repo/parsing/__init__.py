from .infix import to_postfix

__all__ = ["to_postfix"]
