"""Row locks, which only PostgreSQL has (SQLite serialises whole transactions instead)."""

from __future__ import annotations

import anyio
import pytest

from adapters.outbound.persistence.unit_of_work import SqlaUnitOfWorkFactory
from domain.events import DomainEvent, EventType
from domain.order import Order, OrderState
from domain.payment import Payment, PaymentState
from tests.integration.persistence.factories import (
    at,
    new_order,
    new_payment,
    new_product,
    new_user,
)

pytestmark = pytest.mark.anyio


async def test_of_sixteen_concurrent_payers_exactly_one_moves_the_order(
    concurrent_uow: SqlaUnitOfWorkFactory,
) -> None:
    uow = concurrent_uow
    order = await new_order(uow, await new_user(uow), await new_product(uow))
    seen: list[OrderState] = []

    async def pay() -> None:
        async with uow() as tx:
            locked = await tx.orders.get(order.id or 0, for_update=True)
            assert locked is not None
            seen.append(locked.state)
            if locked.state is OrderState.PAYMENT_PENDING:
                await anyio.sleep(0.05)  # hold the lock while the others queue up behind it
                locked.mark_paid(at(1))
                await tx.commit()

    async with anyio.create_task_group() as tasks:
        for _ in range(16):
            tasks.start_soon(pay)

    assert sorted(seen) == sorted([OrderState.PAYMENT_PENDING] + [OrderState.PAID] * 15)


async def _take_in_two_workers(
    uow: SqlaUnitOfWorkFactory, take: str
) -> tuple[list[int | None], list[int | None]]:
    """Worker A takes rows and holds them while worker B takes rows of its own."""
    held = anyio.Event()
    done = anyio.Event()
    taken: dict[str, list[int | None]] = {}

    async def worker(name: str) -> None:
        async with uow() as tx:
            if name == "b":
                await held.wait()
            if take == "stale":
                rows: list[Payment | Order] = list(await tx.payments.stale(at(50), at(50), 2))
            else:
                rows = list(await tx.orders.paid_unmatched_before(at(50), 2))
            taken[name] = [r.id for r in rows]
            if name == "a":
                held.set()
                await done.wait()
            else:
                done.set()

    async with anyio.create_task_group() as tasks:
        tasks.start_soon(worker, "a")
        tasks.start_soon(worker, "b")
    return taken["a"], taken["b"]


async def test_two_reconcilers_take_disjoint_stale_payments(
    concurrent_uow: SqlaUnitOfWorkFactory,
) -> None:
    uow = concurrent_uow
    user, product = await new_user(uow), await new_product(uow)
    ids = []
    for n in range(4):
        order = await new_order(uow, user, product)
        ids.append((await new_payment(uow, order, state=PaymentState.READY, updated=at(n))).id)

    with anyio.fail_after(10):
        a, b = await _take_in_two_workers(uow, "stale")

    assert a == ids[:2] and b == ids[2:]


async def test_two_expiry_workers_take_disjoint_unmatched_orders(
    concurrent_uow: SqlaUnitOfWorkFactory,
) -> None:
    uow = concurrent_uow
    user, product = await new_user(uow), await new_product(uow)
    ids = [
        (await new_order(uow, user, product, state=OrderState.PAID, when=at(n))).id
        for n in range(4)
    ]

    with anyio.fail_after(10):
        a, b = await _take_in_two_workers(uow, "unmatched")

    assert a == ids[:2] and b == ids[2:]


async def test_two_relays_take_disjoint_pending_events(
    concurrent_uow: SqlaUnitOfWorkFactory,
) -> None:
    uow = concurrent_uow
    events = [DomainEvent(EventType.ORDER_PLACED, at(n), {"orderId": n}) for n in range(4)]
    async with uow() as tx:
        for e in events:
            await tx.outbox.add(e)
        await tx.commit()
    held, done = anyio.Event(), anyio.Event()
    taken: dict[str, list[str]] = {}

    async def relay(name: str) -> None:
        async with uow() as tx:
            if name == "b":
                await held.wait()
            taken[name] = [e.event_id for e in await tx.outbox.pending(2)]
            (held if name == "a" else done).set()
            if name == "a":
                await done.wait()

    with anyio.fail_after(10):
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(relay, "a")
            tasks.start_soon(relay, "b")

    assert taken["a"] == [e.event_id for e in events[:2]]
    assert taken["b"] == [e.event_id for e in events[2:]]


async def test_a_locked_order_waits_for_the_holder_to_commit(
    concurrent_uow: SqlaUnitOfWorkFactory,
) -> None:
    uow = concurrent_uow
    order = await new_order(uow, await new_user(uow), await new_product(uow))
    steps: list[str] = []
    held = anyio.Event()

    async def holder() -> None:
        async with uow() as tx:
            locked = await tx.orders.get(order.id or 0, for_update=True)
            assert locked is not None
            held.set()
            await anyio.sleep(0.2)
            locked.mark_paid(at(1))
            steps.append("holder commits")
            await tx.commit()

    async def waiter() -> None:
        await held.wait()
        async with uow() as tx:
            locked = await tx.orders.get(order.id or 0, for_update=True)
            assert locked is not None
            steps.append(f"waiter sees {locked.state.value}")

    with anyio.fail_after(10):
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(holder)
            tasks.start_soon(waiter)

    assert steps == ["holder commits", "waiter sees PAID"]
