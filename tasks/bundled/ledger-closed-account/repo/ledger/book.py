"""The :class:`Ledger`: accounts plus atomic transfers."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from .account import Account
from .errors import InsufficientFunds, LedgerError, UnknownAccount


@dataclass(frozen=True)
class TransferResult:
    source: str
    target: str
    amount: Decimal
    error: LedgerError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def insufficient_funds(self) -> bool:
        """True if the transfer failed only because the source lacked funds."""
        return isinstance(self.error, InsufficientFunds)


class Ledger:
    def __init__(self):
        self._accounts: dict[str, Account] = {}

    def open(self, account_id: str, initial: Decimal = Decimal(0),
             overdraft_limit: Decimal = Decimal(0)) -> Account:
        if account_id in self._accounts:
            raise ValueError(f"account {account_id!r} already exists")
        account = Account(account_id, Decimal(initial), Decimal(overdraft_limit))
        self._accounts[account_id] = account
        return account

    def account(self, account_id: str) -> Account:
        try:
            return self._accounts[account_id]
        except KeyError:
            raise UnknownAccount(account_id) from None

    def close(self, account_id: str) -> None:
        self.account(account_id).closed = True

    def balance(self, account_id: str) -> Decimal:
        return self.account(account_id).balance

    def total(self) -> Decimal:
        return sum((a.balance for a in self._accounts.values()), Decimal(0))

    def transfer(self, source: str, target: str, amount: Decimal) -> None:
        """Move ``amount`` from ``source`` to ``target``.

        Atomic: if any step fails, both accounts are left as they were and
        the :class:`LedgerError` is re-raised.
        """
        src = self.account(source)
        dst = self.account(target)
        src.withdraw(amount)
        try:
            dst.deposit(amount)
        except InsufficientFunds:
            src.refund(amount)
            raise

    def apply_batch(self, transfers: Iterable[tuple[str, str, Decimal]]) -> list[TransferResult]:
        """Apply transfers in order; a failing one is recorded and skipped."""
        results = []
        for source, target, amount in transfers:
            try:
                self.transfer(source, target, amount)
            except InsufficientFunds as exc:
                results.append(TransferResult(source, target, amount, exc))
            else:
                results.append(TransferResult(source, target, amount))
        return results
