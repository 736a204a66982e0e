"""An in-memory double-entry-ish bank ledger."""

from .account import Account
from .book import Ledger, TransferResult
from .errors import AccountClosed, InsufficientFunds, LedgerError, UnknownAccount

__all__ = ["Account", "Ledger", "TransferResult", "LedgerError", "InsufficientFunds",
           "AccountClosed", "UnknownAccount"]
