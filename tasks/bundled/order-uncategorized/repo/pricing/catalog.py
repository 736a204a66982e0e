"""Products and the catalog that holds them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Product:
    """A sellable item.  ``category`` is optional (``None`` = uncategorised)."""

    sku: str
    name: str
    unit_price: Decimal
    category: str | None = None

    def __post_init__(self) -> None:
        if self.unit_price < 0:
            raise ValueError("unit price cannot be negative")


class Catalog:
    def __init__(self, products=()):
        self._products: dict[str, Product] = {}
        for product in products:
            self.add(product)

    def add(self, product: Product) -> None:
        if product.sku in self._products:
            raise ValueError(f"duplicate sku {product.sku}")
        self._products[product.sku] = product

    def get(self, sku: str) -> Product:
        try:
            return self._products[sku]
        except KeyError:
            raise KeyError(f"unknown sku {sku!r}") from None

    def __len__(self) -> int:
        return len(self._products)
