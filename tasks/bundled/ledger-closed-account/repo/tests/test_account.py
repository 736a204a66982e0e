from decimal import Decimal

import pytest

from ledger import Account, AccountClosed, InsufficientFunds


def test_deposit_withdraw():
    acc = Account("a", Decimal("10"))
    acc.deposit(Decimal("5"))
    acc.withdraw(Decimal("12"))
    assert acc.balance == Decimal("3")
    assert [kind for kind, _ in acc.history] == ["deposit", "withdraw"]


def test_overdraft():
    acc = Account("a", Decimal("10"), overdraft_limit=Decimal("5"))
    acc.withdraw(Decimal("15"))
    with pytest.raises(InsufficientFunds):
        acc.withdraw(Decimal("0.01"))


def test_closed_account_rejects_deposit():
    acc = Account("a", closed=True)
    with pytest.raises(AccountClosed):
        acc.deposit(Decimal("1"))


def test_positive_amounts_only():
    with pytest.raises(ValueError):
        Account("a").deposit(Decimal("-1"))
