from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from domain.catalog import Product
from domain.ports.clock import Clock
from domain.ports.unit_of_work import UnitOfWorkFactory
from domain.user import User


@dataclass(frozen=True, kw_only=True)
class AddProductCommand:
    name: str
    price: int
    options: Sequence[tuple[str, int]] = field(default_factory=tuple)


class AddProduct:
    """Adds a product with its options to the catalog (prices in whole won)."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    async def execute(self, cmd: AddProductCommand) -> Product:
        product = Product.create(cmd.name, cmd.price, list(cmd.options), self._clock.now())
        async with self._uow() as uow:
            await uow.products.add(product)
            await uow.commit()
        return product


class RegisterUser:
    """Registers a shopper by name."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    async def execute(self, name: str) -> User:
        user = User.register(name, self._clock.now())
        async with self._uow() as uow:
            await uow.users.add(user)
            await uow.commit()
        return user
