from .rpn import evaluate

__all__ = ["evaluate"]
