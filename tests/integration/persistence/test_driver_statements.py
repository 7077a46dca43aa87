"""The hot path's statements on the driver's cursor (PostgreSQL): the same entities, errors,
events and connection handling as the ORM's statements they replace."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.outbound.persistence.engine import create_engine, session_factory
from adapters.outbound.persistence.repositories.orders import _lock_statement
from adapters.outbound.persistence.unit_of_work import SqlaUnitOfWorkFactory
from domain.errors import Conflict, StorageUnavailable
from domain.order import OrderState
from domain.payment import AttemptState, Operation, PaymentState
from domain.ports.payment_gateway import Approval
from tests.integration.persistence.factories import (
    at,
    placed_with_attempt,
)
from tests.support.databases import wait_until_a_backend_waits_for_a_lock

pytestmark = pytest.mark.anyio


@pytest.fixture(autouse=True)
def _postgres_only(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("driver statements are PostgreSQL's; SQLite runs the ORM's statements")


def columns(entity: object, names: tuple[str, ...]) -> dict[str, object]:
    return {name: getattr(entity, name) for name in names}


ORDER_COLUMNS = ("id", "user_id", "product_id", "quantity", "trans_amount", "pay_type")
ORDER_COLUMNS += ("transaction_id", "group_id", "state", "created_at", "updated_at")
PAYMENT_COLUMNS = ("id", "order_id", "platform", "amount", "state", "platform_tx_id")
PAYMENT_COLUMNS += ("payer_ref", "approved_amount", "approved_at", "refund_failures")


async def test_the_locked_order_and_payment_are_what_the_orms_load_makes_of_the_rows(
    uow: SqlaUnitOfWorkFactory,
) -> None:
    order, _ = await placed_with_attempt(uow)
    async with uow() as tx:
        driven = await tx.orders.lock_with_payment(order_id=order.id)
    async with uow() as tx:
        session = tx._session
        assert session is not None
        loaded = (await session.scalars(_lock_statement("id"), {"key": order.id})).unique().one()
    assert driven is not None
    assert columns(driven, ORDER_COLUMNS) == columns(loaded, ORDER_COLUMNS)
    assert columns(driven.pay, PAYMENT_COLUMNS) == columns(loaded.pay, PAYMENT_COLUMNS)
    assert driven.state is OrderState.PAYMENT_PENDING and driven.pay.state is PaymentState.READY
    assert driven.created_at.tzinfo is not None and driven.events == []


async def test_changes_to_a_locked_order_are_written_and_its_events_raised(
    uow: SqlaUnitOfWorkFactory,
) -> None:
    order, attempt = await placed_with_attempt(uow)
    async with uow() as tx:
        locked = await tx.orders.lock_with_payment(transaction_id=order.transaction_id)
        assert locked is not None
        locked.begin_approval("T-1", at(1))
        open_attempt = await tx.attempts.open_attempt(locked.pay.id or 0, Operation.APPROVE)
        assert open_attempt is not None and open_attempt.id == attempt.id
        open_attempt.succeeded(at(2))
        await tx.attempts.update(open_attempt)
        approval = Approval("T-1", locked.trans_amount, at(2), {"ok": True})
        assert locked.approval_settled(approval, at(2), at(3))
        await tx.commit()
        raised = [type(e).__name__ for e in tx.collect_new_events()]
    assert "OrderPaid" in raised
    async with uow(read_only=True) as tx:
        stored = await tx.orders.get(order.id or 0)
        attempts = await tx.attempts.of_payment(order.pay.id or 0)
    assert stored is not None and stored.state is OrderState.PAID
    assert [a.state for a in attempts] == [AttemptState.SUCCEEDED]


async def test_a_lock_keeps_the_units_unsaved_change_to_the_order_it_already_holds(
    uow: SqlaUnitOfWorkFactory,
) -> None:
    """As the ORM's statement did (autoflush, then populate_existing): the same instance, and
    the change the unit made to it before the lock is written, not dropped by the refresh."""
    order, _ = await placed_with_attempt(uow)
    async with uow() as tx:
        held = await tx.orders.get(order.id or 0)
        assert held is not None
        held.quantity = 99
        locked = await tx.orders.lock_with_payment(order_id=order.id)
        assert locked is held
        assert locked.quantity == 99
        await tx.commit()
    async with uow(read_only=True) as tx:
        stored = await tx.orders.get(order.id or 0)
    assert stored is not None and stored.quantity == 99


async def test_a_missing_order_is_none(uow: SqlaUnitOfWorkFactory) -> None:
    async with uow() as tx:
        assert await tx.orders.lock_with_payment(order_id=987654) is None
        assert await tx.attempts.open_attempt(987654, Operation.APPROVE) is None


async def test_a_reused_key_in_the_one_write_is_still_a_conflict(
    uow: SqlaUnitOfWorkFactory,
) -> None:
    order, attempt = await placed_with_attempt(uow)
    async with uow() as tx:
        locked = await tx.orders.lock_with_payment(order_id=order.id)
        assert locked is not None
        await tx.attempts.add(
            locked.begin_attempt(Operation.REFUND, attempt.idempotency_key, at(3))
        )
        with pytest.raises(Conflict, match="idempotency key"):
            await tx.commit()


async def test_the_engines_cursor_events_see_the_driver_statements(
    uow: SqlaUnitOfWorkFactory, engine: AsyncEngine
) -> None:
    order, _ = await placed_with_attempt(uow)
    seen: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        seen.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        async with uow() as tx:
            await tx.orders.lock_with_payment(order_id=order.id)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)
    assert len(seen) == 1 and "FOR UPDATE" in seen[0]


async def test_a_connection_lost_under_a_driver_statement_fails_one_unit_and_the_next_reconnects(
    database_url: str,
) -> None:
    engine, admin = create_engine(database_url, pool_size=2), create_engine(database_url)
    uow = SqlaUnitOfWorkFactory(session_factory(engine))
    try:
        order, _ = await placed_with_attempt(uow)
        with pytest.raises(StorageUnavailable):
            async with uow() as tx:
                session = tx._session
                assert session is not None
                pid = (await session.execute(text("SELECT pg_backend_pid()"))).scalar()
                async with admin.connect() as other:
                    await other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
                await tx.orders.lock_with_payment(order_id=order.id)
        async with uow() as tx:
            locked = await tx.orders.lock_with_payment(order_id=order.id)
        assert locked is not None and locked.id == order.id
    finally:
        await engine.dispose()
        await admin.dispose()


async def test_a_lock_wait_cut_off_by_cancellation_does_not_leave_a_broken_connection_in_the_pool(
    database_url: str,
) -> None:
    """A request cancelled while its lock waits (the statement cut off midway): every pooled
    connection afterwards works, and the next units lock the order once the holder commits."""
    engine, watcher = create_engine(database_url, pool_size=2), create_engine(database_url)
    uow = SqlaUnitOfWorkFactory(session_factory(engine))
    try:
        order, _ = await placed_with_attempt(uow)
        async with uow() as holder:
            assert await holder.orders.lock_with_payment(order_id=order.id) is not None

            async def waiting() -> None:
                async with uow() as tx:
                    await tx.orders.lock_with_payment(order_id=order.id)

            waiter = asyncio.create_task(waiting())
            await wait_until_a_backend_waits_for_a_lock(watcher)
            waiter.cancel()
            with pytest.raises(asyncio.CancelledError):
                await waiter
            await holder.commit()
        for _ in range(3):  # every pooled connection is usable
            async with uow() as tx:
                locked = await asyncio.wait_for(
                    tx.orders.lock_with_payment(order_id=order.id), timeout=10
                )
                assert locked is not None and locked.id == order.id
                await tx.commit()
    finally:
        await engine.dispose()
        await watcher.dispose()
