from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Insert, Row, Select, bindparam, case, func, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, joinedload, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from adapters.outbound.persistence.driver_statements import attach_loaded, columns_of, read
from adapters.outbound.persistence.errors import translated
from adapters.outbound.persistence.id_blocks import IdBlocks
from adapters.outbound.persistence.tables import groups, orders, payments, users
from adapters.outbound.persistence.write_batch import WriteBatch, row_of, written_as_is
from domain.order import Order, OrderState
from domain.payment import Payment
from domain.ports.repositories import OrderRepository
from domain.views import OrderView


class SqlaOrderRepository(OrderRepository):
    """Orders; `for_update` locks rows (in ascending id order when several) until the unit of
    work ends."""

    def __init__(
        self,
        session: AsyncSession,
        batch: WriteBatch | None = None,
        ids: IdBlocks | None = None,
        see: Callable[[Any, Any], None] | None = None,
    ) -> None:
        self._session = session
        self._batch, self._ids = batch, ids
        self._see = see

    @translated
    async def add(self, order: Order) -> None:
        """Stores the order, and the payment opened with it, and assigns their ids; a reused
        transactionId raises `Conflict` (on PostgreSQL at the unit's next statement).

        On PostgreSQL the ids come from the sequences' blocks and both rows are staged in the
        unit of work's one write statement; on SQLite, Core INSERT … RETURNING. Either way no
        ORM flush, and both are attached to the session as persistent once written, so that
        changes made to them in this unit of work are written too."""
        payment = order.__dict__.get("payment")
        if self._ids is not None and self._batch is not None:
            await self._stage(order, payment if isinstance(payment, Payment) else None)
            return
        order_row = {column: getattr(order, column) for column in _ORDER_COLUMNS}
        if not isinstance(payment, Payment):
            order.id = (await self._session.execute(_INSERT_ORDER, order_row)).scalar_one()
        elif self._session.bind.dialect.name == "postgresql":
            params = {f"o_{column}": value for column, value in order_row.items()}
            params.update({f"p_{column}": getattr(payment, column) for column in _PAYMENT_COLUMNS})
            row = (await self._session.execute(_INSERT_ORDER_AND_PAYMENT, params)).one()
            order.id, payment.id, payment.order_id = row.order_id, row.id, row.order_id
        else:
            order.id = (await self._session.execute(_INSERT_ORDER, order_row)).scalar_one()
            payment.order_id = order.id
            payment_row = {column: getattr(payment, column) for column in _PAYMENT_COLUMNS}
            payment_row["order_id"] = order.id
            payment.id = (await self._session.execute(_INSERT_PAYMENT, payment_row)).scalar_one()
        if isinstance(payment, Payment):
            make_transient_to_detached(payment)
        make_transient_to_detached(order)
        self._session.add(order)

    async def _stage(self, order: Order, payment: Payment | None) -> None:
        assert self._ids is not None and self._batch is not None
        order.id = await self._ids.next_id(self._session, orders)
        if payment is not None:
            payment.id = await self._ids.next_id(self._session, payments)
            payment.order_id = order.id

        def attach(session: Session) -> None:
            if payment is not None:
                make_transient_to_detached(payment)
            make_transient_to_detached(order)
            session.add(order)
            for entity in (order, payment) if payment is not None else (order,):
                written_as_is(session, entity)

        await self._batch.insert(
            self._session, orders, lambda: row_of(order, orders), row_id=order.id, written=attach
        )
        if payment is not None:
            await self._batch.insert(
                self._session, payments, lambda: row_of(payment, payments), row_id=payment.id
            )
        if self._see is not None:
            self._see(None, order)

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
        """The order and its payment, both rows locked by one statement (an inner join).

        Not the payment's attempts with them: after waiting for the lock, PostgreSQL returns
        the locked rows as they are now but joined rows as of the statement's start, which
        would miss the attempt the lock's previous holder just committed."""
        column = "id" if order_id is not None else "transaction_id"
        key = order_id if order_id is not None else transaction_id
        if self._session.bind.dialect.name == "postgresql":
            return await self._session.run_sync(_lock_on_driver, column, key)
        stmt = _lock_statement(column)
        return (await self._session.scalars(stmt, {"key": key})).unique().one_or_none()

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


_ORDER_COLUMNS = tuple(c.key for c in orders.c if c.key != "id")
_PAYMENT_COLUMNS = tuple(c.key for c in payments.c if c.key not in ("id", "order_id"))
_INSERT_ORDER = insert(orders).returning(orders.c.id)
_INSERT_PAYMENT = insert(payments).returning(payments.c.id)


def _order_and_payment() -> Insert:
    new_order = (
        insert(orders)
        .values({c: bindparam(f"o_{c}", type_=orders.c[c].type) for c in _ORDER_COLUMNS})
        .returning(orders.c.id)
        .cte("new_order")
    )
    payment_values = select(
        new_order.c.id,
        *(bindparam(f"p_{c}", type_=payments.c[c].type) for c in _PAYMENT_COLUMNS),
    )
    return (
        insert(payments)
        .from_select(["order_id", *_PAYMENT_COLUMNS], payment_values)
        .returning(payments.c.id, payments.c.order_id)
    )


_INSERT_ORDER_AND_PAYMENT = _order_and_payment()
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


_ORDER_KEYS = tuple(c.key for c in orders.c)
_PAYMENT_KEYS = tuple(c.key for c in payments.c)


def _lock_on_driver(session: Session, column: str, key: object) -> Order | None:
    """`lock_with_payment` on PostgreSQL: the same locking statement (Core), on the driver's
    cursor, and the two entities attached as the ORM's load would (driver_statements.py)."""

    def locking() -> Select[Any]:
        joined = select(orders, payments).join(payments, payments.c.order_id == orders.c.id)
        return joined.where(orders.c[column] == bindparam("key")).with_for_update()

    rows = read(session, ("lock_with_payment", column), locking, {"key": key})
    if not rows:
        return None
    row = rows[0]
    payment = attach_loaded(session, Payment, columns_of(row, _PAYMENT_KEYS, len(_ORDER_KEYS)))
    order = attach_loaded(session, Order, columns_of(row, _ORDER_KEYS))
    set_committed_value(order, "payment", payment)
    return order


def _order(row: Row[Any]) -> OrderView:
    return OrderView(**{column.name: row._mapping[column.name] for column in orders.c})


def _locked(stmt: Select[tuple[Order]], for_update: bool) -> Select[tuple[Order]]:
    # populate_existing: an order already in the session must be refreshed from the locked row.
    if not for_update:
        return stmt
    return stmt.with_for_update().execution_options(populate_existing=True)
