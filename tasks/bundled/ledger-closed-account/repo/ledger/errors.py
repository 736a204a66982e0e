"""Exceptions raised by the ledger.  All derive from :class:`LedgerError`."""


class LedgerError(Exception):
    pass


class InsufficientFunds(LedgerError):
    def __init__(self, account_id: str, requested, available):
        super().__init__(f"{account_id}: requested {requested}, available {available}")
        self.account_id = account_id
        self.requested = requested
        self.available = available


class AccountClosed(LedgerError):
    def __init__(self, account_id: str):
        super().__init__(f"account {account_id} is closed")
        self.account_id = account_id


class UnknownAccount(LedgerError, KeyError):
    def __init__(self, account_id: str):
        super().__init__(f"no account {account_id!r}")
        self.account_id = account_id
