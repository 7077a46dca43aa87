"""Review of the driver statements (driver_statements.py): what the ORM statements they replace
did and they must still do. Each test runs on SQLite (the ORM's statements) and on PostgreSQL
(the driver's), so a difference between the two is the driver path's."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.outbound.persistence.repositories.attempts import _open_attempt_statement
from adapters.outbound.persistence.unit_of_work import SqlaUnitOfWorkFactory
from domain.order import OrderState
from domain.payment import AttemptState, Operation, PaymentAttempt, PaymentState
from domain.ports.payment_gateway import Approval
from tests.integration.persistence.factories import (
    at,
    placed_with_attempt,
)

pytestmark = pytest.mark.anyio


# ------------------------------------------------------------------ autoflush before the read


async def test_review_driver_a_second_lock_keeps_the_units_unsaved_payment(
    uow: SqlaUnitOfWorkFactory,
) -> None:
    """The ORM's locking read autoflushes the session first, so populate_existing refreshes
    the order with the unit's own change already written. The driver's read only sends the
    batch's staged rows: the refresh drops the unsaved transition, and the commit writes
    nothing of it, while the OrderPaid event it raised is still written. Money taken, payment
    on record still READY, consumers told PAID."""
    order, _ = await placed_with_attempt(uow)
    async with uow() as tx:
        locked = await tx.orders.lock_with_payment(order_id=order.id)
        assert locked is not None
        locked.begin_approval("T-1", at(1))
        approval = Approval("T-1", locked.trans_amount, at(2), {"ok": True})
        assert locked.approval_settled(approval, at(2), at(3))
        # e.g. a helper that (re)locks the order it is about to settle further
        again = await tx.orders.lock_with_payment(order_id=order.id)
        assert again is locked
        await tx.commit()
        raised = [type(e).__name__ for e in tx.collect_new_events()]
    async with uow(read_only=True) as tx:
        stored = await tx.orders.get(order.id or 0)
        payment = await tx.payments.of_order(order.id or 0)
    assert "OrderPaid" in raised
    assert stored is not None and payment is not None
    assert (stored.state, payment.state) == (OrderState.PAID, PaymentState.APPROVED)
    assert payment.approved_amount == order.trans_amount


async def test_review_driver_open_attempt_after_an_unsaved_settlement_is_not_open_again(
    uow: SqlaUnitOfWorkFactory,
) -> None:
    """The ORM's open-attempt read autoflushes the settled attempt, so it is no longer open.
    The driver's read finds the stale IN_FLIGHT row and refreshes the instance back to it: the
    caller is told to retry a payment call that already succeeded (a second charge), and the
    commit writes no settlement."""
    order, attempt = await placed_with_attempt(uow)
    async with uow() as tx:
        locked = await tx.orders.lock_with_payment(order_id=order.id)
        assert locked is not None and locked.pay.id is not None
        held = await tx.attempts.open_attempt(locked.pay.id, Operation.APPROVE)
        assert held is not None and held.id == attempt.id
        held.succeeded(at(5))  # tracked by the session, written by the commit
        again = await tx.attempts.open_attempt(locked.pay.id, Operation.APPROVE)
        assert again is None, f"an open attempt again: {again}"
        await tx.commit()
    async with uow(read_only=True) as tx:
        attempts = await tx.attempts.of_payment(order.pay.id or 0)
    assert [a.state for a in attempts] == [AttemptState.SUCCEEDED]


# ------------------------------------------------------------------ the statements themselves


async def test_review_driver_open_attempt_is_the_latest_open_one_as_the_orm_reads_it(
    uow: SqlaUnitOfWorkFactory,
) -> None:
    """Bind order and fixed parameters (the operation, the two open states, LIMIT 1): the
    latest IN_FLIGHT/UNKNOWN attempt of that operation, not a later settled one nor another
    operation's, with its enum and timestamp values converted."""
    order, first = await placed_with_attempt(uow)
    payment_id = order.pay.id or 0
    async with uow() as tx:
        unknown = PaymentAttempt.begin(payment_id, Operation.APPROVE, "k-unknown", at(10))
        await tx.attempts.add(unknown)
        unknown.unknown("timeout", at(11))
        failed = PaymentAttempt.begin(payment_id, Operation.APPROVE, "k-failed", at(20))
        await tx.attempts.add(failed)
        failed.failed("declined", at(21))
        other = PaymentAttempt.begin(payment_id, Operation.REFUND, "k-refund", at(30))
        await tx.attempts.add(other)
        await tx.attempts.update(unknown)
        await tx.attempts.update(failed)
        await tx.commit()
    async with uow() as tx:
        driven = await tx.attempts.open_attempt(payment_id, Operation.APPROVE)
        refund = await tx.attempts.open_attempt(payment_id, Operation.REFUND)
        none = await tx.attempts.open_attempt(payment_id, Operation.CHECKOUT)
    async with uow() as tx:
        session = tx._session
        assert session is not None
        params = {"payment_id": payment_id, "operation": Operation.APPROVE}
        orm = (await session.scalars(_open_attempt_statement(), params)).first()
    assert driven is not None and orm is not None and refund is not None and none is None
    assert driven.id == unknown.id == orm.id
    assert (driven.state, driven.error, driven.updated_at) == (
        AttemptState.UNKNOWN,
        "timeout",
        at(11),
    )
    assert driven.operation is Operation.APPROVE and driven.updated_at.tzinfo is not None
    assert refund.id == other.id and first.id != driven.id


