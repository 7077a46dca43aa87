"""Products and their options; prices are whole KRW."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from domain.errors import InvalidInput, NotFound

MAX_PRICE = 100_000_000  # one hundred million won: beyond it, a typo rather than a product


@dataclass(eq=False)
class ProductOption:
    name: str
    extra_price: int
    id: int | None = None
    product_id: int | None = None


@dataclass(eq=False)
class Product:
    name: str
    price: int
    created_at: datetime
    options: list[ProductOption] = field(default_factory=list)
    id: int | None = None

    @classmethod
    def create(cls, name: str, price: int, options: list[tuple[str, int]], at: datetime) -> Product:
        if not name.strip():
            raise InvalidInput("a product needs a name")
        if not 0 < price <= MAX_PRICE:
            raise InvalidInput(f"price must be between 1 and {MAX_PRICE} won")
        for option_name, extra in options:
            if not option_name.strip():
                raise InvalidInput("every option needs a name")
            if not 0 <= extra <= MAX_PRICE:
                raise InvalidInput(f"extraPrice must be between 0 and {MAX_PRICE} won")
        return cls(
            name=name.strip(),
            price=price,
            created_at=at,
            options=[ProductOption(name=n.strip(), extra_price=e) for n, e in options],
        )

    def option(self, option_id: int) -> ProductOption | None:
        """The option with this id; 0 means the product without an option."""
        if option_id == 0:
            return None
        for option in self.options:
            if option.id == option_id:
                return option
        raise NotFound(f"product {self.id} has no option {option_id}")

    def unit_price(self, option_id: int) -> int:
        option = self.option(option_id)
        return self.price + (option.extra_price if option else 0)
