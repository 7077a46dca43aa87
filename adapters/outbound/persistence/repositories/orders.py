from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, bindparam, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from adapters.outbound.persistence.errors import translated
from adapters.outbound.persistence.tables import groups, orders, users
from domain.order import Order, OrderState
from domain.ports.repositories import OrderRepository
from domain.views import OrderView


class SqlaOrderRepository(OrderRepository):
    """Orders; `for_update` locks rows (in ascending id order when several) until the unit of
    work ends."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    @translated
    async def add(self, order: Order) -> None:
        """Stores the order and assigns `order.id`; a reused transactionId raises `Conflict`."""
        self._session.add(order)
        await self._session.flush()

    @translated
    async def get(self, order_id: int, *, for_update: bool = False) -> Order | None:
        stmt = _locked(select(Order).where(orders.c.id == order_id), for_update)
        return (await self._session.scalars(stmt)).one_or_none()

    @translated
    async def by_transaction_id(
        self, transaction_id: str, *, for_update: bool = False
    ) -> Order | None:
        stmt = _locked(select(Order).where(orders.c.transaction_id == transaction_id), for_update)
        return (await self._session.scalars(stmt)).one_or_none()

    @translated
    async def lock_with_payment(
        self, *, order_id: int | None = None, transaction_id: str | None = None
    ) -> Order | None:
        """The order and its payment, both rows locked by one statement (an inner join)."""
        params: dict[str, object]
        if order_id is not None:
            stmt, params = _lock_statement("id"), {"key": order_id}
        else:
            stmt, params = _lock_statement("transaction_id"), {"key": transaction_id}
        return (await self._session.scalars(stmt, params)).unique().one_or_none()

    @translated
    async def many(self, order_ids: Sequence[int], *, for_update: bool = False) -> Sequence[Order]:
        """The orders that exist among `order_ids`, in ascending id order (the lock order)."""
        if not order_ids:
            return []
        stmt = select(Order).where(orders.c.id.in_(sorted(set(order_ids)))).order_by(orders.c.id)
        return (await self._session.scalars(_locked(stmt, for_update))).all()

    @translated
    async def of_user(self, user_id: int) -> Sequence[Order]:
        """The user's orders, newest first."""
        stmt = (
            select(Order)
            .where(orders.c.user_id == user_id)
            .order_by(orders.c.created_at.desc(), orders.c.id.desc())
        )
        return (await self._session.scalars(stmt)).all()

    @translated
    async def of_user_if_exists(self, user_id: int) -> Sequence[OrderView] | None:
        """One read-only Core query (no ORM loading): the user left-joined to their orders."""
        rows = (await self._session.execute(_USER_ORDERS, {"user_id": user_id})).all()
        if not rows:
            return None
        return [_order(row) for row in rows if row.id is not None]

    @translated
    async def group_confirmations(self, group_id: int) -> tuple[int, int] | None:
        """One query: the group left-joined to its members, counted."""
        row = (await self._session.execute(_GROUP_CONFIRMATIONS, {"group_id": group_id})).first()
        return None if row is None else (int(row[0]), int(row[1]))

    @translated
    async def of_group(self, group_id: int, *, for_update: bool = False) -> Sequence[Order]:
        stmt = select(Order).where(orders.c.group_id == group_id).order_by(orders.c.id)
        return (await self._session.scalars(_locked(stmt, for_update))).all()

    @translated
    async def paid_unmatched_before(self, cutoff: datetime, limit: int) -> Sequence[Order]:
        """PAID orders in no group, paid before `cutoff`, oldest first; rows that another
        worker holds are skipped."""
        stmt = (
            select(Order)
            .where(
                orders.c.state == OrderState.PAID,
                or_(orders.c.group_id.is_(None), orders.c.group_id == 0),
                orders.c.updated_at < cutoff,
            )
            .order_by(orders.c.updated_at, orders.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
            .execution_options(populate_existing=True)
        )
        return (await self._session.scalars(stmt)).all()


# The reads' statements are built once (building one costs about as much as running it).
_USER_ORDERS = (
    select(users.c.id.label("known_user"), *orders.c)
    .select_from(users.outerjoin(orders, orders.c.user_id == users.c.id))
    .where(users.c.id == bindparam("user_id"))
    .order_by(orders.c.created_at.desc(), orders.c.id.desc())
)
_GROUP_CONFIRMATIONS = (
    select(
        func.count(orders.c.id),
        func.coalesce(func.sum(case((orders.c.state == OrderState.CONFIRMED, 1), else_=0)), 0),
    )
    .select_from(groups.outerjoin(orders, orders.c.group_id == groups.c.id))
    .where(groups.c.id == bindparam("group_id"))
    .group_by(groups.c.id)
)


_LOCKS: dict[str, Select[tuple[Order]]] = {}


def _lock_statement(column: str) -> Select[tuple[Order]]:
    """The order joined to its payment, both locked, by `column` = :key. Built once per column
    (after the mappers are configured): an ORM statement with a loader option costs more to
    build and to key for the compiled cache than to run."""
    stmt = _LOCKS.get(column)
    if stmt is None:
        stmt = _locked(
            select(Order)
            .where(orders.c[column] == bindparam("key"))
            .options(joinedload(Order.payment, innerjoin=True)),  # type: ignore[arg-type, misc]
            True,
        )
        _LOCKS[column] = stmt
    return stmt


def _order(row: Row[Any]) -> OrderView:
    return OrderView(**{column.name: row._mapping[column.name] for column in orders.c})


def _locked(stmt: Select[tuple[Order]], for_update: bool) -> Select[tuple[Order]]:
    # populate_existing: an order already in the session must be refreshed from the locked row.
    if not for_update:
        return stmt
    return stmt.with_for_update().execution_options(populate_existing=True)
