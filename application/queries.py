"""Read-only use-cases: listings and the group's confirmation status, one query each."""

from __future__ import annotations

from collections.abc import Sequence

from domain.catalog import Product
from domain.errors import Forbidden, NotFound
from domain.ports.unit_of_work import UnitOfWorkFactory
from domain.views import OrderView, UserView


class ListUserOrders:
    """A user's orders, newest first; a signed-in user sees only their own."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def execute(self, user_id: int, acting_user_id: int | None = None) -> Sequence[OrderView]:
        if acting_user_id is not None and acting_user_id != user_id:
            raise Forbidden("you can list only your own orders")
        async with self._uow(read_only=True) as uow:
            orders = await uow.orders.of_user_if_exists(user_id)
        if orders is None:
            raise NotFound(f"user {user_id} does not exist")
        return orders


class ListProductBuyers:
    """Users with a live order (PAID or later, not refunded) for a product."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def execute(self, product_id: int) -> Sequence[UserView]:
        async with self._uow(read_only=True) as uow:
            buyers = await uow.users.buyers_if_product_exists(product_id)
        if buyers is None:
            raise NotFound(f"product {product_id} does not exist")
        return buyers


class GroupConfirmationStatus:
    """True when the group has exactly `number_of_members` members and all have confirmed."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def execute(self, group_id: int, number_of_members: int) -> bool:
        async with self._uow(read_only=True) as uow:
            counts = await uow.orders.group_confirmations(group_id)
        if counts is None:
            raise NotFound(f"group {group_id} does not exist")
        members, confirmed = counts
        return members == number_of_members and confirmed == members


class GetProduct:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def execute(self, product_id: int) -> Product:
        async with self._uow(read_only=True) as uow:
            product = await uow.products.get(product_id)
        if product is None:
            raise NotFound(f"product {product_id} does not exist")
        return product
