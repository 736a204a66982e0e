"""Exact money arithmetic on top of :mod:`decimal`."""

from .allocate import allocate, split_evenly
from .currency import Currency, get_currency
from .money import CurrencyMismatch, Money

__all__ = ["Money", "Currency", "get_currency", "CurrencyMismatch", "allocate", "split_evenly"]
