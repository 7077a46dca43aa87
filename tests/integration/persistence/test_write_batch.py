"""The unit of work's writes: on PostgreSQL sent as one statement per transaction, atomic,
visible to the unit's own reads, with ids from the sequences' blocks."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.outbound.persistence.engine import session_factory
from adapters.outbound.persistence.tables import orders, outbox_events, payment_attempts, payments
from adapters.outbound.persistence.unit_of_work import SqlaUnitOfWorkFactory
from domain.errors import Conflict
from domain.order import Order
from domain.payment import AttemptState, Operation
from tests.integration.persistence.factories import (
    T0,
    at,
    new_product,
    new_user,
    order_for,
)

pytestmark = pytest.mark.anyio


@pytest.fixture
def statements(engine: AsyncEngine) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        seen.append(statement.lstrip().split(None, 1)[0].upper())

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine.sync_engine, "before_cursor_execute", record)


async def placed(uow: SqlaUnitOfWorkFactory, *, one_statement: bool = False) -> Order:
    user, product = await new_user(uow), await new_product(uow)
    async with uow(one_statement=one_statement) as tx:
        order = order_for(user, product)
        order.open_payment("payer", T0)
        await tx.orders.add(order)
        order.placed(T0)
        await tx.attempts.add(order.begin_attempt(Operation.CHECKOUT, f"key-{order.id}", T0))
        await tx.commit()
    return order


async def count(engine: AsyncEngine, table: object) -> int:
    async with engine.connect() as connection:
        return int(await connection.scalar(select(func.count()).select_from(table)) or 0)


async def test_a_settled_payment_is_the_lock_a_read_and_one_write_statement_on_postgres(
    uow: SqlaUnitOfWorkFactory, engine: AsyncEngine, statements: list[str], database_url: str
) -> None:
    order = await placed(uow)
    statements.clear()

    async with uow() as tx:
        locked = await tx.orders.lock_with_payment(order_id=order.id)
        assert locked is not None and locked.pay.id is not None
        attempt = await tx.attempts.open_attempt(locked.pay.id, Operation.CHECKOUT)
        assert attempt is not None
        attempt.succeeded(at(1))
        await tx.attempts.update(attempt)
        locked.checkout_answered("T-1", {"tid": "T-1"})
        locked.pay.begin_approval(at(1))
        locked.pay.approved("T-1", locked.pay.amount, at(2))
        locked.mark_paid(at(2))
        await tx.commit()

    if database_url.startswith("postgresql"):
        # The lock, the open attempt, then the attempt, payment, order and outbox rows in one
        # statement.
        assert statements == ["SELECT", "SELECT", "WITH"]
    async with uow() as tx:
        again = await tx.orders.lock_with_payment(order_id=order.id)
        history = await tx.attempts.of_payment(order.pay.id or 0)
    assert again is not None
    assert (again.state.value, again.pay.state.value, again.pay.platform_tx_id) == (
        "PAID",
        "APPROVED",
        "T-1",
    )
    assert [(a.id, a.state) for a in history] == [(attempt.id, AttemptState.SUCCEEDED)]


async def test_a_read_in_the_unit_sees_the_writes_it_staged(uow: SqlaUnitOfWorkFactory) -> None:
    order = await placed(uow)

    async with uow() as tx:
        locked = await tx.orders.lock_with_payment(order_id=order.id)
        assert locked is not None and locked.pay.id is not None
        # Staged while the ORM has nothing to flush: the statement itself sends them first.
        retry = locked.begin_attempt(Operation.CHECKOUT, "retry-key", at(2))
        await tx.attempts.add(retry)
        staged_only = await tx.attempts.of_payment(locked.pay.id)
        # Staged beside a change the ORM tracks: its autoflush sends them first.
        first = staged_only[0]
        first.failed("declined", at(3))
        await tx.attempts.update(first)
        with_a_change = await tx.attempts.of_payment(locked.pay.id)

    assert [a.idempotency_key for a in staged_only] == [f"key-{order.id}", "retry-key"]
    assert [(a.idempotency_key, a.state) for a in with_a_change] == [
        (f"key-{order.id}", AttemptState.FAILED),
        ("retry-key", AttemptState.IN_FLIGHT),
    ]


async def test_a_refused_one_statement_placement_stores_nothing(
    uow: SqlaUnitOfWorkFactory, engine: AsyncEngine
) -> None:
    first = await placed(uow, one_statement=True)
    stored = [await count(engine, t) for t in (orders, payments, payment_attempts, outbox_events)]

    user, product = await new_user(uow, "lee"), await new_product(uow)
    with pytest.raises(Conflict, match="transactionId"):
        async with uow(one_statement=True) as tx:
            twin = order_for(user, product)
            twin.transaction_id = first.transaction_id
            twin.open_payment(None, T0)
            await tx.orders.add(twin)
            twin.placed(T0)
            await tx.attempts.add(twin.begin_attempt(Operation.CHECKOUT, "twin-key", T0))
            await tx.commit()

    after = [await count(engine, t) for t in (orders, payments, payment_attempts, outbox_events)]
    assert after == stored == [1, 1, 1, 1]


async def test_a_one_statement_unit_refuses_to_read_after_it_wrote_on_postgres(
    uow: SqlaUnitOfWorkFactory, engine: AsyncEngine, database_url: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("on SQLite a one-statement unit is an ordinary transaction")
    user, product = await new_user(uow), await new_product(uow)
    with pytest.raises(RuntimeError, match="must not read after it wrote"):
        async with uow(one_statement=True) as tx:
            order = order_for(user, product)
            await tx.orders.add(order)
            await tx.orders.get(order.id or 0)  # would send the order alone, in autocommit
    assert await count(engine, orders) == 0


async def test_ids_from_two_processes_blocks_never_collide(
    concurrent_uow: SqlaUnitOfWorkFactory, engine: AsyncEngine
) -> None:
    other_process = SqlaUnitOfWorkFactory(session_factory(engine))
    user, product = await new_user(concurrent_uow), await new_product(concurrent_uow)

    async def place(factory: SqlaUnitOfWorkFactory) -> Order:
        async with factory(one_statement=True) as tx:
            order = order_for(user, product)
            order.open_payment(None, T0)
            await tx.orders.add(order)
            await tx.attempts.add(order.begin_attempt(Operation.CHECKOUT, str(order.id), T0))
            await tx.commit()
        return order

    placed_orders = await asyncio.gather(
        *(place(f) for _ in range(40) for f in (concurrent_uow, other_process))
    )

    ids = {o.id for o in placed_orders}
    assert len(ids) == 80
    async with engine.connect() as connection:
        rows = (await connection.execute(select(payments.c.order_id, payments.c.id))).all()
    assert {order_id for order_id, _ in rows} == ids
    assert {o.pay.id for o in placed_orders} == {payment_id for _, payment_id in rows}
