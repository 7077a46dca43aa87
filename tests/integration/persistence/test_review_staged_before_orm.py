"""Review: a row the ORM writes may refer to a row the unit only staged (an orphan's refund
attempt, created in the same unit as the orphan points at it). Whatever sends the ORM's
change first — a read's autoflush, an explicit flush, a pending add, the commit — the staged
row must already be in the database (its foreign key would refuse it otherwise)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.outbound.persistence.tables import orphan_payments
from adapters.outbound.persistence.unit_of_work import SqlaUnitOfWork, SqlaUnitOfWorkFactory
from domain.orphan import OrphanPayment
from domain.pay_type import PayType
from domain.payment import Operation, PaymentAttempt
from tests.integration.persistence.factories import (
    T0,
    at,
    new_order,
    new_payment,
    new_product,
    new_user,
)

pytestmark = pytest.mark.anyio


async def _read_orphans(tx: SqlaUnitOfWork, orphan: OrphanPayment) -> None:
    await tx.orphans.find(orphan.platform, orphan.platform_tx_id)  # autoflush before the read


async def _get_another_attempt(tx: SqlaUnitOfWork, orphan: OrphanPayment) -> None:
    await tx.attempts.get(10**9)  # a primary-key get that misses the identity map


async def _add_another_orphan(tx: SqlaUnitOfWork, orphan: OrphanPayment) -> None:
    other = OrphanPayment.found(
        order_id=orphan.order_id,
        platform=PayType.NAVER_PAY,
        platform_tx_id="NP-2",
        amount=1,
        reason="another",
        at=T0,
        first_retry_at=at(60),
    )
    await tx.orphans.add(other)  # an explicit flush


async def _nothing(tx: SqlaUnitOfWork, orphan: OrphanPayment) -> None:
    return None  # the commit's own flush


@pytest.mark.parametrize(
    "then", [_read_orphans, _get_another_attempt, _add_another_orphan, _nothing]
)
async def test_an_orphan_pointing_at_a_staged_attempt_is_written_after_it(
    uow: SqlaUnitOfWorkFactory,
    engine: AsyncEngine,
    then: Callable[[SqlaUnitOfWork, OrphanPayment], Awaitable[None]],
) -> None:
    order = await new_order(uow, await new_user(uow), await new_product(uow))
    payment = await new_payment(uow, order)
    async with uow() as tx:
        orphan = OrphanPayment.found(
            order_id=order.id or 0,
            platform=PayType.NAVER_PAY,
            platform_tx_id="NP-1",
            amount=30_000,
            reason="another order's",
            at=T0,
            first_retry_at=at(60),
        )
        await tx.orphans.add(orphan)
        await tx.commit()
    async with uow() as tx:
        locked = await tx.orphans.get(orphan.id or 0, for_update=True)
        assert locked is not None
        attempt = PaymentAttempt.begin(payment.id or 0, Operation.ORPHAN_REFUND, "orphan-1", at(1))
        await tx.attempts.add(attempt)
        locked.attempt_id = attempt.id
        locked.defer(at(120), at(1))
        await then(tx, locked)
        await tx.commit()
    async with engine.connect() as connection:
        stored = await connection.scalar(
            select(orphan_payments.c.attempt_id).where(orphan_payments.c.id == orphan.id)
        )
    assert stored == attempt.id