async def _lock_not_available(engine: AsyncEngine, table: str, row_id: int) -> bool:
    async with engine.connect() as other:
        try:
            await other.execute(
                text(f"SELECT id FROM {table} WHERE id = :id FOR UPDATE NOWAIT"), {"id": row_id}
            )
        except Exception as error:
            cause = getattr(error, "orig", None)
            assert "could not obtain lock" in str(cause) or "55P03" in repr(
                getattr(cause, "sqlstate", "")
            ), error
            return True
        finally:
            await other.rollback()
        return False


async def test_review_driver_the_lock_holds_both_rows_until_commit(
    concurrent_uow: SqlaUnitOfWorkFactory, engine: AsyncEngine
) -> None:
    """The lock is taken inside the unit's transaction (the adapter's lazy BEGIN runs before
    the driver's statement), on the order's row and the payment's, and holds across later
    statements of the unit until its commit."""
    uow = concurrent_uow
    order, _ = await placed_with_attempt(uow)
    assert order.id is not None and order.pay.id is not None
    async with uow() as tx:
        locked = await tx.orders.lock_with_payment(order_id=order.id)
        assert locked is not None
        assert await _lock_not_available(engine, "orders", order.id)
        assert await _lock_not_available(engine, "payments", order.pay.id)
        await tx.attempts.open_attempt(order.pay.id, Operation.APPROVE)
        locked.quantity = 3
        assert await _lock_not_available(engine, "orders", order.id)
        await tx.commit()
        assert not await _lock_not_available(engine, "orders", order.id)
        assert not await _lock_not_available(engine, "payments", order.pay.id)


async def test_review_driver_a_queued_lock_sees_the_holders_committed_rows(
    concurrent_uow: SqlaUnitOfWorkFactory, engine: AsyncEngine
) -> None:
    """The second locker waits behind the first and then gets both rows as committed."""
    import anyio

    from tests.support.databases import wait_until_a_backend_waits_for_a_lock

    uow = concurrent_uow
    order, _ = await placed_with_attempt(uow)
    seen: list[tuple[OrderState, PaymentState, int]] = []

    async def second() -> None:
        async with uow() as tx:
            locked = await tx.orders.lock_with_payment(order_id=order.id)
            assert locked is not None
            seen.append((locked.state, locked.pay.state, locked.pay.approved_amount))

    async with uow() as tx:
        locked = await tx.orders.lock_with_payment(order_id=order.id)
        assert locked is not None
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(second)
            await wait_until_a_backend_waits_for_a_lock(engine)
            locked.begin_approval("T-1", at(1))
            approval = Approval("T-1", locked.trans_amount, at(2), {"ok": True})
            assert locked.approval_settled(approval, at(2), at(3))
            await tx.commit()
    assert seen == [(OrderState.PAID, PaymentState.APPROVED, order.trans_amount)]


async def test_review_driver_a_value_the_column_refuses_is_a_storage_error(
    uow: SqlaUnitOfWorkFactory,
) -> None:
    """A bind processor's refusal (a naive datetime for EpochMillis) in the commit's one
    write: SQLAlchemy's execution wraps it (StatementError), so the unit of work reports a
    StorageError; the driver statement converts its parameters outside that handling, and a
    bare ValueError escapes the persistence adapter."""
    from datetime import datetime

    from domain.errors import StorageUnavailable

    order, _ = await placed_with_attempt(uow)
    async with uow() as tx:
        locked = await tx.orders.lock_with_payment(order_id=order.id)
        assert locked is not None
        locked.updated_at = datetime(2026, 3, 1, 10, 0)  # naive: refused by EpochMillis
        with pytest.raises(StorageUnavailable):
            await tx.commit()
