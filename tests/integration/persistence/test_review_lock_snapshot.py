"""Review: the order's lock reads the payment's open attempts in the same statement, and so in
the snapshot that statement took *before* it waited for the lock. A caller queued behind the
lock holder must nevertheless see the attempts the holder committed (PostgreSQL only)."""

from __future__ import annotations

import anyio
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.outbound.persistence.unit_of_work import SqlaUnitOfWorkFactory
from domain.payment import AttemptState, Operation, PaymentState
from tests.integration.persistence.factories import T0, at, new_product, new_user, order_for
from tests.support.databases import wait_until_a_backend_waits_for_a_lock

pytestmark = pytest.mark.anyio


async def _paid_order_being_refunded(uow: SqlaUnitOfWorkFactory) -> int:
    user, product = await new_user(uow), await new_product(uow)
    async with uow() as tx:
        order = order_for(user, product)
        order.open_payment("payer", T0)
        await tx.orders.add(order)
        await tx.commit()
    async with uow() as tx:
        locked = await tx.orders.lock_with_payment(order_id=order.id)
        assert locked is not None
        locked.pay.state = PaymentState.REFUNDING
        await tx.commit()
    assert order.id is not None
    return order.id


@pytest.mark.parametrize("operation", [Operation.REFUND, Operation.APPROVE])
async def test_a_caller_queued_behind_the_lock_sees_the_attempt_its_holder_committed(
    concurrent_uow: SqlaUnitOfWorkFactory, engine: AsyncEngine, operation: Operation
) -> None:
    uow = concurrent_uow
    order_id = await _paid_order_being_refunded(uow)
    seen: dict[str, object] = {}
    holding = anyio.Event()

    async def holder() -> None:
        # The runner's first transaction: lock, claim a new attempt, commit.
        async with uow() as tx:
            locked = await tx.orders.lock_with_payment(order_id=order_id)
            assert locked is not None and locked.pay.id is not None
            assert await tx.attempts.open_attempt(locked.pay.id, operation) is None
            attempt = locked.begin_attempt(operation, "holder-key", at(1))
            await tx.attempts.add(attempt)
            holding.set()
            await wait_until_a_backend_waits_for_a_lock(engine)
            await tx.commit()

    async def queued() -> None:
        await holding.wait()
        # A second caller (a duplicate request, another worker) of the same operation.
        async with uow() as tx:
            locked = await tx.orders.lock_with_payment(order_id=order_id)
            assert locked is not None and locked.pay.id is not None
            found = await tx.attempts.open_attempt(locked.pay.id, operation)
            seen["open"] = None if found is None else (found.idempotency_key, found.state)
            seen["all_open"] = [
                a.idempotency_key for a in await tx.attempts.open_attempts(locked.pay.id)
            ]

    with anyio.fail_after(20):
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(holder)
            tasks.start_soon(queued)

    # Missing it, the runner's _claim would begin a second attempt with a new idempotency key
    # and call the platform again: a second refund (an Open Banking deposit moves money twice).
    assert seen["open"] == ("holder-key", AttemptState.IN_FLIGHT)
    assert seen["all_open"] == ["holder-key"]
