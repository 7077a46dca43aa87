"""Read-only use-cases: listings and the group's confirmation status, one query each."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from domain.catalog import Product
from domain.errors import Forbidden, NotFound
from domain.group import Group
from domain.order import Order
from domain.ports.reads import OrderReads, OrderWithPayment
from domain.ports.unit_of_work import UnitOfWorkFactory
from domain.settlement import SettlementStatement, settlement_statement
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


class GetOrder:
    """One order with its payment; a signed-in user sees only their own orders."""

    def __init__(self, reads: OrderReads) -> None:
        self._reads = reads

    async def execute(self, order_id: int, acting_user_id: int | None = None) -> OrderWithPayment:
        found = await self._reads.order_with_payment(order_id)
        if found is None:
            raise NotFound(f"order {order_id} does not exist")
        if acting_user_id is not None and found.order.user_id != acting_user_id:
            raise Forbidden(f"order {order_id} belongs to another user")
        return found


@dataclass(frozen=True)
class GroupReport:
    group: Group
    members: Sequence[OrderWithPayment]
    statement: SettlementStatement


class GetGroup:
    """One group: its state, its members with their states, and its settlement statement."""

    def __init__(self, reads: OrderReads) -> None:
        self._reads = reads

    async def execute(self, group_id: int) -> GroupReport:
        found = await self._reads.group_with_members(group_id)
        if found is None:
            raise NotFound(f"group {group_id} does not exist")
        return GroupReport(
            found.group, found.members, settlement_statement(found.group, found.members)
        )


class GetOrderByTransaction:
    """The order a payment transaction belongs to, with its product (for the shopper's page)."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def execute(self, transaction_id: str) -> tuple[Order, Product | None]:
        async with self._uow() as uow:
            order = await uow.orders.by_transaction_id(transaction_id)
            if order is None:
                raise NotFound(f"no order has transaction {transaction_id}")
            return order, await uow.products.get(order.product_id)
