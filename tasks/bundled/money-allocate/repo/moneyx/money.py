"""The :class:`Money` value type."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

from .currency import Currency, get_currency


class CurrencyMismatch(TypeError):
    pass


class Money:
    """An amount in a currency, always quantized to the currency's minor unit."""

    __slots__ = ("amount", "currency")

    def __init__(self, amount, currency: str | Currency):
        if isinstance(currency, str):
            currency = get_currency(currency)
        if isinstance(amount, float):
            raise TypeError("use str or Decimal amounts, not float")
        exp = Decimal(1).scaleb(-currency.exponent)
        self.amount = Decimal(amount).quantize(exp, rounding=ROUND_HALF_EVEN)
        self.currency = currency

    @classmethod
    def from_minor(cls, units: int, currency: str | Currency) -> Money:
        if isinstance(currency, str):
            currency = get_currency(currency)
        return cls(Decimal(units).scaleb(-currency.exponent), currency)

    @property
    def minor_units(self) -> int:
        return int(self.amount.scaleb(self.currency.exponent))

    def _check(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError(f"expected Money, got {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatch(f"{self.currency.code} vs {other.currency.code}")

    def __add__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.amount - other.amount, self.currency)

    def __mul__(self, factor) -> Money:
        if isinstance(factor, float):
            factor = Decimal(str(factor))
        return Money(self.amount * Decimal(factor), self.currency)

    __rmul__ = __mul__

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        return self.currency == other.currency and self.amount == other.amount

    def __hash__(self) -> int:
        return hash((self.amount, self.currency.code))

    def __lt__(self, other: Money) -> bool:
        self._check(other)
        return self.amount < other.amount

    def __repr__(self) -> str:
        return f"Money({str(self.amount)!r}, {self.currency.code!r})"

    def format(self) -> str:
        sign = "-" if self.amount < 0 else ""
        symbol = self.currency.symbol or self.currency.code + " "
        return f"{sign}{symbol}{abs(self.amount):,}"
