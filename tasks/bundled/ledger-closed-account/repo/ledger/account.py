"""A single account with an optional overdraft."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .errors import AccountClosed, InsufficientFunds


@dataclass
class Account:
    id: str
    balance: Decimal = Decimal(0)
    overdraft_limit: Decimal = Decimal(0)
    closed: bool = False
    history: list[tuple[str, Decimal]] = field(default_factory=list)

    def _check_open(self) -> None:
        if self.closed:
            raise AccountClosed(self.id)

    @staticmethod
    def _check_amount(amount: Decimal) -> None:
        if amount <= 0:
            raise ValueError("amount must be positive")

    def deposit(self, amount: Decimal) -> None:
        self._check_amount(amount)
        self._check_open()
        self.balance += amount
        self.history.append(("deposit", amount))

    def withdraw(self, amount: Decimal) -> None:
        self._check_amount(amount)
        self._check_open()
        available = self.balance + self.overdraft_limit
        if amount > available:
            raise InsufficientFunds(self.id, amount, available)
        self.balance -= amount
        self.history.append(("withdraw", amount))

    def refund(self, amount: Decimal) -> None:
        """Undo a withdrawal (allowed even on a closed account)."""
        self.balance += amount
        self.history.append(("refund", amount))
