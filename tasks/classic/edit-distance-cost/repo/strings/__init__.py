from .distance import levenshtein

__all__ = ["levenshtein"]
