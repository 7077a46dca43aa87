"""Review: ids come from per-process blocks of the sequences, so an attempt made later by one
process (the worker) can have a smaller id than one made earlier by another (the server). What
says "oldest first" or "the last error" must go by when the attempt was made, not by its id."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.outbound.persistence.engine import session_factory
from adapters.outbound.persistence.operator_queries import SqlaOperatorQueries
from adapters.outbound.persistence.unit_of_work import SqlaUnitOfWorkFactory
from domain.catalog import Product
from domain.order import Order
from domain.payment import Operation, PaymentState
from domain.user import User
from tests.integration.persistence.factories import T0, at, new_product, new_user, order_for

pytestmark = pytest.mark.anyio


async def _placed(uow: SqlaUnitOfWorkFactory, user: User, product: Product) -> Order:
    async with uow(one_statement=True) as tx:
        order = order_for(user, product)
        order.open_payment("payer", T0)
        await tx.orders.add(order)
        await tx.attempts.add(order.begin_attempt(Operation.CHECKOUT, f"co-{order.id}", T0))
        await tx.commit()
    return order


async def _refund_refused(
    uow: SqlaUnitOfWorkFactory, order_id: int, key: str, when: datetime, error: str
) -> int:
    async with uow() as tx:
        order = await tx.orders.lock_with_payment(order_id=order_id)
        assert order is not None
        order.pay.state = PaymentState.REFUNDING
        attempt = order.begin_attempt(Operation.REFUND, key, when)
        await tx.attempts.add(attempt)
        attempt.failed(error, when + timedelta(seconds=1))
        await tx.attempts.update(attempt)
        await tx.commit()
    assert attempt.id is not None
    return attempt.id


async def test_attempts_made_by_two_processes_are_listed_in_the_order_they_were_made(
    concurrent_uow: SqlaUnitOfWorkFactory, engine: AsyncEngine
) -> None:
    server = concurrent_uow
    worker = SqlaUnitOfWorkFactory(session_factory(engine))  # another process, its own blocks
    user, product = await new_user(server), await new_product(server)
    await _placed(worker, user, product)  # the worker took its block of attempt ids first
    order = await _placed(server, user, product)
    assert order.id is not None

    first = await _refund_refused(server, order.id, "refund-1", at(10), "first refusal")
    second = await _refund_refused(worker, order.id, "refund-2", at(20), "second refusal")
    assert second < first, "the worker's block is below the server's: the case under test"

    async with server() as tx:
        listed = await tx.attempts.of_payment(order.pay.id or 0)
    # "Every attempt of the payment, oldest first."
    assert [a.idempotency_key for a in listed] == [f"co-{order.id}", "refund-1", "refund-2"]

    queries = SqlaOperatorQueries(session_factory(engine), timedelta(hours=1))
    history = await queries.history(order.id)
    # The operator's history of the order, oldest first.
    assert [(a["operation"], a["error"]) for a in history.attempts] == [
        ("CHECKOUT", None),
        ("REFUND", "first refusal"),
        ("REFUND", "second refusal"),
    ]
    stuck = [s for s in await queries.stuck(at(60)) if s.order_id == order.id]
    # `gonggu stuck` and /ops show the refund's last error, the one the worker just got.
    assert [(s.kind, s.last_error) for s in stuck] == [("refund pending", "second refusal")]
