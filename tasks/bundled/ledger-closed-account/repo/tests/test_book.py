from decimal import Decimal

import pytest

from ledger import AccountClosed, InsufficientFunds, Ledger, UnknownAccount


def make():
    book = Ledger()
    book.open("alice", Decimal("100"))
    book.open("bob", Decimal("20"))
    return book


def test_transfer():
    book = make()
    book.transfer("alice", "bob", Decimal("30"))
    assert (book.balance("alice"), book.balance("bob")) == (Decimal("70"), Decimal("50"))


def test_transfer_insufficient_funds_untouched():
    book = make()
    with pytest.raises(InsufficientFunds):
        book.transfer("bob", "alice", Decimal("21"))
    assert book.total() == Decimal("120")


def test_unknown_account():
    with pytest.raises(UnknownAccount):
        make().balance("carol")


def test_transfer_to_closed_account_rolls_back():
    book = make()
    book.close("bob")
    with pytest.raises(AccountClosed):
        book.transfer("alice", "bob", Decimal("30"))
    assert book.balance("alice") == Decimal("100")


def test_batch_records_failures():
    book = make()
    results = book.apply_batch([
        ("alice", "bob", Decimal("10")),
        ("bob", "alice", Decimal("500")),
        ("bob", "alice", Decimal("5")),
    ])
    assert [r.ok for r in results] == [True, False, True]
    assert isinstance(results[1].error, InsufficientFunds)
    assert [r.insufficient_funds for r in results] == [False, True, False]
    assert book.balance("bob") == Decimal("25")


def test_batch_continues_after_closed_account():
    book = make()
    book.open("carol")
    book.close("carol")
    results = book.apply_batch([("alice", "carol", Decimal("10")), ("alice", "bob", Decimal("1"))])
    assert [r.ok for r in results] == [False, True]
    assert book.balance("bob") == Decimal("21")
