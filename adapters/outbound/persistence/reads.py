"""`OrderReads` in SQL: an order with its payment, a group with its members, one query each."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from adapters.outbound.persistence.errors import translated
from adapters.outbound.persistence.tables import groups, orders, payments
from domain.group import Group
from domain.order import Order
from domain.payment import Payment
from domain.ports.reads import GroupWithMembers, OrderReads, OrderWithPayment


class SqlaOrderReads(OrderReads):
    """Reads outside any unit of work; what they return is detached from its session."""

    def __init__(self, session_factory: async_sessionmaker[Any]) -> None:
        self._sessions = session_factory

    @translated
    async def order_with_payment(self, order_id: int) -> OrderWithPayment | None:
        stmt = (
            select(Order, Payment)
            .outerjoin(Payment, payments.c.order_id == orders.c.id)
            .where(orders.c.id == order_id)
        )
        async with self._sessions() as session:
            row = (await session.execute(stmt)).one_or_none()
            session.expunge_all()
        return None if row is None else OrderWithPayment(row[0], row[1])

    @translated
    async def group_with_members(self, group_id: int) -> GroupWithMembers | None:
        stmt = (
            select(Group, Order, Payment)
            .select_from(groups)
            .outerjoin(orders, orders.c.group_id == groups.c.id)
            .outerjoin(payments, payments.c.order_id == orders.c.id)
            .where(groups.c.id == group_id)
            .order_by(orders.c.id)
        )
        async with self._sessions() as session:
            rows = (await session.execute(stmt)).all()
            session.expunge_all()
        if not rows:
            return None
        members = [OrderWithPayment(order, payment) for _, order, payment in rows if order]
        return GroupWithMembers(rows[0][0], members)
